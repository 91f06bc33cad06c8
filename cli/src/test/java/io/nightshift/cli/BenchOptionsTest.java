package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet and history benches' options: a bad or stray one is a usage error before anything starts, never the launch bench. */
class BenchOptionsTest {
    @TempDir
    Path dir;

    private void refused(String message, String... args) {
        CliRunner.Result r = new CliRunner(dir).run(args);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(message);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void outOfRangeCountsAreRefused() {
        refused("--agents must be between 1 and 20000", "bench", "--agents", "0");
        refused("--agents must be between 1 and 20000", "bench", "--agents", "-5");
        refused("--history must be between 1 and 1000000", "bench", "--history", "0");
        refused("--pending between 0 and 100000", "bench", "--history", "10", "--pending", "-1");
        refused("--agents-rate must be between 1 and 1000", "bench", "--agents", "10", "--agents-rate", "0");
    }

    @Test
    void anOptionOfABenchWithoutItOrTwoBenchesAtOnceAreRefused() {
        refused("--pending needs --history N", "bench", "--pending", "10");
        refused("--agents-failover and --agents-rate need --agents N", "bench", "--agents-failover");
        refused("--agents-failover and --agents-rate need --agents N", "bench", "--agents-rate", "20");
        refused("--history and --agents are two benches: give one", "bench", "--history", "10", "--agents", "10");
    }
}
