package io.nightshift.cli;

import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.AppInfo;
import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.model.Task;
import io.nightshift.testkit.ArtifactServices;
import io.nightshift.testkit.HdfsServer;
import io.nightshift.testkit.SparkHome;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The demo's Spark step: the example Spark ETL (CSV → Parquet by date) and the MapReduce word count, their jar
 * fetched from the demo's artifact server, their input and output on the demo's HDFS when it runs
 * ({@code --artifact-services}), else in a directory of the demo's data. Skipped, saying why, when this build has no
 * Spark home. While a driver runs, its UI URL is printed once; at the end, where each output is.
 */
final class SparkDemo {
    static final String ETL = "spark-etl", WORDCOUNT = "wordcount";
    static final int ROWS = 2_000;

    private final PrintWriter out;
    private final Map<String, String> outputOf = new LinkedHashMap<>(); // job id -> where its output is
    private final Set<String> told = new HashSet<>();

    SparkDemo(PrintWriter out) {
        this.out = out;
    }

    /**
     * Submits both jobs; returns job id → example id (empty when skipped). {@code dataDir}: for the input and output
     * when there is no HDFS.
     */
    Map<String, String> submit(NightshiftClient client, ArtifactServices services, Path dataDir, String suffix) {
        Map<String, String> jobs = new LinkedHashMap<>();
        if (SparkHome.local().isEmpty()) {
            out.println("Spark examples skipped: this build has no Spark home (./mvnw -pl spark-home package assembles one)");
            return jobs;
        }
        try {
            List<String> jar = services.publish("nightshift-examples-" + suffix + ".jar", ExampleJars.examples());
            String jarUri = jar.get(jar.size() - 1); // HDFS when it runs, else HTTP
            String events, words, etlOut, wcOut;
            if (services.hdfs().isPresent()) {
                HdfsServer hdfs = services.hdfs().get();
                hdfs.put("/demo/events.csv", eventsCsv().getBytes(StandardCharsets.UTF_8));
                hdfs.put("/demo/words.txt", WORDS.getBytes(StandardCharsets.UTF_8));
                String base = hdfs.uri() + "/demo/";
                events = base + "events.csv";
                words = base + "words.txt";
                etlOut = base + "warehouse/events-" + suffix;
                wcOut = base + "wordcount-" + suffix;
            } else {
                Path dir = Files.createDirectories(dataDir.resolve("spark-demo"));
                events = Files.writeString(dir.resolve("events.csv"), eventsCsv()).toString();
                words = Files.writeString(dir.resolve("words.txt"), WORDS).toString();
                etlOut = dir.resolve("warehouse/events-" + suffix).toString();
                wcOut = dir.resolve("wordcount-" + suffix).toString();
            }
            String etlId = ETL + "-" + suffix, wcId = WORDCOUNT + "-" + suffix;
            Job etl = client.submitRaw(bytes(etlSpec(etlId, jarUri, events, etlOut)), "application/json");
            jobs.put(etl.id(), ETL);
            outputOf.put(etl.id(), "Parquet by date in " + etlOut);
            out.println("submitted " + etl.id() + "  (" + etl.spec().name() + ")");
            Job wc = client.submitRaw(bytes(wordCountSpec(wcId, jarUri, words, wcOut)), "application/json");
            jobs.put(wc.id(), WORDCOUNT);
            outputOf.put(wc.id(), "word<TAB>count in " + wcOut + "/part-r-00000");
            out.println("submitted " + wc.id() + "  (" + wc.spec().name() + ")");
        } catch (IOException e) {
            out.println("Spark examples skipped: cannot stage their input: " + e.getMessage());
        }
        return jobs;
    }

    /** A line the first time a job's driver UI URL (or MapReduce job id) is known while it runs; else nothing. */
    List<String> news(JobDetail d) {
        List<String> lines = new ArrayList<>();
        if (!outputOf.containsKey(d.job().id()) || d.runs() == null) return lines;
        for (JobDetail.RunDetail r : d.runs()) {
            for (Task t : r.tasks()) {
                Attempt a = t.currentAttempt();
                AppInfo app = a == null ? null : a.app();
                if (app == null || !a.state().isActive()) continue;
                if (app.driverUiUrl() != null && told.add(a.id() + " ui"))
                    lines.add(d.job().id() + ": Spark application " + (app.sparkAppId() == null ? "" : app.sparkAppId() + " ")
                            + "running, driver UI " + app.driverUiUrl() + " (while it runs)");
                if (app.hadoopJobId() != null && told.add(a.id() + " job"))
                    lines.add(d.job().id() + ": MapReduce job " + app.hadoopJobId() + " running");
            }
        }
        return lines;
    }

    /** Where each job's output is, one line each. */
    List<String> outputs() {
        List<String> lines = new ArrayList<>();
        outputOf.forEach((id, where) -> lines.add(id + " output: " + where));
        return lines;
    }

    static String etlSpec(String id, String jarUri, String input, String output) {
        Map<String, Object> spark = new LinkedHashMap<>();
        spark.put("appResource", "app/examples.jar");
        spark.put("mainClass", "io.nightshift.examples.spark.SparkEtl");
        spark.put("appArgs", List.of(input, output));
        spark.put("conf", Map.of("spark.sql.shuffle.partitions", "2", "spark.ui.port", "0"));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("id", id);
        spec.put("name", "Spark ETL: events CSV to Parquet by date");
        spec.put("type", "spark");
        spec.put("resources", Map.of("cpus", 1, "memMb", 1024));
        spec.put("maxRuntime", "PT10M");
        spec.put("env", Map.of("SPARK_LOCAL_IP", "127.0.0.1"));
        spec.put("artifacts", List.of(Map.of("uri", jarUri, "destination", "app/examples.jar")));
        spec.put("spark", spark);
        return Json.write(spec);
    }

    static String wordCountSpec(String id, String jarUri, String input, String output) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("id", id);
        spec.put("name", "Hadoop MapReduce word count");
        spec.put("type", "hadoop");
        spec.put("resources", Map.of("cpus", 1, "memMb", 1024));
        spec.put("maxRuntime", "PT10M");
        spec.put("artifacts", List.of(Map.of("uri", jarUri, "destination", "wordcount.jar")));
        spec.put("hadoop", Map.of("jar", "wordcount.jar", "mainClass", "io.nightshift.examples.hadoop.WordCount",
                "args", List.of(input, output), "conf", Map.of("mapreduce.job.reduces", "1")));
        return Json.write(spec);
    }

    static final String WORDS = """
            The night shift runs the jobs while the day shift sleeps.
            Jobs run at night; the day is for people.
            Spark drivers, MapReduce jobs and plain commands share the night.
            """;

    /** ts,user,amount rows over three days, and a few without a timestamp (the ETL drops them). */
    static String eventsCsv() {
        StringBuilder b = new StringBuilder("ts,user,amount\n");
        LocalDate d0 = LocalDate.parse("2026-11-28");
        for (int i = 0; i < ROWS; i++) {
            if (i % 100 == 99) b.append(",nobody,1.0\n");
            else b.append(d0.plusDays(i % 3)).append('T').append(String.format(Locale.ROOT, "%02d:%02d:00", i % 24, i % 60))
                    .append(",user").append(i % 37).append(',').append(i % 100).append(".5\n");
        }
        return b.toString();
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
