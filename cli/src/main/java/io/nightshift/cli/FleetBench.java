package io.nightshift.cli;

import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.client.NightshiftException;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.testkit.CoordinatorProcess;
import io.nightshift.testkit.PeerFleet;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code nightshift bench --agents N [--agents-failover]}: the real coordinator (its own JVM) with N
 * agent-protocol peers ({@link PeerFleet}, all in this JVM, speaking the agent's own channel code and
 * running tasks as instant no-ops, journals in memory). Measures, from {@code /proc/<pid>} and the coordinator's
 * {@code /metrics}: CPU (cores used), heap, RSS and event-loop / core-thread delay with no agent (the
 * same-run baseline), with N agents heartbeating, and while jobs are submitted at a steady rate (with
 * the placement rate). With {@code --agents-failover}: two coordinators on one store, kill -9 of the
 * leader, then the time until all N are re-registered and reconciled on the new leader and the time
 * to its first placement, with jobs submitted all along.
 */
final class FleetBench {
    private static final Duration WINDOW = Duration.ofSeconds(20);
    private final int agents;
    private final boolean failover;
    private final int rate;
    private final Path dir;
    private final PrintWriter err;
    private final List<String> lines = new ArrayList<>();

    FleetBench(int agents, boolean failover, int rate, Path dir, PrintWriter err) {
        this.agents = agents;
        this.failover = failover;
        this.rate = rate;
        this.dir = dir;
        this.err = err;
    }

    /** One coordinator sample: CPU seconds so far, RSS, heap and the delay timers' sums and counts. */
    record Sample(long nanos, double cpuSeconds, double rssMiB, Double heapMiB, Delay loop, Delay core) {
    }

    /** A Micrometer timer as scraped: total seconds, count, max seconds (max over its last minute or so). */
    record Delay(double sumSeconds, double count, double maxSeconds) {
        static final Delay NONE = new Delay(0, 0, 0);

        /** Mean delay in ms between two scrapes. */
        double meanMsSince(Delay before) {
            double n = count - before.count;
            return n <= 0 ? Double.NaN : (sumSeconds - before.sumSeconds) / n * 1000;
        }
    }

