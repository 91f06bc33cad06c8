package io.nightshift.cli;

import io.nightshift.agent.Agent;
import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.client.NightshiftException;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.testkit.AgentProcess;
import io.nightshift.testkit.CoordinatorProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code nightshift bench} without {@code --coordinator}: the launch path against the machine's floor, in one
 * run so that both see the same load.
 *
 * <ol>
 *   <li><b>Floor</b>: the jobs' own command ({@code /bin/mkdir <dir>/<n>}), started N times by a plain loop in
 *       this JVM: {@link ProcessBuilder} (the JDK's posix_spawn through jspawnhelper, stdin from /dev/null,
 *       output discarded) and {@link Process#waitFor()}, on as many threads as the agent has launch threads
 *       ({@value Agent#LAUNCH_THREADS}).</li>
 *   <li><b>Cluster</b>: a coordinator and an agent, each in a JVM of its own (the coordinator with its
 *       embedded Hazelcast member and its durable SQLite store in a temporary data directory); this JVM is
 *       only the client, so its own CPU is outside what is measured (and printed apart).</li>
 *   <li><b>Idle</b>: {@value #IDLE_JOBS} jobs one at a time: submit→RUNNING of a single job on an idle
 *       cluster.</li>
 *   <li><b>Burst</b>: N jobs with {@code concurrency} submits in flight: jobs/s end to end (first submit to
 *       last job ended) against the floor's commands/s, submit→RUNNING, submit acknowledged, and CPU per job
 *       from {@code /proc/<pid>/stat} before and after (utime+stime of the coordinator, of the agent, and
 *       cutime+cstime of the agent: the task processes it reaped).</li>
 *   <li><b>Paced</b>: min(N, 1000) jobs submitted open-loop at {@value #PACED_RATE}/s: submit acknowledged
 *       (201, durable) p50/p99.</li>
 *   <li><b>Exactly once</b>: each job's command makes a directory named after the job (mkdir fails when it
 *       exists), so every job must have its directory, have SUCCEEDED, and have exactly one attempt.</li>
 * </ol>
 * Memory: the agent's RSS idle (before the first job) and after the run, the coordinator's RSS and used
 * heap after the run.
 */
final class LaunchBench {
    static final int IDLE_JOBS = 50;
    static final double PACED_RATE = 200;
    private static final String MKDIR = "/bin/mkdir";

    private final int jobs;
    private final int concurrency;
    private final Duration timeout;
    private final Path dir;
    private final PrintWriter err;
    private final String runId;

    LaunchBench(int jobs, int concurrency, Duration timeout, Path dir, PrintWriter err, String runId) {
        this.jobs = jobs;
        this.concurrency = concurrency;
        this.timeout = timeout;
        this.dir = dir;
        this.err = err;
        this.runId = runId;
    }

    /** utime+stime of a process and cutime+cstime (its reaped children), in clock ticks; its RSS in KiB. */
    record ProcCpu(long selfTicks, long childTicks, long rssKiB) {
        ProcCpu minus(ProcCpu before) {
            return new ProcCpu(selfTicks - before.selfTicks, childTicks - before.childTicks, rssKiB);
        }
    }

    /**
     * Parses {@code /proc/<pid>/stat}: the fields after the command name (which is in parentheses and may hold
     * spaces) start with field 3; utime, stime, cutime, cstime are fields 14-17, rss (pages) field 24.
     */
    static ProcCpu parseStat(String stat, long pageKiB) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long utime = Long.parseLong(f[14 - 3]), stime = Long.parseLong(f[15 - 3]);
        long cutime = Long.parseLong(f[16 - 3]), cstime = Long.parseLong(f[17 - 3]);
        long rss = Long.parseLong(f[24 - 3]);
        return new ProcCpu(utime + stime, cutime + cstime, rss * pageKiB);
    }

    static ProcCpu read(long pid) {
        try {
            return parseStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII), 4);
        } catch (IOException e) {
            throw new CliException(CliException.FAILED, "cannot read /proc/" + pid + "/stat: " + e.getMessage(), e);
        }
    }

    /** Clock ticks per second (USER_HZ): 100 on every Linux we know; asked of getconf when it is there. */
    static long ticksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor() == 0) return Long.parseLong(out);
        } catch (IOException | NumberFormatException e) {
            // fall through
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The floor: {@code n} commands, {@code parallelism} at a time, in this JVM. */
    record Floor(int commands, int parallelism, double seconds, int failures, long cpuTicks, String mechanism) {
        double perSecond() {
            return commands / seconds;
        }
    }

    static Floor floor(int n, int parallelism, Path dir) throws InterruptedException, IOException {
        Files.createDirectories(dir);
        long self = ProcessHandle.current().pid();
        ProcCpu before = read(self);
        AtomicInteger next = new AtomicInteger(), failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < parallelism; t++) {
            workers.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    try {
                        Process p = new ProcessBuilder(MKDIR, dir.resolve(Integer.toString(i)).toString())
                                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                        if (p.waitFor() != 0) failures.incrementAndGet();
                    } catch (IOException e) {
                        failures.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        ProcCpu d = read(self).minus(before);
        String mechanism = io.nightshift.agent.process.LaunchMechanism.current();
        return new Floor(n, parallelism, seconds, failures.get(), d.selfTicks() + d.childTicks(),
                mechanism == null ? "JDK default" : mechanism);
    }

    /** Everything the launch bench prints. */
    record Result(Floor floor, Bench.Result idle, Bench.Result burst, Bench.Result paced, ProcCpu coordinator,
                  ProcCpu agent, ProcCpu client, long ticksPerSecond, long agentIdleRssKiB, long agentRssKiB,
                  long coordinatorRssKiB, Double coordinatorHeapMiB, int checked, int missing, int notOnce,
                  String loadBefore, String loadAfter) {
        double ratio() {
            return burst.jobsPerSecond() / floor.perSecond();
        }

        boolean ok() {
            return floor.failures() == 0 && idle.failures() == 0 && burst.failures() == 0 && paced.failures() == 0
                    && missing == 0 && notOnce == 0;
        }
    }

    Result run() throws Exception {
        String loadBefore = loadAverage();
        long hz = ticksPerSecond();
        err.println("bench: floor, " + jobs + " x " + MKDIR + ", " + Agent.LAUNCH_THREADS + " at a time");
        err.flush();
        Floor floor = floor(jobs, Agent.LAUNCH_THREADS, dir.resolve("floor"));
        Path launches = Files.createDirectories(dir.resolve("launches"));
        err.println("bench: starting a coordinator and an agent in JVMs of their own");
        err.flush();
        try (CoordinatorProcess coordinator = CoordinatorProcess.start(dir.resolve("coordinator.log"), "--port", "0",
                "--data-dir", dir.resolve("coordinator").toString(), "--cluster-name", "bench-" + runId);
             AgentProcess agent = AgentProcess.start(coordinator.url(), coordinator.adminToken(), "bench-agent",
                     dir.resolve("agent"))) {
            NightshiftClient client = NightshiftClient.connect(coordinator.url(), Duration.ofSeconds(30),
                    coordinator.adminToken());
            BenchCommand.awaitAgent(client, Duration.ofSeconds(120)); // a JVM start under load takes a while
            long agentIdleRss = read(agent.pid()).rssKiB();
            java.util.function.BiFunction<String, String, JobSpec> specs = (id, run) -> JobSpec
                    .command(MKDIR, launches.resolve(id).toString()).id(id).name("bench").resources(0.01, 16)
                    .labels(Map.of("bench", run)).build();

            err.println("bench: " + IDLE_JOBS + " jobs one at a time");
            err.flush();
            Bench.Result idle = new Bench(client, IDLE_JOBS, 1, timeout, err, runId + "i", specs, 0).run("idle");

            long me = ProcessHandle.current().pid();
            ProcCpu c0 = read(coordinator.pid()), a0 = read(agent.pid()), m0 = read(me);
            err.println("bench: " + jobs + " jobs, " + concurrency + " submits in flight");
            err.flush();
            Bench burstBench = new Bench(client, jobs, concurrency, timeout, err, runId + "b", specs, 0);
            Bench.Result burst = burstBench.run("burst");
            ProcCpu c1 = read(coordinator.pid()), a1 = read(agent.pid()), m1 = read(me);

            int paced = Math.min(jobs, 1000);
            err.println("bench: " + paced + " jobs at " + (int) PACED_RATE + " submits/s");
            err.flush();
            Bench pacedBench = new Bench(client, paced, concurrency, timeout, err, runId + "p", specs, PACED_RATE);
            Bench.Result pacedResult = pacedBench.run("paced");
            String loadAfter = loadAverage();

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < IDLE_JOBS; i++) ids.add("bench-" + runId + "i-" + i);
            for (int i = 0; i < jobs; i++) ids.add("bench-" + runId + "b-" + i);
            for (int i = 0; i < paced; i++) ids.add("bench-" + runId + "p-" + i);
            int missing = 0, notOnce = 0;
            for (String id : ids) {
                if (!Files.isDirectory(launches.resolve(id))) missing++;
                if (attempts(client, id) != 1) notOnce++;
            }
            ProcCpu agentEnd = read(agent.pid()), coordinatorEnd = read(coordinator.pid());
            return new Result(floor, idle, burst, pacedResult, c1.minus(c0), a1.minus(a0), m1.minus(m0), hz,
                    agentIdleRss, agentEnd.rssKiB(), coordinatorEnd.rssKiB(), BenchCommand.remoteHeapMiB(client),
                    ids.size(), missing, notOnce, loadBefore, loadAfter);
        }
    }

    /** Attempts of a job over all its runs and tasks; -1 when it cannot be read or has not SUCCEEDED. */
    private static int attempts(NightshiftClient client, String id) {
        try {
            JobDetail d = client.get(id);
            if (d.job().state() == null || !d.job().state().name().equals("SUCCEEDED")) return -1;
            return d.runs().stream().flatMap(r -> r.tasks().stream()).mapToInt(t -> t.attempts().size()).sum();
        } catch (NightshiftException e) {
            return -1;
        }
    }

    static String summary(Result r, int concurrency) {
        StringBuilder b = new StringBuilder();
        Floor f = r.floor();
        b.append(fmt("load average before %s, after %s (1, 5, 15 min)%n", r.loadBefore(), r.loadAfter()));
        b.append(fmt("floor      %,d x %s by ProcessBuilder (launch mechanism %s), %d at a time: %.2f s, %.1f/s, %.2f ms CPU each%n",
                f.commands(), MKDIR, f.mechanism(), f.parallelism(), f.seconds(), f.perSecond(), ms(f.cpuTicks(), r.ticksPerSecond()) / f.commands()));
        Bench.Result u = r.burst();
        b.append(fmt("nightshift %,d jobs (same command, 0.01 cpus), %d submits in flight: %.2f s, %.1f jobs/s = %.2f of the floor%n",
                u.jobs(), concurrency, u.seconds(), u.jobsPerSecond(), r.ratio()));
        b.append(fmt("  submit->RUNNING  p50 %s  p90 %s  p99 %s  max %s ms%n", d(u.p50()), d(u.p90()), d(u.p99()), d(u.max())));
        b.append(fmt("  submit ack (201) p50 %s  p99 %s ms%n", d(u.ackP50()), d(u.ackP99())));
        double perJob = 1.0 / Math.max(1, u.succeeded());
        b.append(fmt("  CPU per job: coordinator %.2f ms, agent %.2f ms, task processes (the agent's reaped children) %.2f ms;"
                        + " bench client (not in the path) %.2f ms%n",
                ms(r.coordinator().selfTicks(), r.ticksPerSecond()) * perJob, ms(r.agent().selfTicks(), r.ticksPerSecond()) * perJob,
                ms(r.agent().childTicks(), r.ticksPerSecond()) * perJob, ms(r.client().selfTicks(), r.ticksPerSecond()) * perJob));
        Bench.Result i = r.idle();
        b.append(fmt("idle       %d jobs one at a time: submit->RUNNING p50 %s  p99 %s ms; submit ack p50 %s  p99 %s ms%n",
                i.jobs(), d(i.p50()), d(i.p99()), d(i.ackP50()), d(i.ackP99())));
        Bench.Result p = r.paced();
        b.append(fmt("paced      %,d jobs at %.0f submits/s: submit ack (201, durable) p50 %s  p99 %s ms; submit->RUNNING p50 %s  p99 %s ms%n",
                p.jobs(), PACED_RATE, d(p.ackP50()), d(p.ackP99()), d(p.p50()), d(p.p99())));
        b.append(fmt("memory     agent RSS idle %.0f MiB, after the run %.0f MiB; coordinator RSS %.0f MiB, used heap %s MiB%n",
                r.agentIdleRssKiB() / 1024.0, r.agentRssKiB() / 1024.0, r.coordinatorRssKiB() / 1024.0,
                r.coordinatorHeapMiB() == null ? "?" : fmt("%.0f", r.coordinatorHeapMiB())));
        b.append(fmt("exactly once: %,d jobs checked, %d without their side effect, %d not SUCCEEDED with exactly one attempt%n",
                r.checked(), r.missing(), r.notOnce()));
        int failures = f.failures() + i.failures() + u.failures() + p.failures();
        if (failures > 0) b.append(fmt("FAILURES: %d (floor %d, idle %d, burst %d, paced %d)%n", failures, f.failures(),
                i.failures(), u.failures(), p.failures()));
        return b.toString();
    }

    private static double ms(long ticks, long hz) {
        return ticks * 1000.0 / hz;
    }

    private static String d(double v) {
        return Double.isNaN(v) ? "-" : fmt("%.1f", v);
    }

    private static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }
}
