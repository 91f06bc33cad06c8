package io.nightshift.agent.channel;

import io.nightshift.api.protocol.AgentMessage.StatusUpdate;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class StatusJournalTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    @TempDir
    Path work;

    /** Opens the journal on the work dir; acks are written inline (a direct executor). */
    private StatusJournal journal(Instant now) {
        return StatusJournal.open(work, Clock.fixed(now, ZoneOffset.UTC), Runnable::run);
    }

    private static void report(StatusJournal j, TaskState s) {
        j.report("t", "a.1", s, s.isTerminal() ? Reason.EXIT_CODE : null, s.isTerminal() ? 0 : null, "m");
    }

    private Path file() {
        return work.resolve(StatusJournal.FILE);
    }

    @Test
    void seqStartsAtTheClockAndIncreasesByOne() {
        StatusJournal j = journal(T0);
        List<StatusUpdate> seen = new ArrayList<>();
        j.listener(seen::add);
        report(j, TaskState.STAGING);
        report(j, TaskState.RUNNING);
        assertThat(seen).extracting(StatusUpdate::seq).containsExactly(T0.toEpochMilli(), T0.toEpochMilli() + 1);
        assertThat(seen.get(0).time()).isEqualTo(T0);
    }

    @Test
    void seqNeverGoesBackwardsAcrossARestartEvenIfTheClockDoesAndEverythingWasAcked() {
        StatusJournal first = journal(T0);
        for (int i = 0; i < 5; i++) report(first, TaskState.RUNNING);
        long last = first.lastSeq();
        first.ack(last); // nothing left in the journal but its floor
        StatusJournal restarted = journal(T0.minus(Duration.ofHours(1)));
        assertThat(restarted.unacked()).isEmpty();
        report(restarted, TaskState.STAGING);
        assertThat(restarted.unacked().get(0).seq()).isEqualTo(last + 1);
    }

    @Test
    void theSeqFileOfOlderAgentsIsStillAFloor() throws Exception {
        Files.writeString(work.resolve("seq"), Long.toString(T0.toEpochMilli() + 1000));
        StatusJournal j = journal(T0);
        report(j, TaskState.STAGING);
        assertThat(j.unacked().get(0).seq()).isEqualTo(T0.toEpochMilli() + 1001);
    }

    @Test
    void anAckIsCumulative() {
        StatusJournal j = journal(T0);
        for (int i = 0; i < 4; i++) report(j, TaskState.RUNNING);
        long s0 = T0.toEpochMilli();
        j.ack(s0 + 1);
        assertThat(j.unacked()).extracting(StatusUpdate::seq).containsExactly(s0 + 2, s0 + 3);
        j.ack(s0 + 100);
        assertThat(j.unacked()).isEmpty();
    }

    @Test
    void anUpdateIsOnDiskBeforeTheListenerHearsOfIt() {
        StatusJournal j = journal(T0);
        List<String> fileWhenTold = new ArrayList<>();
        j.listener(u -> {
            try {
                fileWhenTold.add(Files.readString(file()));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        report(j, TaskState.STAGING);
        assertThat(fileWhenTold.get(0)).contains("\"seq\":" + T0.toEpochMilli(), "\"state\":\"STAGING\"");
    }

    @Test
    void afterACrashTheUnackedUpdatesComeBackInOrderAndAckedOnesDoNot() {
        StatusJournal crashed = journal(T0);
        report(crashed, TaskState.STAGING);
        report(crashed, TaskState.FETCHING);
        report(crashed, TaskState.RUNNING);
        report(crashed, TaskState.FINISHED);
        long s0 = T0.toEpochMilli();
        crashed.ack(s0 + 1);
        // "crash": the object is abandoned, never closed

        StatusJournal reopened = journal(T0);
        assertThat(reopened.unacked()).extracting(StatusUpdate::seq).containsExactly(s0 + 2, s0 + 3);
        assertThat(reopened.unacked()).extracting(StatusUpdate::state).containsExactly(TaskState.RUNNING, TaskState.FINISHED);
        assertThat(reopened.unacked().get(1)).isEqualTo(crashed.unacked().get(1)); // the very same update, re-sent as is
        assertThat(reopened.unackedAttempts()).containsExactly("a.1");
        assertThat(reopened.lastSeq()).isEqualTo(s0 + 3);
    }

    @Test
    void aTornLastLineIsIgnoredAndCutOff() throws Exception {
        StatusJournal crashed = journal(T0);
        report(crashed, TaskState.STAGING);
        report(crashed, TaskState.RUNNING);
        // the agent died in the middle of the next append
        Files.writeString(file(), "{\"type\":\"status\",\"seq\":99999999999999,\"task", StandardOpenOption.APPEND);

        StatusJournal reopened = journal(T0);
        assertThat(reopened.unacked()).extracting(StatusUpdate::state).containsExactly(TaskState.STAGING, TaskState.RUNNING);
        report(reopened, TaskState.FINISHED);
        assertThat(reopened.unacked().get(2).seq()).isEqualTo(T0.toEpochMilli() + 2);
        assertThat(Files.readString(file())).doesNotContain("99999999999999").endsWith("\n");

        assertThat(journal(T0).unacked()).extracting(StatusUpdate::state)
                .containsExactly(TaskState.STAGING, TaskState.RUNNING, TaskState.FINISHED);
    }

    @Test
    void anUnreadableLineInTheMiddleIsSkipped() throws Exception {
        StatusJournal crashed = journal(T0);
        report(crashed, TaskState.STAGING);
        Files.writeString(file(), "not json\n", StandardOpenOption.APPEND);
        report(crashed, TaskState.RUNNING);
        assertThat(journal(T0).unacked()).extracting(StatusUpdate::state).containsExactly(TaskState.STAGING, TaskState.RUNNING);
    }

    @Test
    void acksCompactTheFileOnceItOutgrowsItsThreshold() throws Exception {
        StatusJournal j = StatusJournal.open(work, Clock.fixed(T0, ZoneOffset.UTC), Runnable::run, 4096);
        for (int i = 0; i < 100; i++) report(j, TaskState.RUNNING);
        long grown = Files.size(file());
        assertThat(grown).isGreaterThan(4096);
        j.ack(T0.toEpochMilli() + 97); // 98 of 100 acknowledged
        long compacted = Files.size(file());
        assertThat(compacted).isLessThan(1024);
        assertThat(Files.readAllLines(file())).hasSize(3); // floor + the 2 unacknowledged
        assertThat(work.resolve(StatusJournal.FILE + ".tmp")).doesNotExist();

        report(j, TaskState.FINISHED); // appends go to the new file
        StatusJournal reopened = journal(T0);
        assertThat(reopened.unacked()).extracting(StatusUpdate::seq)
                .containsExactly(T0.toEpochMilli() + 98, T0.toEpochMilli() + 99, T0.toEpochMilli() + 100);
    }

    @Test
    void afterCloseAReportFailsLoudlyInsteadOfBeingLost() {
        StatusJournal j = journal(T0);
        j.close();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> report(j, TaskState.RUNNING))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void reconnectBackoffDoublesUpToTheMaximumWithJitter() {
        Duration initial = Duration.ofMillis(100);
        Duration max = Duration.ofSeconds(2);
        Random r = new Random(1);
        for (int n = 0; n < 40; n++) {
            long base = Math.min(2000, 100L << Math.min(n, 30));
            long d = CoordinatorChannel.backoffMillis(n, initial, max, r);
            assertThat(d).isBetween(base / 2, base);
        }
    }

    @Test
    void theChannelUrlFollowsTheCoordinatorUrl() {
        var plain = CoordinatorChannel.target(java.net.URI.create("http://10.0.0.1:7070"));
        assertThat(plain.getHost()).isEqualTo("10.0.0.1");
        assertThat(plain.getPort()).isEqualTo(7070);
        assertThat(plain.isSsl()).isFalse();
        assertThat(plain.getURI()).isEqualTo("/v1/agents/channel");
        var tls = CoordinatorChannel.target(java.net.URI.create("https://coord.example/ns/"));
        assertThat(tls.getPort()).isEqualTo(443);
        assertThat(tls.isSsl()).isTrue();
        assertThat(tls.getURI()).isEqualTo("/ns/v1/agents/channel");
        assertThat(CoordinatorChannel.target(java.net.URI.create("ws://[::1]:7070")).getHost()).isEqualTo("::1");
    }

    @Test
    void overSeveralCoordinatorsTheFirstRoundIsQuickThenEachRoundBacksOff() {
        Duration initial = Duration.ofMillis(100);
        Duration max = Duration.ofSeconds(10);
        Random r = new Random(2);
        for (int failures = 1; failures <= 3; failures++)
            assertThat(CoordinatorChannel.retryDelayMillis(failures, 3, initial, max, r)).isBetween(50L, 100L);
        assertThat(CoordinatorChannel.retryDelayMillis(6, 3, initial, max, r)).isBetween(100L, 200L);
        assertThat(CoordinatorChannel.retryDelayMillis(9, 3, initial, max, r)).isBetween(200L, 400L);
        // one coordinator: plain doubling, as before
        assertThat(CoordinatorChannel.retryDelayMillis(1, 1, initial, max, r)).isBetween(50L, 100L);
        assertThat(CoordinatorChannel.retryDelayMillis(3, 1, initial, max, r)).isBetween(200L, 400L);
    }

    @Test
    void onlyAnHttpLeaderUrlIsFollowed() {
        assertThat(CoordinatorChannel.leaderUrl("http://10.0.0.2:7070")).isEqualTo("http://10.0.0.2:7070");
        assertThat(CoordinatorChannel.leaderUrl("HTTPS://leader.example/ns")).isEqualTo("HTTPS://leader.example/ns");
        assertThat(CoordinatorChannel.leaderUrl("ws://10.0.0.2:7070")).isNull();
        assertThat(CoordinatorChannel.leaderUrl("file:///etc/passwd")).isNull();
        assertThat(CoordinatorChannel.leaderUrl("http:///nohost")).isNull();
        assertThat(CoordinatorChannel.leaderUrl("not a url")).isNull();
        assertThat(CoordinatorChannel.leaderUrl("")).isNull();
        assertThat(CoordinatorChannel.leaderUrl(null)).isNull();
    }

    @Test
    void fencingKeepsTheHighestEpochAcrossRestarts() throws Exception {
        Fencing f = new Fencing(work);
        assertThat(f.highest()).isZero();
        assertThat(f.admits(0)).isTrue();
        assertThat(f.observe(3)).isTrue();
        f.persist();
        assertThat(f.admits(2)).isFalse();
        assertThat(f.admits(0)).isFalse();
        assertThat(f.admits(3)).isTrue();
        assertThat(f.observe(2)).isFalse();
        assertThat(f.highest()).isEqualTo(3);

        Fencing restarted = new Fencing(work);
        assertThat(restarted.highest()).isEqualTo(3);
        assertThat(restarted.admits(2)).isFalse();
        Files.writeString(work.resolve(Fencing.FILE), "garbage");
        assertThat(new Fencing(work).highest()).isZero();
    }
}