    List<String> run() throws Exception {
        Path state = dir.resolve("state");
        String cluster = "fleet-bench-" + Long.toString(System.nanoTime(), 36);
        int hzA = CoordinatorProcess.freePort(), hzB = CoordinatorProcess.freePort();
        CoordinatorProcess a = start("a", state, hzA, hzB, cluster);
        CoordinatorProcess b = null;
        PeerFleet fleet = null;
        ExecutorService submitters = Executors.newFixedThreadPool(8);
        try {
            String token = a.adminToken();
            NightshiftClient viaA = NightshiftClient.connect(a.url(), NightshiftClient.DEFAULT_REQUEST_TIMEOUT, token);
            FailoverBench.waitRole(viaA, "leader");
            if (failover) {
                b = start("b", state, hzB, hzA, cluster);
                FailoverBench.waitRole(NightshiftClient.connect(b.url(), NightshiftClient.DEFAULT_REQUEST_TIMEOUT, token), "follower");
            }
            line("coordinator pid %d, -Xmx512m, peers in this JVM (pid %d), machine: %d cores, load average %s",
                    a.pid(), ProcessHandle.current().pid(), Runtime.getRuntime().availableProcessors(), LaunchBench.loadAverage());

            // baseline: the same coordinator with no agent
            Sample s0 = sample(a, viaA);
            TimeUnit.MILLISECONDS.sleep(WINDOW.toMillis());
            Sample s1 = sample(a, viaA);
            line("0 agents (baseline), %d s: coordinator CPU %.3f cores, heap %s MiB, RSS %.0f MiB, event-loop delay mean %.2f ms "
                            + "max %.1f ms, core-thread delay mean %.2f ms max %.1f ms", WINDOW.toSeconds(), cores(s0, s1),
                    mib(s1.heapMiB()), s1.rssMiB(), s1.loop().meanMsSince(s0.loop()), s1.loop().maxSeconds() * 1000,
                    s1.core().meanMsSince(s0.core()), s1.core().maxSeconds() * 1000);

            List<URI> targets = b == null ? List.of(a.url()) : List.of(a.url(), b.url());
            long t0 = System.nanoTime();
            fleet = PeerFleet.start(PeerFleet.Options.of(agents, targets, token, null).withStartRate(1000));
            awaitCount(fleet::registered, agents, Duration.ofMinutes(3), "registered");
            line("%d peers started at 1000/s and all registered in %.1f s", agents, (System.nanoTime() - t0) / 1e9);

            TimeUnit.SECONDS.sleep(5); // let the registration burst leave the timers' windows
            Sample h0 = sample(a, viaA);
            TimeUnit.MILLISECONDS.sleep(WINDOW.toMillis());
            Sample h1 = sample(a, viaA);
            double heartbeating = cores(h0, h1);
            line("%d agents heartbeating (every 2 s), %d s: coordinator CPU %.3f cores (baseline %.3f, ratio %s; target <= 1 core), "
                            + "heap %s MiB, RSS %.0f MiB, event-loop delay mean %.2f ms max %.1f ms, core-thread delay mean %.2f ms max %.1f ms",
                    agents, WINDOW.toSeconds(), heartbeating, cores(s0, s1), ratio(heartbeating, cores(s0, s1)), mib(h1.heapMiB()),
                    h1.rssMiB(), h1.loop().meanMsSince(h0.loop()), h1.loop().maxSeconds() * 1000,
                    h1.core().meanMsSince(h0.core()), h1.core().maxSeconds() * 1000);

            // placements while heartbeating: jobs at a steady rate
            AtomicLong seq = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            AtomicBoolean submitting = new AtomicBoolean(true);
            List<NightshiftClient> clients = new ArrayList<>(List.of(viaA));
            if (b != null) clients.add(NightshiftClient.connect(b.url(), NightshiftClient.DEFAULT_REQUEST_TIMEOUT, token));
            Thread pacer = pacer(submitters, clients, seq, failed, submitting);
            long launched0 = fleet.launched();
            Sample p0 = sample(a, viaA);
            TimeUnit.MILLISECONDS.sleep(WINDOW.toMillis());
            Sample p1 = sample(a, viaA);
            long launchedInWindow = fleet.launched() - launched0;
            line("%d agents and %d jobs/s submitted, %d s: %d placed (%.1f/s), coordinator CPU %.3f cores (heartbeating only %.3f, "
                            + "ratio %s), heap %s MiB, RSS %.0f MiB, event-loop delay mean %.2f ms max %.1f ms, core-thread delay mean %.2f ms max %.1f ms",
                    agents, rate, WINDOW.toSeconds(), launchedInWindow, launchedInWindow / ((p1.nanos() - p0.nanos()) / 1e9),
                    cores(p0, p1), heartbeating, ratio(cores(p0, p1), heartbeating), mib(p1.heapMiB()), p1.rssMiB(),
                    p1.loop().meanMsSince(p0.loop()), p1.loop().maxSeconds() * 1000, p1.core().meanMsSince(p0.core()),
                    p1.core().maxSeconds() * 1000);

            if (b != null) failover(a, b, fleet, token);

            submitting.set(false);
            pacer.join();
            submitters.shutdown();
            submitters.awaitTermination(1, TimeUnit.MINUTES);
            long submitted = seq.get() - failed.get();
            PeerFleet f = fleet;
            awaitCount(() -> (int) f.finished(), (int) submitted, Duration.ofMinutes(3), "finished");
            line("jobs: %d submitted and acknowledged (%d submit attempts refused or failed, retried elsewhere), %d launched, "
                            + "%d finished, %d launches of an attempt already launched (exactly once: 0)", submitted, failed.get(),
                    fleet.launched(), fleet.finished(), fleet.duplicateLaunches());
            return lines;
        } finally {
            submitters.shutdownNow();
            if (fleet != null) fleet.close();
            if (b != null) b.close();
            a.close();
        }
    }

    private void failover(CoordinatorProcess a, CoordinatorProcess b, PeerFleet fleet, String token) throws Exception {
        NightshiftClient viaB = NightshiftClient.connect(b.url(), NightshiftClient.DEFAULT_REQUEST_TIMEOUT, token);
        long epochBefore = fleet.highestLaunchEpoch();
        int runningAtKill = fleet.running();
        long killed = System.nanoTime();
        a.killHard();
        long registered = -1, settled = -1;
        long deadline = killed + TimeUnit.SECONDS.toNanos(180);
        Sample b0 = null;
        while (System.nanoTime() < deadline && settled < 0) {
            if (b0 == null) {
                try {
                    b0 = sample(b, viaB);
                } catch (RuntimeException e) {
                    // not serving yet
                }
            }
            int on = fleet.registeredWith(b.url());
            if (registered < 0 && on == agents) registered = System.nanoTime() - killed;
            if (registered >= 0 && fleet.settledWith(b.url()) == agents) settled = System.nanoTime() - killed;
            TimeUnit.MILLISECONDS.sleep(50);
        }
        Sample b1 = sample(b, viaB);
        long firstPlacement = fleet.firstLaunchNanosAbove(epochBefore);
        line("failover: kill -9 of the leader (pid %d) with %d attempts running; all %d agents re-registered on the new leader "
                        + "in %s, reconciled (every status update acknowledged) in %s (target <= 30 s); first placement by the new "
                        + "leader %s after the kill; %d placements by it until then; new leader CPU %.2f cores meanwhile, heap %s MiB, "
                        + "RSS %.0f MiB, event-loop delay max %.1f ms, core-thread delay max %.1f ms",
                a.pid(), runningAtKill, agents, seconds(registered), seconds(settled),
                firstPlacement < 0 ? "none" : seconds(firstPlacement - killed), fleet.launchesAbove(epochBefore),
                b0 == null ? Double.NaN : cores(b0, b1), mib(b1.heapMiB()), b1.rssMiB(), b1.loop().maxSeconds() * 1000,
                b1.core().maxSeconds() * 1000);
        if (settled < 0) throw new IllegalStateException("the agents did not all settle on the new leader within 180 s");
    }

