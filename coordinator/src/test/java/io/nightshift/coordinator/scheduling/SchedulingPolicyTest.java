package io.nightshift.coordinator.scheduling;

import io.nightshift.api.config.Config;
import io.nightshift.api.config.ConfigException;
import io.nightshift.api.config.Setting;
import io.nightshift.coordinator.CoordinatorConfig;
import io.nightshift.coordinator.CoordinatorSettings;
import io.nightshift.coordinator.simulation.SimulationConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every knob of the scheduling core is declared once and settable wherever the core runs. */
class SchedulingPolicyTest {

    @Test
    void everyKnobIsReadFromItsDeclaration() {
        Config c = Config.defaults(SchedulingPolicy.SETTINGS)
                .with(SchedulingPolicy.OFFER_TTL, "PT45S").with(SchedulingPolicy.DECLINE_FILTER, "PT7S")
                .with(SchedulingPolicy.GANG_TIMEOUT, "PT3M").with(SchedulingPolicy.MAX_GANG_BACKOFF, "PT2H")
                .with(SchedulingPolicy.PREEMPTION, "false").with(SchedulingPolicy.MAX_PREEMPTIONS_PER_RUN, "5")
                .with(SchedulingPolicy.PREEMPTION_TOLERANCE, "0.1").with(SchedulingPolicy.MAX_PREEMPTORS_PER_CYCLE, "8")
                .with(SchedulingPolicy.PLACEMENT_CANDIDATES, "1").with(SchedulingPolicy.MAX_EXPLAINED_SHAPES, "9")
                .with(SchedulingPolicy.RESERVATIONS, "false");

        assertThat(SchedulingPolicy.from(c)).isEqualTo(new SchedulingPolicy(Duration.ofSeconds(45), Duration.ofSeconds(7),
                Duration.ofMinutes(3), Duration.ofHours(2), false, 5, 0.1, 8, 1, 9, false));
        assertThat(SchedulingPolicy.SETTINGS).hasSize(SchedulingPolicy.class.getRecordComponents().length)
                .extracting(Setting::name).allMatch(n -> n.startsWith("coordinator.scheduler."));
    }

    @Test
    void theCoordinatorDeclaresEveryKnobAndReadsIt() {
        assertThat(CoordinatorSettings.ALL).containsAll(SchedulingPolicy.SETTINGS);
        assertThat(CoordinatorConfig.defaults().scheduling()).isEqualTo(SchedulingPolicy.defaults());

        Config c = Config.defaults(CoordinatorSettings.ALL).with(SchedulingPolicy.GANG_TIMEOUT, "PT10M");
        assertThat(CoordinatorConfig.from(c).scheduling().gangTimeout()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aKnobOutOfItsBoundsIsRefusedByName() {
        assertThatThrownBy(() -> Config.defaults(SchedulingPolicy.SETTINGS).with(SchedulingPolicy.PLACEMENT_CANDIDATES, "65"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("coordinator.scheduler.placement-candidates");
    }

    @Test
    void theSimulatorTakesEveryKnobByItsSettingName() {
        var cfg = SimulationConfig.parse(Map.of("coordinator.scheduler.gang-timeout", "PT5M",
                "coordinator.scheduler.placement-candidates", "2", "preemptionTolerance", "0.2"));

        assertThat(cfg.policy().gangTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(cfg.policy().placementCandidates()).isEqualTo(2);
        assertThat(cfg.policy().preemptionTolerance()).isEqualTo(0.2);
        assertThatThrownBy(() -> SimulationConfig.parse(Map.of("coordinator.scheduler.gang-timeout", "soon")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("coordinator.scheduler.gang-timeout");
    }
}
