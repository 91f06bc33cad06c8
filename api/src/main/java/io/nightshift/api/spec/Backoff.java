package io.nightshift.api.spec;

import java.time.Duration;

/** Exponential back-off between attempts: initial, doubled each retry, capped at max. */
public record Backoff(Duration initial, Duration max) {
    private static final Duration DEFAULT_INITIAL = Duration.ofSeconds(1);
    private static final Duration DEFAULT_MAX = Duration.ofMinutes(5);
    public static final Backoff DEFAULT = new Backoff(DEFAULT_INITIAL, DEFAULT_MAX);

    public Backoff {
        initial = initial == null ? DEFAULT_INITIAL : initial;
        max = max == null ? DEFAULT_MAX : max;
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new InvalidSpecException("/retries/backoff", "needs 0 <= initial <= max");
        }
    }

    /**
     * Delay before retry number {@code retry} (1 = the first retry): initial * 2^(retry-1), capped at
     * {@code max}. Exact to the nanosecond and free of overflow for any {@code retry}; values below 1
     * are treated as 1.
     */
    public Duration delayBeforeRetry(int retry) {
        Duration delay = initial;
        // Doubles at most ~log2(max/initial) times before reaching max; zero stays zero.
        for (int i = 1; i < retry && !delay.isZero(); i++) {
            if (delay.compareTo(max.dividedBy(2)) > 0) return max;   // doubling would pass max
            delay = delay.multipliedBy(2);
        }
        return delay;
    }
}
