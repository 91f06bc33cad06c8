package io.nightshift.coordinator.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A day (Monday: the end of the weekend's window, a working day, the start of the night) of the diurnal scenario on
 * ten machines, smaller than the week docs/benchmarks.md reports: the night's idle capacity goes to batch, the
 * owners' headroom is never violated for longer than the grace period, and lending beats the static share of machines.
 */
class DiurnalScenarioTest {

    @Test
    void lentNightCapacityIsUsedReclaimedInTimeAndBeatsStaticPartitioning(@TempDir Path out) {
        DiurnalScenario.Result r = DiurnalScenario.run(DiurnalScenario.Options.parse(Map.of("days", "1", "agentsPerPool", "5",
                "out", out.toString())));

        DiurnalScenario.Figures ns = r.nightshift();
        assertThat(ns.nightIdleUsed().get("all")).isGreaterThanOrEqualTo(0.9);
        assertThat(ns.violationsOverGrace()).isZero();
        assertThat(ns.violationMaxSeconds()).isLessThanOrEqualTo(60);
        assertThat(ns.revocations()).as("night spikes and window ends revoke").isPositive();
        assertThat(r.throughputRatio()).isGreaterThanOrEqualTo(2.0);
        assertThat(r.staticPartitioning().violations()).isZero();
        assertThat(ns.adhocFinished()).isPositive();
        assertThat(r.targets()).containsValues(true).doesNotContainValue(false);
        assertThat(r.charts()).containsExactly("diurnal-office.png", "diurnal-office.svg", "diurnal-shop.png", "diurnal-shop.svg");
        assertThat(out.resolve("diurnal-office.svg")).content().contains("<svg").contains("<path");
        assertThat(out.resolve("diurnal.json")).content().contains("\"throughputRatio\"").contains("\"static\"");
    }

    /** Two days: Monday night's DAGs with their Tuesday 06:00 deadline, admitted and run on the same core. */
    @Test
    void nightlyDagsAreAdmittedAtSubmitAndTheAdmittedMeetTheirDeadline() {
        DiurnalScenario.Result r = DiurnalScenario.run(DiurnalScenario.Options.parse(Map.of("days", "2", "agentsPerPool", "5",
                "step", "PT60S", "cycleEvery", "PT60S", "dags", "8")));

        DiurnalScenario.DeadlineFigures d = r.deadlines();
        assertThat(d.dags()).isEqualTo(8);
        assertThat(d.admitted() + d.atRisk() + d.refused()).isEqualTo(8);
        assertThat(d.admitted()).isPositive();
        assertThat(d.admittedMetRatio()).isGreaterThanOrEqualTo(0.99);
        assertThat(r.targets()).containsEntry("deadlinesMet>=0.99", true);
        assertThat(r.toJson()).contains("\"deadlines\"").contains("\"leadP50Seconds\"");
        assertThat(DiurnalScenario.run(DiurnalScenario.Options.parse(Map.of("days", "2", "agentsPerPool", "5", "step", "PT60S",
                "cycleEvery", "PT60S", "dags", "0"))).deadlines().dags()).as("dags=0: none").isZero();
    }

    @Test
    void theSameSeedGivesTheSameFigures() {
        var o = DiurnalScenario.Options.parse(Map.of("days", "1", "agentsPerPool", "5", "step", "PT60S", "cycleEvery", "PT60S"));
        assertThat(DiurnalScenario.run(o).nightshift()).isEqualTo(DiurnalScenario.run(o).nightshift());
    }

    @Test
    void unknownOptionsAndBadValuesNameTheKey() {
        assertThatThrownBy(() -> DiurnalScenario.Options.parse(Map.of("agents", "5"))).hasMessageContaining("'agents'")
                .hasMessageContaining("agentsPerPool");
        assertThatThrownBy(() -> DiurnalScenario.Options.parse(Map.of("step", "10"))).hasMessageContaining("step");
        assertThatThrownBy(() -> DiurnalScenario.Options.parse(Map.of("staticShare", "1.5"))).hasMessageContaining("staticShare");
    }
}
