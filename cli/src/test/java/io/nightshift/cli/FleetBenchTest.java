package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FleetBenchTest {
    @Test
    void readsUserAndSystemTicksOfAProcStatLineWhoseNameHoldsSpacesAndParentheses() {
        String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 123 0 0 0 1234 567 0 0 20 0 42 0 100 0 0";
        assertThat(FleetBench.cpuSecondsOfStat(stat)).isCloseTo(18.01, within(1e-9));
    }

    @Test
    void readsATimersSumCountAndMaxFromPrometheusText() {
        String metrics = """
                # HELP nightshift_eventloop_delay_seconds How much later
                nightshift_eventloop_delay_seconds{quantile="0.5"} 0.001
                nightshift_eventloop_delay_seconds_count 40.0
                nightshift_eventloop_delay_seconds_sum 0.2
                nightshift_eventloop_delay_seconds_max 0.05
                nightshift_core_delay_seconds_count 10.0
                """;
        FleetBench.Delay loop = FleetBench.delay(metrics, "nightshift_eventloop_delay_seconds");
        assertThat(loop.count()).isEqualTo(40.0);
        assertThat(loop.maxSeconds()).isEqualTo(0.05);
        assertThat(loop.meanMsSince(new FleetBench.Delay(0.1, 20, 0))).isCloseTo(5.0, within(1e-9));
        assertThat(FleetBench.delay(metrics, "nightshift_core_delay_seconds").sumSeconds()).isZero();
        assertThat(FleetBench.delay(metrics, "absent").meanMsSince(FleetBench.Delay.NONE)).isNaN();
    }
}
