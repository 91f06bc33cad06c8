package io.nightshift.coordinator.http;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-token token buckets for job submissions: {@code burst} submissions at once, then {@code rate}
 * per second. Time is an input (nanoseconds from any fixed origin), so the arithmetic is tested without
 * a clock. Thread-safe; a bucket is a few fields, and full buckets are dropped when there are many.
 */
final class SubmitRate {
    static final int MAX_BUCKETS = 100_000;

    private final double ratePerNano;
    private final double burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    SubmitRate(double perSecond, int burst) {
        if (perSecond <= 0 || burst < 1) throw new IllegalArgumentException("rate must be > 0 and burst >= 1");
        this.ratePerNano = perSecond / 1e9;
        this.burst = burst;
    }

    /** Takes one submission for {@code key} at {@code nowNanos}: 0 when allowed, else the whole seconds to wait (>= 1). */
    long take(String key, long nowNanos) {
        if (buckets.size() > MAX_BUCKETS) buckets.entrySet().removeIf(e -> refill(e.getValue(), nowNanos) >= burst);
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, nowNanos));
        synchronized (b) {
            double t = refill(b, nowNanos);
            b.at = Math.max(b.at, nowNanos);
            if (t >= 1) {
                b.tokens = t - 1;
                return 0;
            }
            b.tokens = t;
            double waitNanos = (1 - t) / ratePerNano;
            return Math.max(1, (long) Math.ceil(waitNanos / 1e9));
        }
    }

    private double refill(Bucket b, long nowNanos) {
        synchronized (b) {
            long elapsed = Math.max(0, nowNanos - b.at);
            return Math.min(burst, b.tokens + elapsed * ratePerNano);
        }
    }

    double perSecond() {
        return ratePerNano * 1e9;
    }

    int burst() {
        return (int) burst;
    }
}
