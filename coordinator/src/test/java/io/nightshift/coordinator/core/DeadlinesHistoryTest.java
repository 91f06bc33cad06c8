package io.nightshift.coordinator.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nightshift.coordinator.events.EventLog;
import io.nightshift.coordinator.scheduling.DeadlineAdmission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runtime history admission takes its p90 over is stored in the turn that adds to it (one document per job name,
 * bounded to {@link DeadlineAdmission#HISTORY}) and a new leader that recovers the documents estimates as the old one did.
 */
class DeadlinesHistoryTest {
    private static final Instant T0 = Instant.parse("2026-03-03T04:00:00Z");

    private final CoreLoop loop = new CoreLoop(null, new EventLog(16, 0), Clock.systemUTC());

    @AfterEach
    void close() {
        loop.close();
    }

    private Deadlines deadlines() {
        return new Deadlines(new SimpleMeterRegistry(), loop);
    }

    @Test
    void aNewLeaderRecoversTheLast50RuntimesOfEachNameFromTheStoredDocuments() {
        Deadlines leader = deadlines();
        for (int i = 1; i <= 55; i++) // 1 s .. 55 s; the first five fall out of the window
            leader.record("nightly", "n" + i + ".r1", T0.plusSeconds(i * 100L), Duration.ofMillis(i * 1000L + 250));
        leader.record("etl", "e1.r1", T0, Duration.ofSeconds(7));
        Map<String, String> stored = Map.copyOf(loop.batch().runtimes);
        assertThat(stored).containsOnlyKeys("nightly", "etl");
        assertThat(leader.history("nightly")).hasSize(DeadlineAdmission.HISTORY)
                .startsWith(Duration.ofMillis(6_250)).endsWith(Duration.ofMillis(55_250));

        Deadlines next = deadlines();
        assertThat(next.history("nightly")).as("a new leader's memory starts empty").isEmpty();
        next.recover(stored);
        assertThat(next.history("nightly")).isEqualTo(leader.history("nightly"));
        assertThat(next.history("etl")).containsExactly(Duration.ofSeconds(7));
        DeadlineAdmission.Estimate e = DeadlineAdmission.estimate(next.history("nightly"), null, null);
        assertThat(e.runs()).isEqualTo(50);
        assertThat(e.runtime()).isEqualTo(Duration.ofMillis(50_250)); // nearest-rank p90 of 6.25 s .. 55.25 s
        assertThat(e).isEqualTo(DeadlineAdmission.estimate(leader.history("nightly"), null, null));
    }

    @Test
    void aRunIsCountedOnceAndTheDocumentNamesItsRuns() {
        Deadlines d = deadlines();
        d.record("nightly", "n1.r1", T0, Duration.ofSeconds(3));
        d.record("nightly", "n1.r1", T0.plusSeconds(1), Duration.ofSeconds(4)); // the same run reported again
        d.record("nightly", "n1.r2", T0.plusSeconds(60), Duration.ofSeconds(5));
        assertThat(d.history("nightly")).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(5));
        Deadlines.Stored doc = io.nightshift.api.json.Json.read(loop.batch().runtimes.get("nightly"), Deadlines.Stored.class);
        assertThat(doc.v()).isEqualTo(1);
        assertThat(doc.id()).isEqualTo("nightly");
        assertThat(doc.runs()).containsExactly(new Deadlines.Sample("n1.r1", T0, 3.0),
                new Deadlines.Sample("n1.r2", T0.plusSeconds(60), 5.0));
    }

    @Test
    void anUnreadableDocumentIsSkippedAndTheOthersAreRecovered() {
        Deadlines d = deadlines();
        d.record("stale", "s1.r1", T0, Duration.ofSeconds(9));
        d.recover(Map.of("broken", "{\"v\":1,\"id\":\"broken\",\"runs\":[{\"seconds\":\"soon\"}]}",
                "etl", "{\"v\":1,\"id\":\"etl\",\"runs\":[{\"run\":\"e1.r1\",\"endedAt\":\"2026-03-03T04:20:00Z\",\"seconds\":7.25}]}"));
        assertThat(d.history("broken")).isEmpty();
        assertThat(d.history("stale")).as("recovery replaces what the member remembered").isEmpty();
        assertThat(d.history("etl")).isEqualTo(List.of(Duration.ofMillis(7_250)));
    }
}
