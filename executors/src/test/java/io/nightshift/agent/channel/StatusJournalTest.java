package io.nightshift.agent.channel;

import io.nightshift.api.protocol.AgentMessage.StatusUpdate;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private StatusJournal journal(Instant now) {
        return new StatusJournal(work.resolve("seq"), Clock.fixed(now, ZoneOffset.UTC));
    }

    private static void report(StatusJournal j, TaskState s) {
        j.report("t", "a.1", s, s.isTerminal() ? Reason.EXIT_CODE : null, s.isTerminal() ? 0 : null, "m");
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
    void seqNeverGoesBackwardsAcrossARestartEvenIfTheClockDoes() throws Exception {
        StatusJournal first = journal(T0);
        for (int i = 0; i < 5; i++) report(first, TaskState.RUNNING);
        long last = first.lastSeq();
        assertThat(Files.readString(work.resolve("seq"))).isEqualTo(Long.toString(last));
        StatusJournal restarted = journal(T0.minus(Duration.ofHours(1)));
        report(restarted, TaskState.STAGING);
        assertThat(restarted.unacked().get(0).seq()).isEqualTo(last + 1);
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
}
