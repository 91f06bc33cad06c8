package io.nightshift.coordinator.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.model.ScheduleState;
import io.nightshift.api.spec.ScheduleSpec;
import io.nightshift.api.spec.ScheduleSpec.Concurrency;
import io.nightshift.api.spec.ScheduleSpec.Missed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The firing decision on a fake clock: a cron every minute, a leader that ticks (or was down). */
class ScheduleStepTest {
    static final Instant T0 = Instant.parse("2026-06-01T10:00:30Z");
    static final ScheduleSpec EVERY_MINUTE = ScheduleSpec.cron("* * * * *", "UTC");

    /** A leader that ticks every {@code tick} from {@code from} to {@code to}; runs end at once. Returns the started times. */
    static List<Instant> tickThrough(ScheduleSpec spec, Instant from, Instant to, Duration tick) {
        FireTimes times = FireTimes.of(spec);
        ScheduleState s = ScheduleStep.initial(spec, times, from);
        List<Instant> started = new ArrayList<>();
        for (Instant now = from; !now.isAfter(to); now = now.plus(tick)) {
            ScheduleStep.Decision d = ScheduleStep.decide(spec, times, s, now, false);
            s = d.state();
            if (d.start() != null) started.add(d.start());
        }
        return started;
    }

    @Test
    void aLeaderTickingEverySecondFiresEachMinuteOnceOnTime() {
        List<Instant> started = tickThrough(EVERY_MINUTE, T0, T0.plus(Duration.ofMinutes(5)), Duration.ofSeconds(1));
        assertThat(started).containsExactly(Instant.parse("2026-06-01T10:01:00Z"), Instant.parse("2026-06-01T10:02:00Z"),
                Instant.parse("2026-06-01T10:03:00Z"), Instant.parse("2026-06-01T10:04:00Z"), Instant.parse("2026-06-01T10:05:00Z"));
    }

    @Test
    void afterADowntimeOfSeveralPeriodsRunOnceFiresOneRunForTheLatestMissedTime() {
        FireTimes times = FireTimes.of(EVERY_MINUTE);
        ScheduleState s = ScheduleStep.initial(EVERY_MINUTE, times, T0);
        Instant back = Instant.parse("2026-06-01T10:10:30Z"); // down 10 minutes: 10:01..10:10 due, 10:10 is on time
        ScheduleStep.Decision d = ScheduleStep.decide(EVERY_MINUTE, times, s, back, false);
        assertThat(d.start()).isEqualTo(Instant.parse("2026-06-01T10:10:00Z"));
        assertThat(d.skipped()).isEqualTo(9);
        assertThat(d.state().cursor()).isEqualTo(Instant.parse("2026-06-01T10:10:00Z"));
        assertThat(d.state().nextFireAt()).isEqualTo(Instant.parse("2026-06-01T10:11:00Z"));
        // a second look at the same moment decides nothing more: idempotent
        ScheduleStep.Decision again = ScheduleStep.decide(EVERY_MINUTE, times, d.state(), back, false);
        assertThat(again.start()).isNull();
        assertThat(again.state()).isEqualTo(d.state());
    }

    @Test
    void runOnceWithNoOnTimeFiringRunsTheLatestMissedOne() {
        FireTimes times = FireTimes.of(EVERY_MINUTE);
        ScheduleState s = ScheduleStep.initial(EVERY_MINUTE, times, T0);
        ScheduleStep.Decision d = ScheduleStep.decide(EVERY_MINUTE, times, s, Instant.parse("2026-06-01T10:10:05Z")
                .plus(Duration.ofMinutes(1)).minusSeconds(4), false); // 10:11:01: 10:11 on time
        assertThat(d.start()).isEqualTo(Instant.parse("2026-06-01T10:11:00Z"));
        ScheduleSpec strict = EVERY_MINUTE.withMissed(Missed.RUN_ONCE, 10, Duration.ofSeconds(5));
        ScheduleStep.Decision late = ScheduleStep.decide(strict, times, ScheduleStep.initial(strict, times, T0),
                Instant.parse("2026-06-01T10:05:30Z"), false);
        assertThat(late.start()).isEqualTo(Instant.parse("2026-06-01T10:05:00Z"));
        assertThat(late.skipped()).isEqualTo(4);
    }

    @Test
    void skipDropsEveryMissedTimeAndWaitsForTheNextOne() {
        ScheduleSpec skip = EVERY_MINUTE.withMissed(Missed.SKIP, 10, Duration.ofSeconds(5));
        FireTimes times = FireTimes.of(skip);
        ScheduleStep.Decision d = ScheduleStep.decide(skip, times, ScheduleStep.initial(skip, times, T0),
                Instant.parse("2026-06-01T10:05:30Z"), false);
        assertThat(d.start()).isNull();
        assertThat(d.skipped()).isEqualTo(5);
        assertThat(d.state().nextFireAt()).isEqualTo(Instant.parse("2026-06-01T10:06:00Z"));
    }

    @Test
    void runAllRunsEveryMissedTimeOldestFirstOneAfterAnotherUpToTheCap() {
        ScheduleSpec all = EVERY_MINUTE.withMissed(Missed.RUN_ALL, 3, Duration.ofSeconds(5));
        FireTimes times = FireTimes.of(all);
        Instant back = Instant.parse("2026-06-01T10:05:30Z");
        ScheduleStep.Decision d = ScheduleStep.decide(all, times, ScheduleStep.initial(all, times, T0), back, false);
        assertThat(d.start()).isEqualTo(Instant.parse("2026-06-01T10:01:00Z"));
        assertThat(d.skipped()).isEqualTo(2);   // 10:04 and 10:05 beyond the cap of 3
        assertThat(d.state().owed()).containsExactly(Instant.parse("2026-06-01T10:02:00Z"), Instant.parse("2026-06-01T10:03:00Z"));
        ScheduleStep.Decision whileRunning = ScheduleStep.decide(all, times, d.state(), back.plusSeconds(1), true);
        assertThat(whileRunning.start()).isNull();
        ScheduleStep.Decision next = ScheduleStep.decide(all, times, whileRunning.state(), back.plusSeconds(2), false);
        assertThat(next.start()).isEqualTo(Instant.parse("2026-06-01T10:02:00Z"));
    }

