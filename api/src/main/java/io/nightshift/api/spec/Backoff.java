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

    /** Delay before retry number {@code retry} (1 = the first retry): initial * 2^(retry-1), capped. */
    public Duration delayBeforeRetry(int retry) {
        if (retry <= 1) return initial;
        int shift = Math.min(retry - 1, 30);
        long millis = initial.toMillis();
        long scaled = millis > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : millis << shift;
        return scaled >= max.toMillis() ? max : Duration.ofMillis(scaled);
    }
}
