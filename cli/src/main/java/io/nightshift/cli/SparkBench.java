package io.nightshift.cli;

import io.nightshift.agent.AgentSettings;
import io.nightshift.agent.fetch.FetchSettings;
import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.config.Config;
import io.nightshift.api.json.Json;
import io.nightshift.api.state.JobState;
import io.nightshift.coordinator.CoordinatorSettings;
import io.nightshift.testkit.LocalCluster;
import io.nightshift.testkit.SparkHome;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 *   <li>Spark ETL over a generated CSV (local files): through Nightshift, a spark job (1 cpu, 1024 MiB: master
 *       {@code local[1]}, driver memory 768m), its jar an artifact from a {@code file:} URI, timed from submit to
 *       SUCCEEDED; plain, a {@link SparkLauncher} program ({@code launch()}, then waiting for the driver JVM to exit)
 *       with the same Spark home, master, driver memory, conf, jar, class and arguments.</li>
 *   <li>Word count over a generated text: through Nightshift, a hadoop job (local job runner, 768m heap); plain, a
 *       {@code java -Xmx768m -cp <jar>:<spark home>/jars/* WordCount <in> <out>}, as {@code hadoop jar} does it.</li>
 * </ul>
 * Ratio = Nightshift's median ÷ the plain median (target ≤ 1.05). The machine's load average is printed with the
 * figures, since a driver's start-up time moves with it.
 */
final class SparkBench {
    /** Rows of the ETL's input CSV and lines of the word count's text. */
    static final int ETL_ROWS = 200_000, TEXT_LINES = 200_000;
    static final String ETL = "io.nightshift.examples.spark.SparkEtl", WORDCOUNT = "io.nightshift.examples.hadoop.WordCount";

    record Result(int rounds, List<Double> etlPlain, List<Double> etlNightshift, List<Double> wcPlain,
                  List<Double> wcNightshift, String loadBefore, String loadAfter) {
        double ratioEtl() { return median(etlNightshift) / median(etlPlain); }
        double ratioWc() { return median(wcNightshift) / median(wcPlain); }
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
        List<Double> etlPlain = new ArrayList<>(), etlNs = new ArrayList<>(), wcPlain = new ArrayList<>(), wcNs = new ArrayList<>();
        try (LocalCluster cluster = LocalCluster.start(config, 1)) {
            NightshiftClient client = NightshiftClient.connect(cluster.url(), NightshiftClient.DEFAULT_REQUEST_TIMEOUT,
                    cluster.adminToken());
            for (int round = 1; round <= rounds; round++) {
                etlPlain.add(plainSpark(home, java, jar, csv, dir.resolve("out/etl-plain-" + round)));
                etlNs.add(timeJob(client, "spark-bench-etl-" + round, sparkJob("spark-bench-etl-" + round, jar, csv,
                        dir.resolve("out/etl-ns-" + round))));
                wcPlain.add(plainHadoop(home, java, jar, text, dir.resolve("out/wc-plain-" + round)));
                wcNs.add(timeJob(client, "spark-bench-wc-" + round, hadoopJob("spark-bench-wc-" + round, jar, text,
                        dir.resolve("out/wc-ns-" + round))));
                err.printf(Locale.ROOT, "round %d: etl plain %.2f s, nightshift %.2f s; wordcount plain %.2f s, nightshift %.2f s%n",
                        round, etlPlain.get(round - 1), etlNs.get(round - 1), wcPlain.get(round - 1), wcNs.get(round - 1));
                err.flush();
            }
        }
        return new Result(rounds, etlPlain, etlNs, wcPlain, wcNs, loadBefore, loadAverage());
    }

    static String summary(Result r) {
        return String.format(Locale.ROOT, """
                spark/hadoop drivers, median of %d alternating rounds (load average before %s, after %s)
                  spark ETL, %,d CSV rows -> Parquet by date (local[1], driver 768m):
                    plain SparkLauncher (launch, wait for the JVM): %7.2f s   (baseline)
                    nightshift spark job (submit -> SUCCEEDED):     %7.2f s   ratio %.3f
                  mapreduce word count, %,d lines (local job runner, 768m):
                    plain java -cp jar:spark-home/jars/* WordCount: %7.2f s   (baseline)
                    nightshift hadoop job (submit -> SUCCEEDED):    %7.2f s   ratio %.3f""",
                r.rounds(), r.loadBefore(), r.loadAfter(), ETL_ROWS, median(r.etlPlain()), median(r.etlNightshift()),
                r.ratioEtl(), TEXT_LINES, median(r.wcPlain()), median(r.wcNightshift()), r.ratioWc());
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

    private double plainSpark(SparkHome home, Path java, Path jar, Path csv, Path out) throws Exception {
        Path local = Files.createDirectories(out.resolveSibling(out.getFileName() + "-local"));
        Map<String, String> env = Map.of("SPARK_LOCAL_IP", "127.0.0.1");
        SparkLauncher l = new SparkLauncher(env).setSparkHome(home.path().toString())
                .setJavaHome(java.getParent().getParent().toString())
                .setMaster("local[1]").setDeployMode("client").setAppName("spark-bench-plain")
                .setConf(SparkLauncher.DRIVER_MEMORY, "768m").setConf("spark.local.dir", local.toString())
                .setAppResource(jar.toString()).setMainClass(ETL).addAppArgs(csv.toString(), out.toString())
                .redirectOutput(out.resolveSibling(out.getFileName() + ".stdout").toFile())
                .redirectError(out.resolveSibling(out.getFileName() + ".stderr").toFile());
        conf().forEach(l::setConf);
        long t0 = System.nanoTime();
        Process p = l.launch();
        return awaitExit(p, t0, "the plain Spark ETL", out.resolveSibling(out.getFileName() + ".stderr"));
    }

    private double plainHadoop(SparkHome home, Path java, Path jar, Path text, Path out) throws Exception {
        Path tmp = Files.createDirectories(out.resolveSibling(out.getFileName() + "-tmp"));
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx768m", "-Dhadoop.tmp.dir=" + tmp,
                "-cp", jar + ":" + home.jarsClasspath(), WORDCOUNT, text.toString(), out.toString())
                .redirectOutput(out.resolveSibling(out.getFileName() + ".stdout").toFile())
                .redirectError(out.resolveSibling(out.getFileName() + ".stderr").toFile());
        long t0 = System.nanoTime();
        return awaitExit(pb.start(), t0, "the plain word count", out.resolveSibling(out.getFileName() + ".stderr"));
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
        return Json.write(Map.of("id", id, "type", "spark", "resources", Map.of("cpus", 1, "memMb", 1024),
                "env", Map.of("SPARK_LOCAL_IP", "127.0.0.1"),
                "artifacts", List.of(Map.of("uri", jar.toUri().toString(), "destination", "app/examples.jar")),
                "spark", spark));
    }

    private static String hadoopJob(String id, Path jar, Path text, Path out) {
        return Json.write(Map.of("id", id, "type", "hadoop", "resources", Map.of("cpus", 1, "memMb", 1024),
                "artifacts", List.of(Map.of("uri", jar.toUri().toString(), "destination", "wordcount.jar")),
                "hadoop", Map.of("jar", "wordcount.jar", "mainClass", WORDCOUNT, "args", List.of(text.toString(), out.toString()))));
    }

    /** Submits the job and returns the seconds from the submit to its SUCCEEDED (polled every 20 ms). */
    private static double timeJob(NightshiftClient client, String id, String json) throws InterruptedException {
        long t0 = System.nanoTime();
        client.submitRaw(json.getBytes(StandardCharsets.UTF_8), "application/json");
        long deadline = t0 + TimeUnit.MINUTES.toNanos(15);
        while (System.nanoTime() < deadline) {
            JobState s = client.get(id).job().state();
            if (s.isTerminal()) {
                double secs = (System.nanoTime() - t0) / 1e9;
                if (s != JobState.SUCCEEDED)
                    throw new CliException(CliException.FAILED, "job " + id + " ended " + s + ": "
                            + client.logs(id, NightshiftClient.Stream.STDERR, 40));
                return secs;
            }
            Thread.sleep(20);
        }
        throw new CliException(CliException.FAILED, "job " + id + " did not end within 15 minutes");
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

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
