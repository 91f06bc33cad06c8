package io.nightshift.coordinator.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * How late the coordinator gets to work: every {@link #PERIOD_MS} ms a timer on each Vert.x event loop
 * records how much later than due it fired ({@code nightshift.eventloop.delay}), and a no-op handed to
 * the scheduling core's thread records how long it waited for its turn ({@code nightshift.core.delay}).
 * Both are Micrometer timers with p50/p99 and max, scraped from {@code /metrics}: a loop kept busy by
 * thousands of agents shows here long before it trips Vert.x's blocked-thread warning (2 s).
 */
public final class LoopDelayProbe implements AutoCloseable {
    public static final long PERIOD_MS = 100;
    private final Vertx vertx;
    private final List<Long> timers = new ArrayList<>();

    /**
     * @param eventLoops how many event-loop contexts to probe (the loops are handed out in turn, so
     *                   the pool size covers each loop once)
     * @param onCore     runs its argument on the scheduling core's thread (null: no core probe)
     */
    public LoopDelayProbe(Vertx vertx, MeterRegistry registry, int eventLoops, Consumer<Runnable> onCore) {
        this.vertx = vertx;
        Timer loopDelay = Timer.builder("nightshift.eventloop.delay")
                .description("How much later than due a " + PERIOD_MS + " ms timer fires on an event loop")
                .publishPercentiles(0.5, 0.99).distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry);
        Timer coreDelay = Timer.builder("nightshift.core.delay")
                .description("How long a no-op waits for its turn on the scheduling core's thread")
                .publishPercentiles(0.5, 0.99).distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry);
        for (int i = 0; i < eventLoops; i++) {
            io.vertx.core.Context ctx = vertx.getOrCreateContext();
            Consumer<Runnable> core = i == 0 ? onCore : null; // one core probe is enough
            ctx.runOnContext(v -> {
                long[] due = {System.nanoTime() + PERIOD_MS * 1_000_000};
                long id = vertx.setPeriodic(PERIOD_MS, t -> {
                    long now = System.nanoTime();
                    loopDelay.record(Math.max(0, now - due[0]), TimeUnit.NANOSECONDS);
                    due[0] = now + PERIOD_MS * 1_000_000;
                    if (core != null) {
                        long sent = System.nanoTime();
                        core.accept(() -> coreDelay.record(System.nanoTime() - sent, TimeUnit.NANOSECONDS));
                    }
                });
                synchronized (timers) {
                    timers.add(id);
                }
            });
        }
    }

    @Override
    public void close() {
        synchronized (timers) {
            for (long id : timers) vertx.cancelTimer(id);
            timers.clear();
        }
    }
}
