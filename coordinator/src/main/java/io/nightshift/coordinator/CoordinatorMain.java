package io.nightshift.coordinator;

import io.nightshift.api.config.Config;
import io.nightshift.api.config.ConfigException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a coordinator in its own JVM until SIGTERM (used by tests that kill coordinators for real;
 * the real CLI is {@code nightshift coordinator}). Flags map to settings by name without the
 * {@code coordinator.} prefix: {@code --port 0}, {@code --data-dir DIR}, {@code --cluster-name N},
 * {@code --state.jdbc-url URL}, ... Once serving it prints {@code nightshift-coordinator ready <url>}.
 * A coordinator that steps down ({@link Coordinator#steppedDown()}) is closed and a fresh one started
 * with the same settings (again and again while the store cannot be reached), which joins as a follower.
 */
public final class CoordinatorMain {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorMain.class);

    private CoordinatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        CoordinatorConfig cfg;
        Coordinator first;
        try {
            cfg = CoordinatorConfig.from(Config.load(CoordinatorSettings.ALL, null, System.getenv(), flags(args)));
            first = Coordinator.start(cfg);
        } catch (IllegalArgumentException | ConfigException e) {
            System.err.println("nightshift-coordinator: " + e.getMessage());
            System.exit(2);
            return;
        }
        AtomicReference<Coordinator> current = new AtomicReference<>(first);
        CompletableFuture<Void> stopping = new CompletableFuture<>();
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.complete(null);
            try {
                stopped.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                Coordinator c = current.get();
                if (c != null) c.close();
            }
        }, "nightshift-coordinator-shutdown"));
        System.out.println("nightshift-coordinator ready " + first.url());
        System.out.flush();
        supervise(cfg, current, stopping);
        stopped.complete(null);
    }

    /**
     * Runs {@code current} until {@code stopping} completes, then closes it; each time it steps down it is
     * closed and a fresh one started from {@code cfg} (retried with backoff; a configuration refused at start
     * exits the JVM with status 2).
     */
    public static void supervise(CoordinatorConfig cfg, AtomicReference<Coordinator> current, CompletableFuture<Void> stopping)
            throws InterruptedException {
        while (true) {
            Coordinator c = current.get();
            CompletableFuture.anyOf(stopping, c.steppedDown()).join();
            c.close();
            if (stopping.isDone()) return;
            long backoffMs = 500;
            Coordinator next = null;
            while (next == null && !stopping.isDone()) {
                try {
                    next = Coordinator.start(cfg);
                } catch (IllegalArgumentException e) {
                    System.err.println("nightshift-coordinator: " + e.getMessage());
                    System.exit(2);
                } catch (RuntimeException e) {
                    log.error("restarting the coordinator after its step-down failed ({}); next try in {} ms", e.toString(), backoffMs);
                    Thread.sleep(backoffMs);
                    backoffMs = Math.min(10_000, backoffMs * 2);
                }
            }
            if (next == null) return;
            current.set(next);
            log.info("coordinator restarted after its step-down: serving at {} as {}", next.url(), next.isLeader() ? "leader" : "follower");
        }
    }

    static Map<String, String> flags(String[] args) {
        return Config.flags("coordinator", CoordinatorSettings.ALL, args);
    }
}
