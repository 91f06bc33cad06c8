package io.nightshift.coordinator.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.spec.DependencySpec;
import io.nightshift.api.spec.DependencySpec.Condition;
import io.nightshift.api.state.JobState;
import io.nightshift.coordinator.schedules.DependencyStep.Kind;
import io.nightshift.coordinator.schedules.DependencyStep.UpstreamRun;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DependencyStepTest {
    static final ZoneId AMS = ZoneId.of("Europe/Amsterdam");
    static final Instant TONIGHT = Instant.parse("2026-06-02T00:30:00Z");     // 02:30 CEST on June 2
    static final Instant YESTERDAY = Instant.parse("2026-06-01T00:30:00Z");

    static UpstreamRun run(String id, Instant t, JobState s) {
        return new UpstreamRun(id, t, s);
    }

    @Test
    void waitsUntilTheUpstreamRunHasEndedThenGoes() {
        List<DependencySpec> after = List.of(DependencySpec.on("etl"));
        assertThat(DependencyStep.decide(after, TONIGHT, AMS, Map.of()).kind()).isEqualTo(Kind.WAIT);
        var running = DependencyStep.decide(after, TONIGHT, AMS, Map.of("etl", List.of(run("etl.r2", TONIGHT, JobState.RUNNING))));
        assertThat(running.kind()).isEqualTo(Kind.WAIT);
        assertThat(running.why()).contains("etl.r2").contains("RUNNING");
        assertThat(DependencyStep.decide(after, TONIGHT, AMS, Map.of("etl", List.of(run("etl.r2", TONIGHT, JobState.SUCCEEDED))))
                .kind()).isEqualTo(Kind.GO);
    }

    @Test
    void aFailedUpstreamMarksTheRunUpstreamFailedUnlessItAsksForFailedOrEnded() {
        Map<String, List<UpstreamRun>> failed = Map.of("etl", List.of(run("etl.r2", TONIGHT, JobState.FAILED)));
        var v = DependencyStep.decide(List.of(DependencySpec.on("etl")), TONIGHT, AMS, failed);
        assertThat(v.kind()).isEqualTo(Kind.UPSTREAM_FAILED);
        assertThat(v.why()).contains("etl.r2").contains("FAILED").contains("SUCCEEDED");
        assertThat(DependencyStep.decide(List.of(new DependencySpec("etl", Condition.FAILED, false)), TONIGHT, AMS, failed).kind())
                .isEqualTo(Kind.GO);
        assertThat(DependencyStep.decide(List.of(new DependencySpec("etl", Condition.ENDED, false)), TONIGHT, AMS,
                Map.of("etl", List.of(run("etl.r2", TONIGHT, JobState.UPSTREAM_FAILED)))).kind()).isEqualTo(Kind.GO);
    }

    @Test
    void sameDayWaitsForTheUpstreamRunOfItsOwnDayNotYesterdays() {
        List<DependencySpec> after = List.of(new DependencySpec("etl", Condition.SUCCEEDED, true));
        Map<String, List<UpstreamRun>> onlyYesterday = Map.of("etl", List.of(run("etl.r1", YESTERDAY, JobState.SUCCEEDED)));
        var v = DependencyStep.decide(after, TONIGHT, AMS, onlyYesterday);
        assertThat(v.kind()).isEqualTo(Kind.WAIT);
        assertThat(v.why()).contains("2026-06-02");
        assertThat(DependencyStep.decide(List.of(DependencySpec.on("etl")), TONIGHT, AMS, onlyYesterday).kind()).isEqualTo(Kind.GO);
        Map<String, List<UpstreamRun>> both = Map.of("etl", List.of(run("etl.r2", TONIGHT, JobState.SUCCEEDED),
                run("etl.r1", YESTERDAY, JobState.FAILED)));
        assertThat(DependencyStep.decide(after, TONIGHT, AMS, both).kind()).isEqualTo(Kind.GO);
    }

    @Test
    void aCycleIsNamedAndADiamondIsNot() {
        Map<String, List<String>> known = Map.of("b", List.of("c"), "c", List.of("a"), "d", List.of("b", "c"));
        assertThat(DependencyStep.cycle("a", List.of("b"), j -> known.getOrDefault(j, List.of()))).isEqualTo("a → b → c → a");
        assertThat(DependencyStep.cycle("e", List.of("d", "b"), j -> known.getOrDefault(j, List.of()))).isNull();
        assertThat(DependencyStep.cycle("z", List.of("unknown"), j -> known.getOrDefault(j, List.of()))).isNull();
    }
}
