package io.nightshift.coordinator.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.coordinator.scheduling.DeadlineAdmission;
import io.nightshift.coordinator.scheduling.DeadlineAdmission.Decision;
import io.nightshift.coordinator.scheduling.DeadlineAdmission.Estimate;
import io.nightshift.coordinator.scheduling.DeadlineAdmission.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure parts of the diurnal scenario's nightly DAGs: admission along the DAG, the DAGs' life, the figures. */
class NightlyDagsTest {
    private static final Instant NIGHT = Instant.parse("2026-03-02T21:00:00Z"); // Monday 22:00 in Amsterdam
    private static final Instant SIX = Instant.parse("2026-03-03T05:00:00Z");   // Tuesday 06:00 in Amsterdam
    private static final List<NightlyDags.Shape> CHAIN = List.of(
            new NightlyDags.Shape("extract", 2, 3600, List.of()),
            new NightlyDags.Shape("transform", 4, 7200, List.of("extract")),
            new NightlyDags.Shape("report", 1, 1800, List.of("transform")));

    private static Estimate usual(NightlyDags.Shape s) {
        return new Estimate(Duration.ofSeconds((long) s.usualSeconds()), DeadlineAdmission.Basis.HISTORY, 10);
    }

    @Test
    void eachJobIsAdmittedFromItsUpstreamsExpectedEndAndALateDagIsRefused() {
        Map<String, Decision> fits = NightlyDags.admitAlong(CHAIN, NIGHT, SIX, NightlyDagsTest::usual, List.of(), at -> 100);
        assertThat(fits.get("extract").expectedEnd()).isEqualTo(NIGHT.plusSeconds(3600));
        assertThat(fits.get("transform").expectedStart()).isEqualTo(NIGHT.plusSeconds(3600));
        assertThat(fits.get("report").expectedEnd()).isEqualTo(NIGHT.plusSeconds(3600 + 7200 + 1800)); // 01:30 of 06:00
        assertThat(NightlyDags.worst(fits.values())).isEqualTo(Verdict.ADMITTED);

        // submitted at 02:26: the chain (3.5 h) ends at 05:56, 4 min before the deadline: less than the report's margin
        // (10 % of its estimate, at least one 5-minute step), at risk; the jobs before it have room
        Instant two = NIGHT.plus(Duration.ofHours(4)).plus(Duration.ofMinutes(26));
        Map<String, Decision> tight = NightlyDags.admitAlong(CHAIN, two, SIX, NightlyDagsTest::usual, List.of(), at -> 100);
        assertThat(tight.get("extract").verdict()).isEqualTo(Verdict.ADMITTED);
        assertThat(tight.get("report").verdict()).isEqualTo(Verdict.AT_RISK);
        assertThat(NightlyDags.worst(tight.values())).isEqualTo(Verdict.AT_RISK);

        // at 03:26 the transform, from the extract's end at 04:26, would end at 06:26: refused, though alone (2 h) it fits
        Map<String, Decision> late = NightlyDags.admitAlong(CHAIN, two.plus(Duration.ofHours(1)), SIX, NightlyDagsTest::usual,
                List.of(), at -> 100);
        assertThat(late.get("extract").verdict()).isEqualTo(Verdict.ADMITTED);
        assertThat(late.get("transform").verdict()).isEqualTo(Verdict.REFUSED);
        assertThat(late.get("transform").expectedStart()).isEqualTo(two.plus(Duration.ofHours(2)));
        assertThat(late.get("report").verdict()).isEqualTo(Verdict.REFUSED);
        assertThat(NightlyDags.worst(late.values())).isEqualTo(Verdict.REFUSED);

        // no capacity for the transform before the deadline: it is refused, and its dependant with it
        Map<String, Decision> full = NightlyDags.admitAlong(CHAIN, NIGHT, SIX, NightlyDagsTest::usual, List.of(), at -> 3);
        assertThat(full.get("transform").expectedEnd()).isNull();
        assertThat(full.get("report").verdict()).isEqualTo(Verdict.REFUSED);
        assertThat(full.get("report").reason()).contains("upstream transform");
    }

