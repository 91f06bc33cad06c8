package io.nightshift.coordinator.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps on long-lived answers of one kind (event streams, log follows): at most {@code max} open on
 * this coordinator and {@code perToken} per token, so one client cannot hold every connection.
 * Thread-safe.
 */
final class StreamLimits {
    private final String what;
    private final int max;
    private final int perToken;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> byToken = new ConcurrentHashMap<>();

    StreamLimits(String what, int max, int perToken) {
        this.what = what;
        this.max = max;
        this.perToken = perToken;
    }

    /** A held slot; {@link #release()} it when the stream ends (more than once is harmless). */
    final class Slot {
        private final String token;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(String token) {
            this.token = token;
        }

        void release() {
            if (!released.compareAndSet(false, true)) return;
            open.decrementAndGet();
            byToken.computeIfPresent(token, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
    }

    /** A slot for {@code token}, or null when this coordinator or this token has reached its cap. */
    Slot acquire(String token) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            return null;
        }
        boolean[] ok = {true};
        byToken.compute(token, (k, n) -> {
            AtomicInteger c = n == null ? new AtomicInteger() : n;
            if (c.get() >= perToken) ok[0] = false;
            else c.incrementAndGet();
            return c.get() == 0 ? null : c;
        });
        if (!ok[0]) {
            open.decrementAndGet();
            return null;
        }
        return new Slot(token);
    }

    /** The 429 for a refused stream: which cap, and when to retry. */
    void refuse(io.vertx.ext.web.RoutingContext ctx, boolean global) {
        ctx.response().putHeader("Retry-After", "5");
        Problems.send(ctx, 429, "too-many-streams", "Too many " + what,
                global ? "this coordinator serves at most " + max + " " + what + " at once; retry later"
                        : "a token may hold at most " + perToken + " " + what + " at once; close one or retry later");
    }

    int open() {
        return open.get();
    }

    int max() {
        return max;
    }

    int perToken() {
        return perToken;
    }
}
