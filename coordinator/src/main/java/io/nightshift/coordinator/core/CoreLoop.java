package io.nightshift.coordinator.core;

import io.nightshift.api.protocol.CoordinatorMessage;
import io.nightshift.coordinator.agents.AgentLink;
import io.nightshift.coordinator.events.EventLog;
import io.nightshift.coordinator.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The core's loop: one thread ({@code nightshift-core}) drains an inbox of commands in turns. A turn
 * applies up to {@value #MAX_TURN} commands in memory, then stores all their writes together (retrying
 * while the store fails: nothing is acknowledged meanwhile), then acts: sends to agents, delivers events,
 * completes callers' futures. Also the core's timers: fixed-delay ticks and one wake-up at an instant.
 * Everything the other parts of the core do runs on this thread, so they share state without locks.
 */
final class CoreLoop {
    private static final Logger log = LoggerFactory.getLogger(CoreLoop.class);
    private static final int MAX_TURN = 2_000;

    private final StateStore store;
    private final EventLog events;
    private final Clock clock;
    private final ScheduledExecutorService exec;
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private WriteBatch batch = new WriteBatch();
    private ScheduledFuture<?> wakeTimer;
    private Instant wakeAt;

    CoreLoop(StateStore store, EventLog events, Clock clock) {
        this.store = store;
        this.events = events;
        this.clock = clock;
        this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nightshift-core");
            t.setDaemon(true);
            return t;
        });
    }

    /** This turn's writes (core thread only). */
    WriteBatch batch() {
        return batch;
    }

    Clock clock() {
        return clock;
    }

    void enqueue(Runnable command) {
        if (exec.isShutdown()) return; // stepped down or closed: nothing acts any more
        inbox.add(command);
        if (draining.compareAndSet(false, true)) exec.execute(this::drain);
    }

    /** Runs {@code body} on the core thread; the future completes once the turn's writes are stored. */
    <T> CompletableFuture<T> call(Callable<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        enqueue(() -> {
            try {
                T result = body.call();
                batch.afterCommit(() -> f.complete(result));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** Runs {@code body} on the core thread, logging what failed. */
    void run(String what, Runnable body) {
        enqueue(() -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                log.error("core step failed: {}", what, e);
            }
        });
    }

    /** Sends once this turn's writes are stored. */
    void send(AgentLink link, CoordinatorMessage message) {
        batch.afterCommit(() -> link.send(message));
    }

    /** Publishes once this turn's writes are stored: an event never announces what could still be lost. */
    void publish(Instant time, String kind, String id, String jobId, String attemptId, String agentId,
                 String state, String reason, Integer exitCode) {
        publish(time, kind, id, jobId, attemptId, agentId, state, reason, exitCode, null);
    }

    /** As above, with a FETCHING attempt's fetch progress. */
    void publish(Instant time, String kind, String id, String jobId, String attemptId, String agentId,
                 String state, String reason, Integer exitCode, io.nightshift.api.model.FetchProgress fetch) {
        publish(time, kind, id, jobId, attemptId, agentId, state, reason, exitCode, fetch, null);
    }

    /** As above, with what the attempt's driver told about its application. */
    void publish(Instant time, String kind, String id, String jobId, String attemptId, String agentId,
                 String state, String reason, Integer exitCode, io.nightshift.api.model.FetchProgress fetch,
                 io.nightshift.api.model.AppInfo app) {
        io.nightshift.api.model.Event e = events.stage(time, kind, id, jobId, attemptId, agentId, state, reason, exitCode,
                fetch, app);
        batch.events.add(e);
        batch.afterCommit(() -> events.deliver(e));
    }

    /** Runs {@code command} on the core thread every {@code period}. */
    void every(Duration period, Runnable command) {
        long ms = period.toMillis();
        exec.scheduleWithFixedDelay(() -> enqueue(command), ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code command} on the core thread at {@code at}, unless an earlier wake-up is already armed. */
    void wakeAt(Instant at, Runnable command) {
        if (wakeAt != null && !wakeAt.isAfter(at) && wakeTimer != null && !wakeTimer.isDone()) return;
        if (wakeTimer != null) wakeTimer.cancel(false);
        wakeAt = at;
        long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis() + 1);
        wakeTimer = exec.schedule(() -> enqueue(() -> {
            wakeAt = null;
            command.run();
        }), delay, TimeUnit.MILLISECONDS);
    }

    private void drain() {
        while (true) {
            Runnable command;
            int n = 0;
            while (n < MAX_TURN && (command = inbox.poll()) != null) {
                n++;
                try {
                    command.run();
                } catch (RuntimeException e) {
                    log.error("core step failed", e);
                }
            }
            if (exec.isShutdown()) return; // stepped down mid-turn: its writes and sends are dropped
            flush();
            if (!inbox.isEmpty()) continue;
            draining.set(false);
            if (inbox.isEmpty() || !draining.compareAndSet(false, true)) return;
        }
    }

    private void flush() {
        WriteBatch b = batch;
        batch = new WriteBatch();
        if (b.hasWrites()) {
            long backoffMs = 50;
            while (true) {
                try {
                    store.saveTurn(b.jobs.values(), b.runs.values(), b.tasks.values(), b.agents.values(), b.keys, b.events,
                            b.runtimes);
                    break;
                } catch (RuntimeException e) {
                    if (exec.isShutdown()) return;
                    log.error("storing {} writes failed; retrying in {} ms (nothing is acknowledged meanwhile): {}",
                            b.writes(), backoffMs, e.toString());
                    try {
                        Thread.sleep(backoffMs);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    backoffMs = Math.min(5_000, backoffMs * 2);
                }
            }
        }
        for (Runnable r : b.afterCommit) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.error("post-commit action failed", e);
            }
        }
    }

    void close() {
        exec.shutdownNow();
        try {
            exec.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