    /** Submits {@link #rate} trivial jobs per second until {@code submitting} is cleared, to whichever coordinator takes them. */
    private Thread pacer(ExecutorService pool, List<NightshiftClient> clients, AtomicLong seq, AtomicLong failed,
                         AtomicBoolean submitting) {
        String run = Long.toString(System.currentTimeMillis(), 36);
        Thread t = new Thread(() -> {
            long start = System.nanoTime();
            long n = 0;
            while (submitting.get()) {
                long due = start + (long) (n * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                long i = seq.incrementAndGet();
                n++;
                pool.execute(() -> submit(clients, "fleet-" + run + "-" + i, failed));
            }
        }, "fleet-bench-pacer");
        t.start();
        return t;
    }

    private static void submit(List<NightshiftClient> clients, String id, AtomicLong failed) {
        JobSpec spec = JobSpec.command("true").id(id).resources(0.01, 16).labels(Map.of("bench", "fleet")).build();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            for (NightshiftClient c : clients) {
                try {
                    c.submit(spec); // idempotent on the id: a retry after a lost answer is harmless
                    return;
                } catch (NightshiftException | java.io.UncheckedIOException e) {
                    // a dead or following coordinator: try the other
                } catch (RuntimeException e) {
                    // likewise (connection refused)
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
        failed.incrementAndGet();
    }

    private CoordinatorProcess start(String name, Path state, int hzPort, int otherHzPort, String cluster) {
        List<String> flags = new ArrayList<>(List.of("--port", "0", "--data-dir", state.toString(), "--cluster-name", cluster,
                "--hazelcast.port", Integer.toString(hzPort)));
        if (failover) flags.addAll(List.of("--hazelcast.members", "127.0.0.1:" + otherHzPort));
        return CoordinatorProcess.start(dir.resolve(name + ".log"), flags.toArray(String[]::new));
    }

    private void awaitCount(java.util.function.IntSupplier count, int want, Duration limit, String what) throws InterruptedException {
        long until = System.nanoTime() + limit.toNanos();
        long report = System.nanoTime();
        while (count.getAsInt() < want) {
            if (System.nanoTime() > until)
                throw new IllegalStateException("only " + count.getAsInt() + " of " + want + " " + what + " after " + limit.toSeconds() + " s");
            if (System.nanoTime() - report > TimeUnit.SECONDS.toNanos(5)) {
                err.println("fleet bench: " + count.getAsInt() + "/" + want + " " + what);
                err.flush();
                report = System.nanoTime();
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    static Sample sample(CoordinatorProcess p, NightshiftClient c) {
        String metrics = c.getText("/metrics");
        return new Sample(System.nanoTime(), cpuSeconds(p.pid()), rssMiB(p.pid()), BenchCommand.heapFromMetrics(metrics),
                delay(metrics, "nightshift_eventloop_delay_seconds"), delay(metrics, "nightshift_core_delay_seconds"));
    }

    /** utime + stime of {@code pid} in seconds (clock ticks of 1/100 s, as on every Linux), by {@link LaunchBench#read}. */
    static double cpuSeconds(long pid) {
        return LaunchBench.read(pid).selfTicks() / 100.0;
    }

    /** utime + stime of a {@code /proc/<pid>/stat} line in seconds, by {@link LaunchBench#parseStat}. */
    static double cpuSecondsOfStat(String stat) {
        return LaunchBench.parseStat(stat, 4).selfTicks() / 100.0;
    }

    static double rssMiB(long pid) {
        return LaunchBench.read(pid).rssKiB() / 1024.0;
    }

    /** {@code <name>_sum}, {@code _count} and {@code _max} of a Prometheus timer (zero when absent). */
    static Delay delay(String metrics, String name) {
        return new Delay(value(metrics, name + "_sum"), value(metrics, name + "_count"), value(metrics, name + "_max"));
    }

    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + "(?:\\{[^}]*})?\\s+([0-9.eE+-]+)", Pattern.MULTILINE).matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static double cores(Sample from, Sample to) {
        return (to.cpuSeconds() - from.cpuSeconds()) / ((to.nanos() - from.nanos()) / 1e9);
    }

    private static String ratio(double x, double base) {
        return base <= 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", x / base);
    }

    private static String mib(Double v) {
        return v == null ? "?" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String seconds(long nanos) {
        return nanos < 0 ? "not within 180 s" : String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    private void line(String format, Object... args) {
        String l = String.format(Locale.ROOT, format, args);
        lines.add(l);
        err.println("fleet bench: " + l);
        err.flush();
    }
}
