package io.nightshift.coordinator.scheduling;

import io.nightshift.api.config.Setting;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * How fast each queue's tasks have ended lately: the ends of the last {@link #WINDOW} per queue, turned into
 * tasks per minute for {@link ClusterSnapshot#finishRates()}, which gives a pending task its ETA (the tasks of
 * its queue waiting ahead of it, over that rate). Pure: the times come from the caller, who owns the clock
 * (the coordinator's shell, the simulator's virtual time); not thread-safe, one owner thread.
 *
 * <p>Memory: at most {@link #MAX_ENDS_PER_QUEUE} end times per queue. When a queue ends more tasks than that
 * within the window, the oldest are dropped and its rate is measured over the span the kept ones cover.
 */
public final class FinishRates {

    public static final Setting<Duration> WINDOW = Setting.duration("coordinator.scheduler.finish-rate-window",
            Duration.ofMinutes(10), Duration.ofSeconds(10), Duration.ofDays(1),
            "How far back task ends count for a queue's finish rate, which gives pending tasks their ETA (eta in GET /v1/jobs/{id}).");

    /** Cap of end times kept per queue. */
    static final int MAX_ENDS_PER_QUEUE = 100_000;

    private final long windowMs;
    private final int cap;
    private final Map<String, ArrayDeque<Long>> ends = new HashMap<>();

    public FinishRates(Duration window) {
        this(window, MAX_ENDS_PER_QUEUE);
    }

    FinishRates(Duration window, int cap) {
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("window must be positive: " + window);
        if (cap < 1) throw new IllegalArgumentException("cap must be at least 1: " + cap);
        this.windowMs = window.toMillis();
        this.cap = cap;
    }

    /** A task of {@code queue} ended (finished, failed, was killed or lost its agent) at {@code at}. */
    public void ended(String queue, Instant at) {
        Objects.requireNonNull(queue, "queue");
        ArrayDeque<Long> q = ends.computeIfAbsent(queue, k -> new ArrayDeque<>());
        q.addLast(at.toEpochMilli());
        if (q.size() > cap) q.pollFirst();
    }

    /**
     * Queue → tasks ended per minute over the window before {@code now}; queues with no end in it are left out
     * (no rate, so no ETA). Forgets ends older than the window.
     */
    public Map<String, Double> perMinute(Instant now) {
        long nowMs = now.toEpochMilli();
        long from = nowMs - windowMs;
        Map<String, Double> out = new HashMap<>();
        for (Iterator<Map.Entry<String, ArrayDeque<Long>>> it = ends.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, ArrayDeque<Long>> e = it.next();
            ArrayDeque<Long> q = e.getValue();
            while (!q.isEmpty() && q.peekFirst() < from) q.pollFirst();
            if (q.isEmpty()) {
                it.remove();
                continue;
            }
            long spanMs = windowMs;
            if (q.size() >= cap) spanMs = Math.max(1, nowMs - q.peekFirst());   // capped: the span the kept ends cover
            out.put(e.getKey(), q.size() * 60_000.0 / spanMs);
        }
        return out;
    }
}
