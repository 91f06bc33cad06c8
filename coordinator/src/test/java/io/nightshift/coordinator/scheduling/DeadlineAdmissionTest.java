package io.nightshift.coordinator.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.coordinator.scheduling.DeadlineAdmission.Basis;
import io.nightshift.coordinator.scheduling.DeadlineAdmission.Decision;
import io.nightshift.coordinator.scheduling.DeadlineAdmission.Estimate;
import io.nightshift.coordinator.scheduling.DeadlineAdmission.Verdict;
import io.nightshift.coordinator.scheduling.DeadlineAdmission.Work;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadlineAdmissionTest {
    private static final Instant NOW = Instant.parse("2026-03-02T01:00:00Z");
    private static final Instant SIX = Instant.parse("2026-03-02T06:00:00Z");

    private static Duration min(long m) {
        return Duration.ofMinutes(m);
    }

    private static Estimate est(long minutes) {
        return new Estimate(min(minutes), Basis.EXPECTED_RUNTIME, 0);
    }

    @Test
    void theEstimateIsTheP90OfTheLastFiftySuccessfulRunsElseExpectedElseMax() {
        List<Duration> runs = new ArrayList<>();
        for (int i = 0; i < 10; i++) runs.add(Duration.ofDays(1)); // older than the last 50: ignored
        for (int i = 1; i <= 50; i++) runs.add(min(i));             // 1..50 minutes
        Estimate e = DeadlineAdmission.estimate(runs, min(5), min(90));
        // nearest rank: ceil(0.9 × 50) = 45th smallest of 1..50
        assertThat(e).isEqualTo(new Estimate(min(45), Basis.HISTORY, 50));

        assertThat(DeadlineAdmission.estimate(List.of(min(7)), null, null)).isEqualTo(new Estimate(min(7), Basis.HISTORY, 1));
        assertThat(DeadlineAdmission.estimate(List.of(), min(5), min(90))).isEqualTo(new Estimate(min(5), Basis.EXPECTED_RUNTIME, 0));
        assertThat(DeadlineAdmission.estimate(List.of(), null, min(90))).isEqualTo(new Estimate(min(90), Basis.MAX_RUNTIME, 0));
        assertThat(DeadlineAdmission.estimate(List.of(), null, null)).isEqualTo(new Estimate(null, Basis.NONE, 0));
    }

    @Test
    void anIdleClusterAdmitsARunThatEndsWellBeforeItsDeadline() {
        Decision d = DeadlineAdmission.decide(NOW, 0, SIX, 2, est(60), List.of(), t -> 8);

        assertThat(d.verdict()).isEqualTo(Verdict.ADMITTED);
        assertThat(d.expectedStart()).isEqualTo(NOW);
        assertThat(d.expectedEnd()).isEqualTo(NOW.plus(min(60)));
        assertThat(d.reason()).contains("PT4H before the deadline");
    }

    @Test
    void workAheadDrainsThroughTheIdleCpusBeforeTheRunStarts() {
        // 4 cpus idle; ahead: 4 cpus × 3 h of a higher priority = 4 cpu-hours drained by 04:00, + 2 h of ours = 06:00 sharp
        List<Work> others = List.of(new Work(5, null, 4, Duration.ofHours(3)));
        Decision tight = DeadlineAdmission.decide(NOW, 0, SIX, 4, est(120), others, t -> 4);
        assertThat(tight.aheadCpuSeconds()).isEqualTo(4 * 3 * 3600.0);
        assertThat(tight.expectedStart()).isEqualTo(Instant.parse("2026-03-02T04:00:00Z"));
        assertThat(tight.verdict()).as("no room to spare").isEqualTo(Verdict.AT_RISK);

        Decision late = DeadlineAdmission.decide(NOW, 0, SIX, 4, est(121), others, t -> 4);
        assertThat(late.verdict()).isEqualTo(Verdict.REFUSED);
        assertThat(late.reason()).contains("PT1M after the deadline");

        assertThat(DeadlineAdmission.decide(NOW, 0, SIX, 4, est(60), others, t -> 4).verdict()).isEqualTo(Verdict.ADMITTED);
    }

    @Test
    void theReasonGivesWholeSecondsWhenTheClockHasNanoseconds() {
        Instant now = NOW.plusNanos(388_160_724);
        Decision late = DeadlineAdmission.decide(now, 0, NOW.plusSeconds(3), 1, est(60), List.of(), t -> 4);
        assertThat(late.verdict()).isEqualTo(Verdict.REFUSED);
        assertThat(late.reason()).doesNotContain(".388").contains("PT59M57S after the deadline");
    }

    @Test
    void onlyHigherPriorityOrEarlierDeadlinesQueueAhead() {
        List<Work> others = List.of(
                new Work(-1, null, 8, Duration.ofHours(10)),                          // lower priority
                new Work(0, SIX.plusSeconds(1), 8, Duration.ofHours(10)),            // same priority, later deadline
                new Work(0, null, 8, Duration.ofHours(10)),                           // same priority, no deadline
                new Work(0, SIX, 1, Duration.ofHours(1)));                            // same priority, same deadline: ahead
        Decision d = DeadlineAdmission.decide(NOW, 0, SIX, 1, est(30), others, t -> 1);
        assertThat(d.aheadCpuSeconds()).isEqualTo(3600.0);
        assertThat(d.expectedStart()).isEqualTo(NOW.plus(Duration.ofHours(1)));
        assertThat(d.verdict()).isEqualTo(Verdict.ADMITTED);
    }

    @Test
    void theForecastDecidesWhenCapacityOpens() {
        // nothing idle until the night window opens at 03:00, then 16 cpus
        Instant three = Instant.parse("2026-03-02T03:00:00Z");
        DeadlineAdmission.IdleCpus night = t -> t.isBefore(three) ? 0 : 16;

        Decision fits = DeadlineAdmission.decide(NOW, 0, SIX, 8, est(120), List.of(), night);
        assertThat(fits.expectedStart()).isEqualTo(three);
        assertThat(fits.verdict()).isEqualTo(Verdict.ADMITTED);

        Decision tooWide = DeadlineAdmission.decide(NOW, 0, SIX, 32, est(10), List.of(), night);
        assertThat(tooWide.verdict()).isEqualTo(Verdict.REFUSED);
        assertThat(tooWide.expectedStart()).isNull();
        assertThat(tooWide.reason()).contains("32.00 cpus are not forecast free");
    }

    @Test
    void withoutAnEstimateARunIsAtRiskAndAPassedDeadlineIsRefused() {
        Decision none = DeadlineAdmission.decide(NOW, 0, SIX, 1, new Estimate(null, Basis.NONE, 0), List.of(), t -> 4);
        assertThat(none.verdict()).isEqualTo(Verdict.AT_RISK);
        assertThat(none.reason()).startsWith("no runtime estimate");

        assertThat(DeadlineAdmission.decide(SIX, 0, SIX, 1, est(1), List.of(), t -> 4).verdict()).isEqualTo(Verdict.REFUSED);
    }

    @Test
    void aRunIsAtRiskBeforeItMissesAndMissedAfter() {
        Duration hour = Duration.ofHours(1);
        Instant four = Instant.parse("2026-03-02T04:00:00Z");
        // waiting at 04:00 with an hour to run: ends 05:00, on track; waiting at 05:01: ends 06:01, at risk
        assertThat(DeadlineAdmission.standing(four, SIX, hour, null)).isEqualTo(DeadlineAdmission.Standing.ON_TRACK);
        assertThat(DeadlineAdmission.standing(four.plus(min(61)), SIX, hour, null)).isEqualTo(DeadlineAdmission.Standing.AT_RISK);
        // started at 05:10: at 05:20 it has 50 minutes left, to 06:10
        Instant started = Instant.parse("2026-03-02T05:10:00Z");
        assertThat(DeadlineAdmission.standing(started.plus(min(10)), SIX, hour, started)).isEqualTo(DeadlineAdmission.Standing.AT_RISK);
        // started at 04:30: at 05:00 it has 30 minutes left; past its estimate it counts as about to end
        Instant early = Instant.parse("2026-03-02T04:30:00Z");
        assertThat(DeadlineAdmission.standing(early.plus(min(30)), SIX, hour, early)).isEqualTo(DeadlineAdmission.Standing.ON_TRACK);
        assertThat(DeadlineAdmission.standing(early.plus(min(80)), SIX, hour, early)).isEqualTo(DeadlineAdmission.Standing.ON_TRACK);
        assertThat(DeadlineAdmission.standing(SIX.plusSeconds(1), SIX, hour, early)).isEqualTo(DeadlineAdmission.Standing.MISSED);
        assertThat(DeadlineAdmission.standing(four, SIX, null, null)).as("no estimate").isEqualTo(DeadlineAdmission.Standing.ON_TRACK);
    }
}