    @Test
    void aDagsJobsStartWhenTheirUpstreamsEndAndTheirRuntimesBecomeTheNamesHistory() {
        NightlyDags d = new NightlyDags(2, Instant.parse("2026-03-02T00:00:00Z"), Instant.parse("2026-03-04T00:00:00Z"), 7,
                ZoneId.of("Europe/Amsterdam"));
        assertThat(d.schedule).hasSize(2).extracting(g -> g.submitAt)
                .containsExactly(NIGHT, NIGHT.plus(NightlyDags.STAGGER)); // Tuesday night's deadline is past the end
        assertThat(d.schedule).allSatisfy(g -> assertThat(g.deadline).isEqualTo(SIX));
        assertThat(d.due(NIGHT.minusSeconds(1), 100)).isEmpty();

        List<NightlyDags.Job> ready = d.due(NIGHT, 100);
        assertThat(ready).extracting(j -> j.id).containsExactly("dag0-2026-03-02-extract");
        NightlyDags.Job extract = ready.get(0);
        NightlyDags.Shape shape = extract.shape;
        assertThat(d.estimate(extract.name, shape).basis()).isEqualTo(DeadlineAdmission.Basis.EXPECTED_RUNTIME);
        d.started(extract.id, NIGHT.plusSeconds(60));
        List<NightlyDags.Job> next = d.ended(extract.id, NIGHT.plusSeconds(60 + 2000));
        assertThat(next).extracting(j -> j.id).containsExactly("dag0-2026-03-02-transform");
        assertThat(d.estimate(extract.name, shape)).isEqualTo(new Estimate(Duration.ofSeconds(2000), DeadlineAdmission.Basis.HISTORY, 1));
        assertThat(d.ended(extract.id, NIGHT.plusSeconds(3000))).as("an ended job ends once").isEmpty();

        d.started("dag0-2026-03-02-transform", NIGHT.plusSeconds(2100));
        List<NightlyDags.Job> both = d.ended("dag0-2026-03-02-transform", NIGHT.plusSeconds(6000));
        assertThat(both).extracting(j -> j.shape.job()).containsExactly("load", "report");
    }

    @Test
    void theFiguresCountVerdictsMetDeadlinesAndTheWarningsLeadTime() {
        NightlyDags.Dag met = dag("met", Verdict.ADMITTED, SIX.minusSeconds(600), null);
        NightlyDags.Dag late = dag("late", Verdict.ADMITTED, SIX.plusSeconds(60), SIX.minus(Duration.ofMinutes(40)));
        NightlyDags.Dag close = dag("close", Verdict.AT_RISK, SIX.minusSeconds(5), SIX.minus(Duration.ofMinutes(20)));
        NightlyDags.Dag refused = dag("refused", Verdict.REFUSED, null, null);

        NightlyDags.Figures f = NightlyDags.summarize(List.of(met, late, close, refused));

        assertThat(f).isEqualTo(new NightlyDags.Figures(4, 2, 1, 1, 1, 0.5, 1, 1, 1, 2, 1, 1200, 1200));
        NightlyDags.Figures none = NightlyDags.summarize(List.of(met));
        assertThat(none.admittedMetRatio()).isEqualTo(1.0);
        assertThat(none.warned()).isZero();
        assertThat(none.leadP50Seconds()).isZero();
    }

    @Test
    void aJobWhoseRemainingEstimateRunsPastTheDeadlineWarnsItsDag() {
        NightlyDags d = new NightlyDags(1, Instant.parse("2026-03-02T00:00:00Z"), Instant.parse("2026-03-03T12:00:00Z"), 7,
                ZoneId.of("Europe/Amsterdam"));
        NightlyDags.Job extract = d.due(NIGHT, 100).get(0);
        d.started(extract.id, NIGHT);
        d.watch(NIGHT.plusSeconds(60));
        assertThat(d.schedule.get(0).warnedAt).as("hours to spare").isNull();
        // still running at 05:30: the waiting report (and load) cannot end by 06:00 at their estimates
        Instant halfPastFive = SIX.minus(Duration.ofMinutes(30));
        d.watch(halfPastFive);
        assertThat(d.schedule.get(0).warnedAt).isEqualTo(halfPastFive);
        d.watch(halfPastFive.plusSeconds(60));
        assertThat(d.schedule.get(0).warnedAt).as("the first warning counts").isEqualTo(halfPastFive);
    }

    private static NightlyDags.Dag dag(String id, Verdict verdict, Instant end, Instant warned) {
        NightlyDags.Dag d = new NightlyDags.Dag(id, NIGHT, SIX);
        d.verdict = verdict;
        d.warnedAt = warned;
        NightlyDags.Job j = new NightlyDags.Job(id + "-extract", id, CHAIN.get(0), d, 3600);
        j.endedAt = end;
        d.jobs.add(j);
        return d;
    }
}
