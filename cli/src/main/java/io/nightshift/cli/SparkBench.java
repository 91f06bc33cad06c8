package io.nightshift.cli;

import io.nightshift.agent.AgentSettings;
import io.nightshift.agent.process.CgroupV1;
import io.nightshift.agent.process.Isolation;
import io.nightshift.api.Resources;
import io.nightshift.agent.fetch.FetchSettings;
import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.config.Config;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.state.JobState;
import io.nightshift.coordinator.CoordinatorSettings;
import io.nightshift.testkit.LocalCluster;
import io.nightshift.testkit.SparkHome;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.launcher.SparkLauncher;

/**
 * {@code nightshift bench --spark N}: wall time of the example Spark ETL and the MapReduce word count through Nightshift
 * against the same application launched plainly, in the same run, N rounds alternating (plain first), medians.
 *
 * <ul>
 *   <li>Spark ETL over a generated CSV (local files): through Nightshift, a spark job ({@value #CPUS} cpus, 1024 MiB:
 *       master {@code local[2]}, driver memory 768m), its jar an artifact from a {@code file:} URI, timed from submit
 *       to SUCCEEDED; plain, a {@link SparkLauncher} program ({@code launch()}, then waiting for the driver JVM to
 *       exit) with the same Spark home, master, driver memory, conf, jar, class and arguments.</li>
 *   <li>Word count over a generated text: through Nightshift, a hadoop job ({@value #CPUS} cpus, local job runner,
 *       768m heap); plain, a {@code java -Xmx768m -cp <jar>:<spark home>/jars/* WordCount <in> <out>}, as
 *       {@code hadoop jar} does it.</li>
 * </ul>
 * Both sides get the same resources: the job asks for {@value #CPUS} cpus and 1024 MiB (its attempt's cgroups: CFS
 * quota and memory limit), and where the agent uses cgroups each plain launch runs in a cgroup of its own beside the
 * job's attempts (same parent, so the same place in the machine's CPU hierarchy, and the same limits), joined before
 * anything of it runs; without cgroups both run unconstrained. Each Nightshift run is also split at the attempt's RUNNING
 * ({@code startedAt}) and at its leader's exit (the sandbox's {@code exit} file, written at the exit): submit →
 * RUNNING is ours (queue, offer, fetch, launch; for Spark also spark-submit's launcher JVM, which the plain launch
 * runs too), RUNNING → exit is the driver's, exit → SUCCEEDED is ours again (reaping, cgroups, report).
 * Ratio = Nightshift's median ÷ the plain median (target ≤ 1.05). The machine's load average is printed with the
 * figures, since a driver's start-up time moves with it.
 */
final class SparkBench {
    /** Rows of the ETL's input CSV and lines of the word count's text. */
    static final int ETL_ROWS = 200_000, TEXT_LINES = 200_000;
    static final String ETL = "io.nightshift.examples.spark.SparkEtl", WORDCOUNT = "io.nightshift.examples.hadoop.WordCount";
    /** The cpus of each job, and the N of the Spark master local[N] on both sides: the agent machine's two cores. */
    static final int CPUS = 2;
    /** How often the bench's client asks for the job's state while it runs. */
    static final long POLL_MS = 500;

    /** One Nightshift run in seconds: submit → RUNNING, RUNNING → the leader's exit, exit → SUCCEEDED. */
    record Phases(double toRunning, double running, double toSucceeded) {
        double total() { return toRunning + running + toSucceeded; }
    }

    /**
     * The bench's own JVM (coordinator, agent, client; the drivers are other processes) in CPU seconds per 10 s of
     * wall time, while the plain launches ran and while the Nightshift jobs ran (medians over the runs).
     */
    record OwnCpu(List<Double> duringPlain, List<Double> duringNightshift) {
        static OwnCpu empty() {
            return new OwnCpu(new ArrayList<>(), new ArrayList<>());
        }
    }

