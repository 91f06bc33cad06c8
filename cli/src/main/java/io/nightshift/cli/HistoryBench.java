package io.nightshift.cli;

import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.testkit.AgentProcess;
import io.nightshift.testkit.CoordinatorProcess;
import io.nightshift.testkit.PeerFleet;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code nightshift bench --history N --pending M}: the coordinator's heap and RSS (its own JVM) when
 * empty (the same-run baseline), with N finished jobs in its history (run on 100 {@link PeerFleet}
 * peers as instant no-ops, submitted 32 at a time), and with M jobs pending on top (submitted with no
 * agent connected); heap after a full GC ({@code jcmd GC.run}), so it is what is kept, not garbage.
 * Then an idle real agent's RSS (its own JVM, registered, 20 s idle).
 */
final class HistoryBench {
    private final int history;
    private final int pending;
    private final Path dir;
    private final PrintWriter err;
    private final List<String> lines = new ArrayList<>();

    HistoryBench(int history, int pending, Path dir, PrintWriter err) {
        this.history = history;
        this.pending = pending;
        this.dir = dir;
        this.err = err;
    }

    List<String> run() throws Exception {
        CoordinatorProcess c = CoordinatorProcess.start(dir.resolve("coordinator.log"), "--port", "0", "--data-dir",
                dir.resolve("state").toString(), "--cluster-name", "history-bench-" + Long.toString(System.nanoTime(), 36),
                "--hazelcast.port", Integer.toString(CoordinatorProcess.freePort()), "--submit.rate", "1000000",
                "--submit.burst", "1000000", "--queue.max-queued", Integer.toString(Math.max(10_000, pending)));
        PeerFleet fleet = null;
        AgentProcess agent = null;
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            String token = c.adminToken();
            NightshiftClient client = NightshiftClient.connect(c.url(), NightshiftClient.DEFAULT_REQUEST_TIMEOUT, token);
            TimeUnit.SECONDS.sleep(5);
            double[] empty = memory(c, client);
            line("coordinator (pid %d, -Xmx512m) empty: heap after GC %.0f MiB, RSS %.0f MiB; load average %s", c.pid(), empty[0],
                    empty[1], LaunchBench.loadAverage());

            fleet = PeerFleet.start(PeerFleet.Options.of(100, List.of(c.url()), token, null).withStartRate(1000));
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (fleet.registered() < 100 && System.nanoTime() < until) TimeUnit.MILLISECONDS.sleep(50);
            String run = Long.toString(System.currentTimeMillis(), 36);
            long t0 = System.nanoTime();
            submitAll(pool, client, "history-" + run + "-", history);
            PeerFleet f = fleet;
            await(() -> f.finished() >= history, Duration.ofMinutes(60), () -> f.finished() + "/" + history + " finished");
            double secs = (System.nanoTime() - t0) / 1e9;
            fleet.close();
            fleet = null;
            double[] full = memory(c, client);
            line("%d jobs run to the end on 100 peers in %.0f s (%.0f jobs/s end to end); coordinator heap after GC %.0f MiB "
                    + "(empty %.0f, ratio %.1f), RSS %.0f MiB (empty %.0f, ratio %.1f)", history, secs, history / secs, full[0], empty[0],
                    full[0] / empty[0], full[1], empty[1], full[1] / empty[1]);

            agent = AgentProcess.start(c.url(), token, "idle-agent", dir.resolve("idle-agent"));
            until = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (System.nanoTime() < until && client.agents().stream()
                    .noneMatch(a -> a.id().equals("idle-agent") && a.status() == io.nightshift.api.model.AgentInfo.AgentStatus.ACTIVE))
                TimeUnit.MILLISECONDS.sleep(100);
            TimeUnit.SECONDS.sleep(20);
            line("an idle real agent (pid %d, -Xmx256m, registered, 20 s idle): RSS %.0f MiB (target <= 150 MiB)", agent.pid(),
                    FleetBench.rssMiB(agent.pid()));
            agent.close();
            agent = null;

            submitAll(pool, client, "pending-" + run + "-", pending); // no agent: they stay pending
            double[] withPending = memory(c, client);
            line("%d finished + %d pending: coordinator heap after GC %.0f MiB (empty %.0f, ratio %.1f), RSS %.0f MiB (empty %.0f, ratio %.1f)",
                    history, pending, withPending[0], empty[0], withPending[0] / empty[0], withPending[1], empty[1],
                    withPending[1] / empty[1]);
            return lines;
        } finally {
            pool.shutdownNow();
            if (fleet != null) fleet.close();
            if (agent != null) agent.killHard();
            c.close();
        }
    }

    private void submitAll(ExecutorService pool, NightshiftClient client, String prefix, int n) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<java.util.concurrent.Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 32; w++) {
            workers.add(pool.submit(() -> {
                long i;
                while ((i = next.getAndIncrement()) < n) {
                    JobSpec spec = JobSpec.command("true").id(prefix + i).resources(0.01, 16).labels(Map.of("bench", "history")).build();
                    for (int attempt = 0; ; attempt++) {
                        try {
                            client.submit(spec);
                            break;
                        } catch (RuntimeException e) {
                            if (attempt >= 5) {
                                failed.incrementAndGet();
                                break;
                            }
                            java.util.concurrent.locks.LockSupport.parkNanos(200_000_000);
                        }
                    }
                }
            }));
        }
        for (var w : workers) {
            try {
                w.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        if (failed.get() > 0) throw new IllegalStateException(failed.get() + " of " + n + " submits failed");
    }

    /** [heap used after a full GC in MiB, RSS in MiB] of the coordinator. */
    private static double[] memory(CoordinatorProcess c, NightshiftClient client) throws Exception {
        Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(c.pid()),
                "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        gc.waitFor(60, TimeUnit.SECONDS);
        TimeUnit.SECONDS.sleep(1);
        Double heap = BenchCommand.heapFromMetrics(client.getText("/metrics"));
        return new double[] {heap == null ? Double.NaN : heap, FleetBench.rssMiB(c.pid())};
    }

    private void await(java.util.function.BooleanSupplier done, Duration limit, java.util.function.Supplier<String> progress)
            throws InterruptedException {
        long until = System.nanoTime() + limit.toNanos();
        long report = System.nanoTime();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > until) throw new IllegalStateException("not done after " + limit + ": " + progress.get());
            if (System.nanoTime() - report > TimeUnit.SECONDS.toNanos(10)) {
                err.println("history bench: " + progress.get());
                err.flush();
                report = System.nanoTime();
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private void line(String format, Object... args) {
        String l = String.format(Locale.ROOT, format, args);
        lines.add(l);
        err.println("history bench: " + l);
        err.flush();
    }
}
