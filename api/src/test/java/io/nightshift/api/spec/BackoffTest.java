package io.nightshift.api.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {
    private final Backoff oneSecondUpToFiveMinutes = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));

    @ParameterizedTest(name = "retry {0} waits {1}")
    @CsvSource({
            "1, PT1S",
            "2, PT2S",
            "3, PT4S",
            "4, PT8S",
            "9, PT4M16S",   // 256 s, still under the cap
            "10, PT5M",     // 512 s would pass 300 s: capped
            "11, PT5M",
            "31, PT5M",
            "64, PT5M",
            "1000, PT5M",
            "2147483647, PT5M",
    })
    void doublesFromInitialAndIsCappedAtMax(int retry, String expected) {
        assertThat(oneSecondUpToFiveMinutes.delayBeforeRetry(retry)).isEqualTo(Duration.parse(expected));
    }

    @Test
    void retryZeroOrNegativeWaitsTheInitialDelay() {
        assertThat(oneSecondUpToFiveMinutes.delayBeforeRetry(0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(oneSecondUpToFiveMinutes.delayBeforeRetry(-5)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void neverOverflowsEvenWithATinyInitialAndAHugeMax() {
        Backoff b = new Backoff(Duration.ofNanos(1), Duration.ofDays(365 * 1000));
        assertThat(b.delayBeforeRetry(1000)).isEqualTo(Duration.ofDays(365 * 1000));
        assertThat(b.delayBeforeRetry(Integer.MAX_VALUE)).isEqualTo(Duration.ofDays(365 * 1000));
        assertThat(b.delayBeforeRetry(11)).isEqualTo(Duration.ofNanos(1024));   // exact below the cap
    }

    @Test
    void keepsSubMillisecondPrecision() {
        Backoff b = new Backoff(Duration.ofNanos(1_500_000), Duration.ofSeconds(1));   // 1.5 ms
        assertThat(b.delayBeforeRetry(2)).isEqualTo(Duration.ofMillis(3));
    }

    @Test
    void zeroInitialMeansRetryAtOnceEveryTime() {
        Backoff b = new Backoff(Duration.ZERO, Duration.ofMinutes(1));
        assertThat(b.delayBeforeRetry(1)).isZero();
        assertThat(b.delayBeforeRetry(1000)).isZero();
    }

    @Test
    void initialEqualToMaxStaysThere() {
        Backoff b = new Backoff(Duration.ofSeconds(30), Duration.ofSeconds(30));
        assertThat(b.delayBeforeRetry(1)).isEqualTo(Duration.ofSeconds(30));
        assertThat(b.delayBeforeRetry(2)).isEqualTo(Duration.ofSeconds(30));
        assertThat(b.delayBeforeRetry(1000)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void missingPartsTakeTheDefaults() {
        assertThat(new Backoff(null, null)).isEqualTo(Backoff.DEFAULT);
        assertThat(Backoff.DEFAULT.initial()).isEqualTo(Duration.ofSeconds(1));
        assertThat(Backoff.DEFAULT.max()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void refusesMaxBelowInitial() {
        assertThatThrownBy(() -> new Backoff(Duration.ofMinutes(2), Duration.ofMinutes(1)))
                .isInstanceOf(InvalidSpecException.class);
    }
}