    record Result(int rounds, List<Double> etlPlain, List<Phases> etlNightshift, List<Double> wcPlain,
                  List<Phases> wcNightshift, String loadBefore, String loadAfter, boolean plainInCgroup, OwnCpu ownCpu) {
        double ratioEtl() { return median(totals(etlNightshift)) / median(etlPlain); }
        double ratioWc() { return median(totals(wcNightshift)) / median(wcPlain); }
    }

    private final int rounds;
    private final Path dir;
    private final PrintWriter err;

    SparkBench(int rounds, Path dir, PrintWriter err) {
        this.rounds = rounds;
        this.dir = dir;
        this.err = err;
    }

    Result run(Config base) throws Exception {
        SparkHome home = SparkHome.require();
        Path jar = ExampleJars.examples(dir.resolve("apps/examples.jar"));
        Path csv = writeCsv(dir.resolve("data/events.csv"));
        Path text = writeText(dir.resolve("data/words.txt"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Config config = base.with(CoordinatorSettings.PORT, "0")
                .with(CoordinatorSettings.DATA_DIR, dir.resolve("coordinator").toString())
                .with(CoordinatorSettings.CLUSTER_NAME, "spark-bench-" + ProcessHandle.current().pid())
                .with(AgentSettings.WORK_DIR, dir.resolve("agent").toString())
                .with(AgentSettings.CPUS, "2").with(AgentSettings.MEM_MB, "4096")
                .with(FetchSettings.FILE_ALLOWED_DIRS, dir.resolve("apps").toString());
        String loadBefore = loadAverage();
        List<Double> etlPlain = new ArrayList<>(), wcPlain = new ArrayList<>();
        List<Phases> etlNs = new ArrayList<>(), wcNs = new ArrayList<>();
        Path sandboxes = dir.resolve("agent").resolve("sandboxes");
        boolean confined;
        OwnCpu own = OwnCpu.empty();
        try (LocalCluster cluster = LocalCluster.start(config, 1)) {
            NightshiftClient client = NightshiftClient.connect(cluster.url(), NightshiftClient.DEFAULT_REQUEST_TIMEOUT,
                    cluster.adminToken());
            // the groups of the agent's attempts: the plain launches get theirs beside them
            CgroupV1 cgroups = Isolation.detectFor(true, client.agents().get(0).id(), dir.resolve("agent")).cgroups();
            confined = cgroups != null;
            for (int round = 1; round <= rounds; round++) {
                int r = round;
                etlPlain.add(ownCpu(own.duringPlain(), () -> plainSpark(cgroups, home, java, jar, csv, dir.resolve("out/etl-plain-" + r))));
                etlNs.add(ownCpu(own.duringNightshift(), () -> timeJob(client, sandboxes, "spark-bench-etl-" + r,
                        sparkJob("spark-bench-etl-" + r, jar, csv, dir.resolve("out/etl-ns-" + r)))));
                wcPlain.add(ownCpu(own.duringPlain(), () -> plainHadoop(cgroups, home, java, jar, text, dir.resolve("out/wc-plain-" + r))));
                wcNs.add(ownCpu(own.duringNightshift(), () -> timeJob(client, sandboxes, "spark-bench-wc-" + r,
                        hadoopJob("spark-bench-wc-" + r, jar, text, dir.resolve("out/wc-ns-" + r)))));
                err.printf(Locale.ROOT, "round %d: etl plain %.2f s, nightshift %s; wordcount plain %.2f s, nightshift %s;"
                                + " this JVM's CPU s per 10 s: %s while plain, %s while a job ran%n",
                        round, etlPlain.get(round - 1), split(etlNs.get(round - 1)), wcPlain.get(round - 1),
                        split(wcNs.get(round - 1)), last2(own.duringPlain()), last2(own.duringNightshift()));
                err.flush();
            }
        }
        return new Result(rounds, etlPlain, etlNs, wcPlain, wcNs, loadBefore, loadAverage(), confined, own);
    }

    interface Run<T> {
        T run() throws Exception;
    }

    /** Runs {@code run} and adds this JVM's CPU seconds per 10 s of wall time meanwhile to {@code into}. */
    static <T> T ownCpu(List<Double> into, Run<T> run) throws Exception {
        long cpu0 = processCpuNanos(), t0 = System.nanoTime();
        T t = run.run();
        long cpu = processCpuNanos() - cpu0, wall = System.nanoTime() - t0;
        if (cpu0 >= 0 && wall > 0) into.add(10.0 * cpu / wall);
        return t;
    }

    /** This JVM's CPU time (every thread, user + system), or -1 when the platform does not tell. */
    static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    static String summary(Result r) {
        return String.format(Locale.ROOT, """
                spark/hadoop drivers, median of %d alternating rounds (load average before %s, after %s)
                  each plain launch %s
                  spark ETL, %,d CSV rows -> Parquet by date (local[%d], driver 768m; the job %d cpus):
                    plain SparkLauncher (launch, wait for the JVM): %7.2f s   (baseline)
                    nightshift spark job (submit -> SUCCEEDED):     %7.2f s   ratio %.3f
                      of which (medians) %s
                  mapreduce word count, %,d lines (local job runner, 768m; the job %d cpus):
                    plain java -cp jar:spark-home/jars/* WordCount: %7.2f s   (baseline)
                    nightshift hadoop job (submit -> SUCCEEDED):    %7.2f s   ratio %.3f
                      of which (medians) %s
                  this JVM (coordinator, agent, client), CPU s per 10 s (medians): %.2f while a plain launch ran, \
                %.2f while a job ran""",
                r.rounds(), r.loadBefore(), r.loadAfter(), r.plainInCgroup()
                        ? "in a cgroup beside the job's attempts, with the same limits (" + CPUS + " cpus, 1024 MiB)"
                        : "unconstrained (the agent uses no cgroups here, nor the job)", ETL_ROWS, CPUS, CPUS, median(r.etlPlain()),
                median(totals(r.etlNightshift())), r.ratioEtl(), split(medians(r.etlNightshift())), TEXT_LINES, CPUS,
                median(r.wcPlain()), median(totals(r.wcNightshift())), r.ratioWc(), split(medians(r.wcNightshift())),
                medianOr0(r.ownCpu().duringPlain()), medianOr0(r.ownCpu().duringNightshift()));
    }

    private static double medianOr0(List<Double> xs) {
        return xs.isEmpty() ? 0 : median(xs);
    }

    /** {@code submit->RUNNING 0.41 s, RUNNING->exit 20.12 s, exit->SUCCEEDED 0.05 s}. */
    static String split(Phases p) {
        return String.format(Locale.ROOT, "submit->RUNNING %.2f s, RUNNING->exit %.2f s, exit->SUCCEEDED %.2f s",
                p.toRunning(), p.running(), p.toSucceeded());
    }

    static List<Double> totals(List<Phases> ps) {
        return ps.stream().map(Phases::total).toList();
    }

    /** Each phase's median on its own (they need not add up to the median total). */
    static Phases medians(List<Phases> ps) {
        return new Phases(median(ps.stream().map(Phases::toRunning).toList()), median(ps.stream().map(Phases::running).toList()),
                median(ps.stream().map(Phases::toSucceeded).toList()));
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** The Spark conf both runs use (the agent adds spark.local.dir in the sandbox; the plain run in its own dir). */
    static Map<String, String> conf() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("spark.ui.port", "0");
        c.put("spark.sql.shuffle.partitions", "2");
        c.put("spark.log.structuredLogging.enabled", "false");
        return c;
    }

    /** The limits of each job, which each plain launch gets too. */
    static final Resources LIMITS = new Resources(CPUS, 1024, 0, 0);

    private double plainSpark(CgroupV1 cgroups, SparkHome home, Path java, Path jar, Path csv, Path out) throws Exception {
        Path local = Files.createDirectories(out.resolveSibling(out.getFileName() + "-local"));
        CgroupV1.Group group = cgroups == null ? null : cgroups.create("spark-bench-plain-" + out.getFileName(), LIMITS);
        Map<String, String> env = new LinkedHashMap<>(Map.of("SPARK_LOCAL_IP", "127.0.0.1"));
        // the Spark home's spark-submit joins these before anything runs (a plain spark-submit would use cgexec)
        if (group != null) env.put("NIGHTSHIFT_CGROUP_PROCS", procs(group));
        SparkLauncher l = new SparkLauncher(env).setSparkHome(home.path().toString())
                .setJavaHome(java.getParent().getParent().toString())
                .setMaster("local[" + CPUS + "]").setDeployMode("client").setAppName("spark-bench-plain")
                .setConf(SparkLauncher.DRIVER_MEMORY, "768m").setConf("spark.local.dir", local.toString())
                .setAppResource(jar.toString()).setMainClass(ETL).addAppArgs(csv.toString(), out.toString())
                .redirectOutput(out.resolveSibling(out.getFileName() + ".stdout").toFile())
                .redirectError(out.resolveSibling(out.getFileName() + ".stderr").toFile());
        conf().forEach(l::setConf);
        try {
            long t0 = System.nanoTime();
            Process p = l.launch();
            return awaitExit(p, t0, "the plain Spark ETL", out.resolveSibling(out.getFileName() + ".stderr"));
        } finally {
            release(group);
        }
    }

    private double plainHadoop(CgroupV1 cgroups, SparkHome home, Path java, Path jar, Path text, Path out) throws Exception {
        Path tmp = Files.createDirectories(out.resolveSibling(out.getFileName() + "-tmp"));
        CgroupV1.Group group = cgroups == null ? null : cgroups.create("spark-bench-plain-" + out.getFileName(), LIMITS);
        List<String> argv = new ArrayList<>();
        if (group != null) // joins the group, then execs the JVM (same pid): like cgexec
            argv.addAll(List.of("/bin/sh", "-c", "IFS=:; for f in $NS_PROCS; do echo $$ > \"$f\"; done; exec \"$@\"", "sh"));
        argv.addAll(List.of(java.toString(), "-Xmx768m", "-Dhadoop.tmp.dir=" + tmp,
                "-cp", jar + ":" + home.jarsClasspath(), WORDCOUNT, text.toString(), out.toString()));
        ProcessBuilder pb = new ProcessBuilder(argv)
                .redirectOutput(out.resolveSibling(out.getFileName() + ".stdout").toFile())
                .redirectError(out.resolveSibling(out.getFileName() + ".stderr").toFile());
        if (group != null) pb.environment().put("NS_PROCS", procs(group));
        try {
            long t0 = System.nanoTime();
            return awaitExit(pb.start(), t0, "the plain word count", out.resolveSibling(out.getFileName() + ".stderr"));
        } finally {
            release(group);
        }
    }

    /** Removes a plain launch's group once its last member is gone (the kernel refuses while one is exiting). */
    private static void release(CgroupV1.Group group) throws InterruptedException {
        for (int i = 0; group != null && !group.remove() && i < 50; i++) Thread.sleep(100);
    }

    private static String procs(CgroupV1.Group group) {
        return String.join(":", group.procsFiles().stream().map(Path::toString).toList());
    }

    private static double awaitExit(Process p, long t0, String what, Path stderr) throws Exception {
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new CliException(CliException.FAILED, what + " did not end within 15 minutes");
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0)
            throw new CliException(CliException.FAILED, what + " exited " + p.exitValue() + ": " + tail(stderr));
        return s;
    }

    private static String tail(Path f) {
        try {
            String s = Files.readString(f);
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no stderr)";
        }
    }

