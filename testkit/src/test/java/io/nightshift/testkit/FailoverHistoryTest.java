package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.agent.channel.LaunchRecord;
import io.nightshift.coordinator.state.jdbc.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailoverHistoryTest {
    static final Instant T0 = Instant.parse("2026-12-02T02:00:00Z");
    static final Instant T1 = T0.plusSeconds(5);
    static final List<FailoverHistory.Firing> EXPECTED = List.of(new FailoverHistory.Firing("a", T0), new FailoverHistory.Firing("b", T0),
            new FailoverHistory.Firing("a", T1), new FailoverHistory.Firing("b", T1));
    static final Map<String, List<String>> EDGES = Map.of("b", List.of("a"));
    /** Epoch 1 acted from T0-10s and stepped down at T0+3s; epoch 2 acted from T0+4s. */
    static final List<Database.EpochRecord> EPOCHS = List.of(
            new Database.EpochRecord(1, "c1", T0.minusSeconds(11), T0.minusSeconds(10), "http://127.0.0.41:1", T0.plusSeconds(3), "newer epoch"),
            new Database.EpochRecord(2, "c2", T0.plusSeconds(1), T0.plusSeconds(4), "http://127.0.0.42:1", null, null));

    static String line(String job, Instant firing, long epoch, String phase, Instant at) {
        return job + " " + firing + " " + epoch + " " + phase + " " + at.toEpochMilli();
    }

    static LaunchRecord.Entry launched(String job, Instant firing, long epoch, Instant at) {
        return new LaunchRecord.Entry(at.toString(), epoch, job + "." + firing.getEpochSecond() + ".0.1", job, job + ".r", firing.toString(),
                "launched");
    }

    /** A correct history: a's firing T0 under epoch 1, the rest under epoch 2 after the failover. */
    static List<String> goodLines() {
        return new ArrayList<>(List.of(
                line("a", T0, 1, "start", T0.plusMillis(100)), line("a", T0, 1, "end", T0.plusMillis(600)),
                line("b", T0, 2, "start", T0.plusMillis(4200)), line("b", T0, 2, "end", T0.plusMillis(4700)),
                line("a", T1, 2, "start", T1.plusMillis(100)), line("a", T1, 2, "end", T1.plusMillis(500)),
                line("b", T1, 2, "start", T1.plusMillis(700)), line("b", T1, 2, "end", T1.plusMillis(900))));
    }

    static List<LaunchRecord.Entry> goodLaunches() {
        return new ArrayList<>(List.of(launched("a", T0, 1, T0.plusMillis(50)), launched("b", T0, 2, T0.plusMillis(4100)),
                launched("a", T1, 2, T1.plusMillis(50)), launched("b", T1, 2, T1.plusMillis(650))));
    }

    static List<String> check(List<String> lines, List<LaunchRecord.Entry> launches, List<Database.EpochRecord> epochs) {
        List<String> problems = new ArrayList<>();
        List<FailoverHistory.Effect> effects = FailoverHistory.parse(lines, problems);
        problems.addAll(FailoverHistory.violations(EXPECTED, EDGES, effects, launches, epochs));
        return problems;
    }

    @Test
    void aCorrectHistoryHasNoViolation() {
        assertThat(check(goodLines(), goodLaunches(), EPOCHS)).isEmpty();
    }

    @Test
    void aFiringThatRanTwiceOrNeverOrUnexpectedIsNamed() {
        List<String> lines = goodLines();
        lines.add(line("a", T1, 2, "start", T1.plusMillis(800))); // a second start: a duplicate launch after the failover
        lines.removeIf(l -> l.startsWith("b " + T1 + " 2 end"));
        lines.add(line("c", T0, 2, "start", T0.plusMillis(4300)));
        assertThat(check(lines, goodLaunches(), EPOCHS)).anyMatch(v -> v.contains("firing a@" + T1 + " started 2 time(s)"))
                .anyMatch(v -> v.contains("firing b@" + T1 + " started 1 time(s) and ended 0"))
                .anyMatch(v -> v.contains("firing c@" + T0 + " ran but was not expected"));
    }

    @Test
    void aChildThatStartedBeforeItsParentsSameFiringEndedIsAnOrderViolation() {
        // the known bug: b's firing T1 ran on a's previous firing, before a's T1 ended
        List<String> lines = goodLines();
        lines.replaceAll(l -> l.startsWith("b " + T1 + " 2 start") ? line("b", T1, 2, "start", T1.plusMillis(200)) : l);
        assertThat(check(lines, goodLaunches(), EPOCHS)).singleElement().asString()
                .contains("firing b@" + T1).contains("before its parent a ended that firing");
    }

    @Test
    void aLaunchCarriedOutUnderAnOldEpochAfterANewerOneActedIsTwoLeadersAtOnce() {
        List<LaunchRecord.Entry> launches = goodLaunches();
        launches.add(launched("a", T1, 1, T1.plusMillis(60))); // a deposed leader's launch an agent still took
        List<String> lines = goodLines();
        assertThat(check(lines, launches, EPOCHS)).singleElement().asString()
                .contains("under epoch 1 after epoch 2 began to act").contains("two leaders acted at once");
    }

    @Test
    void overlappingActingEpochsInTheStoreAndLaunchesOfAnEpochThatNeverActedAreViolations() {
        List<Database.EpochRecord> overlapping = List.of(EPOCHS.get(0),
                new Database.EpochRecord(2, "c2", T0.plusSeconds(1), T0.plusSeconds(2), "http://127.0.0.42:1", null, null),
                new Database.EpochRecord(3, "c3", T0.plusSeconds(9), null, null, null, null));
        List<LaunchRecord.Entry> launches = goodLaunches();
        launches.add(launched("a", T1, 3, T1.plusMillis(70)));
        assertThat(check(goodLines(), launches, overlapping))
                .anyMatch(v -> v.contains("epoch 2 acted from " + T0.plusSeconds(2) + " while epoch 1 still acted"))
                .anyMatch(v -> v.contains("under epoch 3, which never acted"));
    }

    @Test
    void aTaskWhoseEpochNoAgentRecordedAndAMalformedLineAreNamed() {
        List<String> lines = goodLines();
        lines.add("a garbage");
        List<LaunchRecord.Entry> launches = goodLaunches();
        launches.removeIf(l -> l.jobId().equals("b") && l.scheduledFor().equals(T0.toString()));
        assertThat(check(lines, launches, EPOCHS))
                .anyMatch(v -> v.contains("malformed side-effect line: 'a garbage'"))
                .anyMatch(v -> v.contains("firing b@" + T0 + " ran under epoch 2 but no agent recorded launching it"));
    }
}