    @Test
    void forbidKeepsAFiringWaitingWhileARunGoesAndDropsTheOldestBeyondTheCap() {
        ScheduleSpec forbid = EVERY_MINUTE.withMissed(Missed.RUN_ONCE, 1, Duration.ofMinutes(1));
        FireTimes times = FireTimes.of(forbid);
        ScheduleState s = ScheduleStep.initial(forbid, times, T0);
        ScheduleStep.Decision d1 = ScheduleStep.decide(forbid, times, s, Instant.parse("2026-06-01T10:01:01Z"), true);
        assertThat(d1.start()).isNull();
        assertThat(d1.state().owed()).containsExactly(Instant.parse("2026-06-01T10:01:00Z"));
        ScheduleStep.Decision d2 = ScheduleStep.decide(forbid, times, d1.state(), Instant.parse("2026-06-01T10:02:01Z"), true);
        assertThat(d2.state().owed()).containsExactly(Instant.parse("2026-06-01T10:02:00Z"));
        assertThat(d2.skipped()).isEqualTo(1);
        ScheduleStep.Decision d3 = ScheduleStep.decide(forbid, times, d2.state(), Instant.parse("2026-06-01T10:02:30Z"), false);
        assertThat(d3.start()).isEqualTo(Instant.parse("2026-06-01T10:02:00Z"));
        assertThat(d3.state().fired()).isEqualTo(1);
        assertThat(d3.state().skipped()).isEqualTo(1);
    }

    @Test
    void replaceAsksToKillTheRunningRunOnlyWhenANewFiringComes() {
        ScheduleSpec replace = EVERY_MINUTE.withConcurrency(Concurrency.REPLACE);
        FireTimes times = FireTimes.of(replace);
        ScheduleState s = ScheduleStep.initial(replace, times, T0);
        ScheduleStep.Decision d1 = ScheduleStep.decide(replace, times, s, Instant.parse("2026-06-01T10:01:01Z"), true);
        assertThat(d1.replaceRunning()).isTrue();
        assertThat(d1.start()).isNull();
        ScheduleStep.Decision d2 = ScheduleStep.decide(replace, times, d1.state(), Instant.parse("2026-06-01T10:01:02Z"), true);
        assertThat(d2.replaceRunning()).isFalse();   // kill already asked; waiting for the run to end
        ScheduleStep.Decision d3 = ScheduleStep.decide(replace, times, d2.state(), Instant.parse("2026-06-01T10:01:03Z"), false);
        assertThat(d3.start()).isEqualTo(Instant.parse("2026-06-01T10:01:00Z"));
    }

    @Test
    void pausedDecidesNothingAndResumeSkipsTheTimesThatPassed() {
        FireTimes times = FireTimes.of(EVERY_MINUTE);
        ScheduleState paused = ScheduleStep.pause(ScheduleStep.initial(EVERY_MINUTE, times, T0));
        ScheduleStep.Decision d = ScheduleStep.decide(EVERY_MINUTE, times, paused, Instant.parse("2026-06-01T10:05:10Z"), false);
        assertThat(d.start()).isNull();
        assertThat(d.state()).isEqualTo(paused);
        ScheduleState resumed = ScheduleStep.resume(paused, times, Instant.parse("2026-06-01T10:05:10Z"));
        assertThat(resumed.nextFireAt()).isEqualTo(Instant.parse("2026-06-01T10:06:00Z"));
        assertThat(ScheduleStep.decide(EVERY_MINUTE, times, resumed, Instant.parse("2026-06-01T10:05:20Z"), false).start()).isNull();
    }

    @Test
    void anAtInThePastAtSubmitFiresAtOnceAndThenTheScheduleIsExhausted() {
        ScheduleSpec at = ScheduleSpec.at(T0.minusSeconds(10));
        FireTimes times = FireTimes.of(at);
        ScheduleStep.Decision d = ScheduleStep.decide(at, times, ScheduleStep.initial(at, times, T0), T0, false);
        assertThat(d.start()).isEqualTo(T0.minusSeconds(10));
        assertThat(d.exhausted()).isFalse();
        ScheduleStep.Decision after = ScheduleStep.decide(at, times, d.state(), T0.plusSeconds(1), false);
        assertThat(after.start()).isNull();
        assertThat(after.exhausted()).isTrue();
    }

    @Test
    void aWeekDownOfAnEverySecondScheduleIsDecidedInBoundedWork() {
        ScheduleSpec fast = ScheduleSpec.cron("* * * * * ?", "UTC").withSyntax(ScheduleSpec.CronSyntax.QUARTZ)
                .withMissed(Missed.RUN_ONCE, 10, Duration.ofSeconds(5));
        FireTimes times = FireTimes.of(fast);
        Instant back = T0.plus(Duration.ofDays(7));
        ScheduleStep.Decision d = ScheduleStep.decide(fast, times, ScheduleStep.initial(fast, times, T0), back, false);
        assertThat(d.start()).isEqualTo(back.minusSeconds(5));   // the oldest of the six on time (missedAfter 5 s)
        assertThat(d.state().owed()).hasSize(5);
        assertThat(d.skipped()).isGreaterThanOrEqualTo(ScheduleStep.MAX_WALK - 1);
        assertThat(d.state().cursor()).isEqualTo(back);
    }
}