    private static String sparkJob(String id, Path jar, Path csv, Path out) {
        Map<String, Object> spark = new LinkedHashMap<>();
        spark.put("appResource", "app/examples.jar");
        spark.put("mainClass", ETL);
        spark.put("appArgs", List.of(csv.toString(), out.toString()));
        spark.put("conf", conf());
        return Json.write(Map.of("id", id, "type", "spark", "resources", Map.of("cpus", CPUS, "memMb", 1024),
                "env", Map.of("SPARK_LOCAL_IP", "127.0.0.1"),
                "artifacts", List.of(Map.of("uri", jar.toUri().toString(), "destination", "app/examples.jar")),
                "spark", spark));
    }

    private static String hadoopJob(String id, Path jar, Path text, Path out) {
        return Json.write(Map.of("id", id, "type", "hadoop", "resources", Map.of("cpus", CPUS, "memMb", 1024),
                "artifacts", List.of(Map.of("uri", jar.toUri().toString(), "destination", "wordcount.jar")),
                "hadoop", Map.of("jar", "wordcount.jar", "mainClass", WORDCOUNT, "args", List.of(text.toString(), out.toString()))));
    }

    /**
     * Submits the job and returns its phases, from the submit to its SUCCEEDED, split at its attempt's RUNNING and at
     * the leader's exit (the mtime of the sandbox's exit file). The end is the job's {@code finishedAt} as the
     * coordinator recorded it, so the job is polled only every {@value #POLL_MS} ms: a client polling every 20 ms (as
     * before) cost this JVM, which hosts the coordinator and the agent too, about a tenth of a 2-core machine while
     * the driver ran, on the Nightshift side only. Wall-clock instants: the coordinator's and the agent's are this
     * machine's.
     */
    private static Phases timeJob(NightshiftClient client, Path sandboxes, String id, String json) throws Exception {
        Instant submitted = Instant.now();
        client.submitRaw(json.getBytes(StandardCharsets.UTF_8), "application/json");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        while (System.nanoTime() < deadline) {
            JobDetail d = client.get(id);
            JobState s = d.job().state();
            if (s.isTerminal()) {
                Instant succeeded = d.job().finishedAt() != null ? d.job().finishedAt() : Instant.now();
                if (s != JobState.SUCCEEDED)
                    throw new CliException(CliException.FAILED, "job " + id + " ended " + s + ": "
                            + client.logs(id, NightshiftClient.Stream.STDERR, 40));
                Attempt a = d.runs().get(d.runs().size() - 1).tasks().get(0).attempts().get(0);
                Instant exited = Files.getLastModifiedTime(sandboxes.resolve(a.id()).resolve("exit")).toInstant();
                return new Phases(seconds(submitted, a.startedAt()), seconds(a.startedAt(), exited), seconds(exited, succeeded));
            }
            Thread.sleep(POLL_MS);
        }
        throw new CliException(CliException.FAILED, "job " + id + " did not end within 15 minutes");
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    /** {@code ts,user,amount} rows over 30 days, one in 50 without a timestamp. */
    static Path writeCsv(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        StringBuilder b = new StringBuilder(ETL_ROWS * 32).append("ts,user,amount\n");
        LocalDate d0 = LocalDate.parse("2026-11-01");
        for (int i = 0; i < ETL_ROWS; i++) {
            if (i % 50 == 49) b.append(",nobody,1.0\n");
            else b.append(d0.plusDays(i % 30)).append('T').append(String.format(Locale.ROOT, "%02d:%02d:00", i % 24, i % 60))
                    .append(",user").append(i % 997).append(',').append(i % 1000).append(".25\n");
        }
        return Files.writeString(file, b);
    }

    /** Lines of words from a small vocabulary. */
    static Path writeText(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        String[] words = {"night", "shift", "jobs", "run", "the", "day", "is", "for", "people", "spark", "hadoop", "map",
                "reduce", "driver", "agent", "queue"};
        StringBuilder b = new StringBuilder(TEXT_LINES * 48);
        for (int i = 0; i < TEXT_LINES; i++) {
            for (int w = 0; w < 8; w++) b.append(words[(i * 7 + w * 3) % words.length]).append(w == 7 ? '\n' : ' ');
        }
        return Files.writeString(file, b);
    }

    private static String last2(List<Double> xs) {
        return xs.subList(Math.max(0, xs.size() - 2), xs.size()).stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList().toString();
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
