package io.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PiEstimatorTest {

    @Test
    void estimatesPiWithinOneHundredthFromAMillionSamples() {
        double pi = PiEstimator.estimate(1_000_000, 42L, n -> { });

        assertThat(pi).isCloseTo(Math.PI, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void sameSeedGivesTheSameEstimate() {
        assertThat(PiEstimator.estimate(100_000, 7L, n -> { }))
                .isEqualTo(PiEstimator.estimate(100_000, 7L, n -> { }));
    }

    @Test
    void reportsProgressUpToTheLastSample() {
        List<Long> seen = new ArrayList<>();
        PiEstimator.estimate(2_500, 1L, seen::add);

        assertThat(seen).containsExactly(1_000L, 2_000L, 2_500L);
    }

    @Test
    void printsProgressAndTheEstimateAndExitsZero() {
        Run r = run("1_234_567", "42");

        assertThat(r.code).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out).contains("estimating pi with 1,234,567 samples, seed 42");
        assertThat(r.out.lines().filter(l -> l.startsWith("progress"))).hasSize(10);
        assertThat(r.out).containsPattern("progress 100%  1,234,567 samples");
        assertThat(r.out).containsPattern("pi = 3\\.1[34]\\d{4}");
        assertThat(r.progress.get()).isEqualTo(1_234_567L);
    }

    @Test
    void acceptsScientificNotationForTheSampleCount() {
        assertThat(PiEstimator.Params.parseSamples("1e6")).isEqualTo(1_000_000L);
        assertThat(PiEstimator.Params.parseSamples("2.5E3")).isEqualTo(2_500L);
        assertThat(PiEstimator.Params.parseSamples("5,000,000")).isEqualTo(5_000_000L);
    }

    @Test
    void defaultsToFiveMillionSamples() {
        assertThat(PiEstimator.Params.parse(new String[0]).samples()).isEqualTo(5_000_000L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "0", "-5", "1.5", "2.5e0", "1e11", "99999999999999999999999", "12abc"})
    void aBadSampleCountIsAUsageErrorOnStderrWithExitTwo(String samples) {
        Run r = run(samples);

        assertThat(r.code).isEqualTo(2);
        assertThat(r.out).isEmpty();
        assertThat(r.err).startsWith("PiEstimator: samples: ").contains("usage: PiEstimator");
    }

    @Test
    void aBadSeedOrTooManyArgumentsIsAUsageError() {
        assertThat(run("1000", "x").err).contains("seed: 'x' is not a 64-bit integer");
        assertThat(run("1000", "1", "extra").err).contains("expected at most 2 arguments");
        assertThat(run("1000", "1", "extra").code).isEqualTo(2);
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        Run r = run("--help");

        assertThat(r.code).isZero();
        assertThat(r.out).startsWith("usage: PiEstimator");
    }

    @Test
    void estimateRefusesZeroSamples() {
        assertThatThrownBy(() -> PiEstimator.estimate(0, 1L, n -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }

    record Run(int code, String out, String err, AtomicLong progress) {
    }

    static Run run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var progress = new AtomicLong();
        int code = PiEstimator.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), progress);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), progress);
    }
}
