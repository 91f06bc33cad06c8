package io.nightshift.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The submit token bucket: burst first, then the rate, per token, with the wait said in whole seconds. */
class SubmitRateTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void aTokenGetsItsBurstAtOnceThenWaitsForTheRate() {
        SubmitRate r = new SubmitRate(2, 3); // 3 at once, then one every 0.5 s
        assertThat(r.take("a", 0)).isZero();
        assertThat(r.take("a", 0)).isZero();
        assertThat(r.take("a", 0)).isZero();
        assertThat(r.take("a", 0)).as("the 4th at once waits (0.5 s rounds up to 1)").isEqualTo(1);
        assertThat(r.take("a", SECOND / 2)).as("half a second later one more is allowed").isZero();
        assertThat(r.take("a", SECOND / 2)).isEqualTo(1);
    }

    @Test
    void tokensHaveBucketsOfTheirOwn() {
        SubmitRate r = new SubmitRate(1, 1);
        assertThat(r.take("a", 0)).isZero();
        assertThat(r.take("a", 0)).isEqualTo(1);
        assertThat(r.take("b", 0)).as("another token is not slowed by a").isZero();
    }

    @Test
    void aSlowRateSaysHowManySecondsToWait() {
        SubmitRate r = new SubmitRate(0.1, 1); // one every 10 s
        assertThat(r.take("a", 0)).isZero();
        assertThat(r.take("a", 0)).isEqualTo(10);
        assertThat(r.take("a", 4 * SECOND)).as("refused takes cost nothing").isEqualTo(6);
        assertThat(r.take("a", 10 * SECOND)).isZero();
    }

    @Test
    void anIdleBucketRefillsOnlyUpToTheBurst() {
        SubmitRate r = new SubmitRate(100, 2);
        r.take("a", 0);
        r.take("a", 0);
        long later = 3600 * SECOND;
        assertThat(r.take("a", later)).isZero();
        assertThat(r.take("a", later)).isZero();
        assertThat(r.take("a", later)).isEqualTo(1);
    }
}
