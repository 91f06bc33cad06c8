package io.nightshift.coordinator.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.model.ScheduleState;
import io.nightshift.api.spec.DependencySpec;
import io.nightshift.api.spec.DependencySpec.Condition;
import io.nightshift.api.spec.ScheduleSpec;
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

    // A parent firing hourly at :00 and a child at :30, both Amsterdam; the child's firing of 02:30 CEST (TONIGHT).
    static final ScheduleSpec HOURLY = ScheduleSpec.cron("0 * * * *", "Europe/Amsterdam");
    static final FireTimes PARENT = FireTimes.of(HOURLY);
    static final Instant PARENT_0100 = Instant.parse("2026-06-01T23:00:00Z");
    static final Instant PARENT_0200 = Instant.parse("2026-06-02T00:00:00Z");
    static final Instant PARENT_0300 = Instant.parse("2026-06-02T01:00:00Z");

    /** The parent's standing at {@code decidedUpTo}, having decided everything due by then (no run going). */
    static ScheduleState parentAt(Instant decidedUpTo) {
        ScheduleState s = ScheduleStep.initial(HOURLY, PARENT, PARENT_0100.minusSeconds(60));
        return ScheduleStep.decide(HOURLY, PARENT, s, decidedUpTo, false).state();
    }

    static DependencyStep.Verdict child(Map<String, List<UpstreamRun>> runs, ScheduleState parent) {
        return DependencyStep.decide(List.of(DependencySpec.on("etl")), TONIGHT, true, AMS, runs, Map.of("etl", parent));
    }

    @Test
    void aScheduledChildWaitsForTheParentsFiringDueByItsTimeNotThePreviousOne() {
        // failover: the leader went down after the parent's 01:00 firing; the child's 02:30 comes up before the
        // parent's 02:00 is walked (the parent's standing still says next 02:00)
        Map<String, List<UpstreamRun>> only0100 = Map.of("etl", List.of(run("etl.r1", PARENT_0100, JobState.SUCCEEDED)));
        ScheduleState delayed = parentAt(PARENT_0100);
        assertThat(delayed.nextFireAt()).isEqualTo(PARENT_0200);
        var v = child(only0100, delayed);
        assertThat(v.kind()).isEqualTo(Kind.WAIT);   // today's code went ahead on etl.r1 (01:00)
        assertThat(v.why()).contains("etl").contains(PARENT_0200.toString());
        // the parent fires 02:00 (same turn or later): the child waits for that run, then goes
        ScheduleState fired = parentAt(TONIGHT);
        assertThat(fired.nextFireAt()).isEqualTo(PARENT_0300);
        assertThat(child(Map.of("etl", List.of(run("etl.r2", PARENT_0200, JobState.RUNNING), run("etl.r1", PARENT_0100,
                JobState.SUCCEEDED))), fired).kind()).isEqualTo(Kind.WAIT);
        assertThat(child(Map.of("etl", List.of(run("etl.r2", PARENT_0200, JobState.FAILED), run("etl.r1", PARENT_0100,
                JobState.SUCCEEDED))), fired).kind()).isEqualTo(Kind.UPSTREAM_FAILED);
        assertThat(child(Map.of("etl", List.of(run("etl.r2", PARENT_0200, JobState.SUCCEEDED), run("etl.r1", PARENT_0100,
                JobState.FAILED))), fired).kind()).isEqualTo(Kind.GO);
    }

    @Test
    void aFiringTheParentsForbidPolicyHoldsBackIsWaitedForAndALaterFiringDoesNotCount() {
        // the parent's 01:00 run is still going at 02:00: forbid keeps 02:00 owed
        ScheduleState held = ScheduleStep.decide(HOURLY, PARENT, parentAt(PARENT_0100), TONIGHT, true).state();
        assertThat(held.owed()).containsExactly(PARENT_0200);
        var v = child(Map.of("etl", List.of(run("etl.r1", PARENT_0100, JobState.SUCCEEDED))), held);
        assertThat(v.kind()).isEqualTo(Kind.WAIT);
        assertThat(v.why()).contains(PARENT_0200.toString());
        // the parent ran ahead to 03:00 (which failed) before the child decided: its 02:00 run is the one that counts
        ScheduleState ahead = parentAt(PARENT_0300);
        assertThat(child(Map.of("etl", List.of(run("etl.r3", PARENT_0300, JobState.FAILED), run("etl.r2", PARENT_0200,
                JobState.SUCCEEDED))), ahead).kind()).isEqualTo(Kind.GO);
    }

    @Test
    void anUnscheduledOrPausedParentOrAManualChildRunKeepsTheLatestRun() {
        Map<String, List<UpstreamRun>> only0100 = Map.of("etl", List.of(run("etl.r1", PARENT_0100, JobState.SUCCEEDED)));
        ScheduleState delayed = parentAt(PARENT_0100);
        List<DependencySpec> after = List.of(DependencySpec.on("etl"));
        assertThat(DependencyStep.decide(after, TONIGHT, true, AMS, only0100, Map.of()).kind()).isEqualTo(Kind.GO);
        assertThat(DependencyStep.decide(after, TONIGHT, false, AMS, only0100, Map.of("etl", delayed)).kind()).isEqualTo(Kind.GO);
        assertThat(child(only0100, ScheduleStep.pause(delayed)).kind()).isEqualTo(Kind.GO);
        // a skipped firing (missed-run policy) is owed no more: the newest run before the child's time counts
        ScheduleState skipped = ScheduleStep.decide(HOURLY.withMissed(ScheduleSpec.Missed.SKIP, 10, java.time.Duration.ofMinutes(1)),
                PARENT, delayed, TONIGHT, false).state();
        assertThat(skipped.owed()).isEmpty();
        assertThat(child(only0100, skipped).kind()).isEqualTo(Kind.GO);
    }

    @Test
    void aCycleIsNamedAndADiamondIsNot() {
        Map<String, List<String>> known = Map.of("b", List.of("c"), "c", List.of("a"), "d", List.of("b", "c"));
        assertThat(DependencyStep.cycle("a", List.of("b"), j -> known.getOrDefault(j, List.of()))).isEqualTo("a → b → c → a");
        assertThat(DependencyStep.cycle("e", List.of("d", "b"), j -> known.getOrDefault(j, List.of()))).isNull();
        assertThat(DependencyStep.cycle("z", List.of("unknown"), j -> known.getOrDefault(j, List.of()))).isNull();
    }
}
