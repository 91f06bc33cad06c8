package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.agent.AgentSettings;
import io.nightshift.api.config.Config;
import io.nightshift.examples.spark.SparkEtl;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark drivers end to end: through the coordinator's API, a real agent, the Spark home the build assembled
 * (spark-home/), SparkLauncher and the example jobs' jar fetched from HDFS and from S3 (real HDFS and S3Proxy
 * processes). The ETL's Parquet output is read back with Parquet's own reader; a failing main ends FAILED with the
 * driver's error in the task's log; a kill, a max-runtime timeout and a revocation leave no process of the driver behind.
 * One cluster, one HDFS and one S3 for the class; every driver is a real JVM of its own.
 */
class SparkJobsIT {
    @TempDir static Path dir;
    static LocalCluster cluster;
    static Api api;
    static S3Server s3;
    static HdfsServer hdfs;
    /** Rows per day of the generated input, and rows without a timestamp (dropped by the ETL). */
    static final Map<String, Integer> ROWS_PER_DAY = new TreeMap<>(Map.of("2026-11-28", 120, "2026-11-29", 75, "2026-11-30", 33));
    static final int BAD_ROWS = 7;
    static final String WORDS = "The night shift runs the jobs.\nJobs run at night; the day is for people.\nNight, night!\n";

    @BeforeAll
    static void start() throws Exception {
        SparkHome.require();
        byte[] jar = examplesJar(dir.resolve("build"));
        s3 = S3Server.start(dir.resolve("s3"));
        s3.createBucket("jobs");
        s3.put("jobs", "spark/examples.jar", jar);
        hdfs = HdfsServer.start(dir.resolve("hdfs"));
        hdfs.put("/apps/examples.jar", jar);
        hdfs.put("/data/events.csv", eventsCsv().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        hdfs.put("/data/words.txt", WORDS.getBytes(java.nio.charset.StandardCharsets.UTF_8));

        Config base = LocalCluster.testConfig(dir).with(AgentSettings.CPUS, "4").with(AgentSettings.MEM_MB, "8192");
        base = ArtifactServices.reach(base, s3, hdfs);
        cluster = LocalCluster.start(base, 1);
        api = new Api(cluster);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
        if (s3 != null) s3.close();
        if (hdfs != null) hdfs.close();
        Procs.killAll("NIGHTSHIFT_SANDBOX=" + dir);
    }

    @Test
    void etlFromHdfsWritesParquetPartitionedByDateThatReadsBack() throws Exception {
        String out = hdfs.uri() + "/out/etl";
        String id = api.submit(sparkJob("etl", "hdfs:///apps/examples.jar", "io.nightshift.examples.spark.SparkEtl",
                "\"" + hdfs.uri() + "/data/events.csv\",\"" + out + "\"", ""));
        assertThat(awaitEnd(id)).isEqualTo("SUCCEEDED");
        String taskId = api.task(id).path("id").asText();
        String stdout = api.log(taskId, "stdout");
        int good = ROWS_PER_DAY.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(stdout).contains("rows in: " + (good + BAD_ROWS)).contains("rows out: " + good);

        FileSystem fs = hdfs.fileSystem();
        Map<String, Long> read = new TreeMap<>();
        for (FileStatus day : fs.listStatus(new org.apache.hadoop.fs.Path("/out/etl"))) {
            if (!day.isDirectory()) continue;
            assertThat(day.getPath().getName()).startsWith("date=");
            String date = day.getPath().getName().substring("date=".length());
            for (FileStatus f : fs.listStatus(day.getPath())) {
                if (!f.getPath().getName().endsWith(".parquet")) continue;
                try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(f.getPath(), new Configuration(fs.getConf())))) {
                    MessageType schema = r.getFooter().getFileMetaData().getSchema();
                    assertThat(schema.getFields()).extracting(t -> t.getName()).contains("ts", "user", "amount");
                    read.merge(date, r.getRecordCount(), Long::sum);
                }
            }
        }
        Map<String, Long> expected = new TreeMap<>();
        ROWS_PER_DAY.forEach((d, n) -> expected.put(d, (long) n));
        assertThat(read).isEqualTo(expected);
    }

    @Test
    void mlTrainingSavesAModelThatLoadsBackAndScoresAnAucOfAtLeast090OnHeldOutData() throws Exception {
        String out = hdfs.uri() + "/out/ml";
        String id = api.submit(sparkJob("ml-train", "hdfs:///apps/examples.jar", "io.nightshift.examples.spark.MlTraining",
                "\"" + out + "\",\"10000\"", ""));
        assertThat(awaitEnd(id)).isEqualTo("SUCCEEDED");
        FileSystem fs = hdfs.fileSystem();
        assertThat(fs.exists(new org.apache.hadoop.fs.Path("/out/ml/model/metadata"))).as("the saved pipeline").isTrue();
        assertThat(fs.exists(new org.apache.hadoop.fs.Path("/out/ml/model/stages"))).as("its stages").isTrue();
        assertThat(api.log(api.task(id).path("id").asText(), "stdout")).contains("loaded the model back from " + out + "/model");
        // The metrics are those of the model as loaded back from HDFS, on the 20 % held out of training.
        JsonNode metrics = Api.tree(read(fs, "/out/ml/metrics.json"));
        assertThat(metrics.path("model").asText()).isEqualTo(out + "/model");
        assertThat(metrics.path("rows").asLong()).as("held-out rows").isBetween(1500L, 2500L);
        assertThat(metrics.path("auc").asDouble()).isGreaterThanOrEqualTo(0.9);
        assertThat(metrics.path("accuracy").asDouble()).isGreaterThan(0.8);
    }

    static String read(FileSystem fs, String path) throws java.io.IOException {
        try (var in = fs.open(new org.apache.hadoop.fs.Path(path))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void aFailingMainFromS3EndsFailedWithTheDriversErrorInTheLog() {
        String id = api.submit(sparkJob("fails", "s3://jobs/spark/examples.jar", "io.nightshift.examples.spark.FailingSparkJob",
                "\"2026-12-01\"", ""));
        assertThat(awaitEnd(id)).isEqualTo("FAILED");
        JsonNode attempt = api.task(id).path("attempts").get(0);
        assertThat(attempt.path("reason").asText()).isEqualTo("EXIT_CODE");
        assertThat(api.log(api.task(id).path("id").asText(), "stderr"))
                .contains("java.lang.IllegalStateException: no input partitions for 2026-12-01");
    }

    @Test
    void aKilledDriverLeavesNoProcessAndShowedItsAppIdAndUiUrlWhileRunning() throws Exception {
        String id = api.submit(sparkJob("sleeper", "hdfs:///apps/examples.jar", "io.nightshift.examples.spark.SparkSleeper",
                "\"3600\"", ",\"killGracePeriod\":\"PT5S\""));
        String marker = awaitRunningDriver(id);
        JsonNode attempt = api.task(id).path("attempts").get(0);
        String appId = attempt.path("app").path("sparkAppId").asText();
        String uiUrl = attempt.path("app").path("driverUiUrl").asText();
        assertThat(appId).matches("local-\\d+");
        assertThat(uiUrl).matches("http://\\S+:\\d+");
        assertThat(attempt.path("message").asText()).isEqualTo("spark application " + appId + "; driver UI " + uiUrl);
        // Spark's UI answers there while the driver runs (its root sends the browser to /jobs/).
        var ui = api.http.send(java.net.http.HttpRequest.newBuilder(URI.create(uiUrl.replaceFirst("//[^:/]+:", "//127.0.0.1:") + "/"))
                .timeout(Duration.ofSeconds(60)).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        assertThat(ui.statusCode()).isEqualTo(302);
        assertThat(ui.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/jobs/"));
        assertThat(taskEventWithApp(id).path("app").path("sparkAppId").asText()).as("a task event carries it").isEqualTo(appId);

        assertThat(api.delete("/v1/jobs/" + id).statusCode()).isEqualTo(202);
        assertThat(awaitEnd(id)).isEqualTo("KILLED");
        assertThat(Procs.withEnv(marker)).as("processes of the killed driver").isEmpty();
    }

    @Test
    void maxRuntimeEndsTheDriverAndEveryProcessOfIt() {
        String id = api.submit(sparkJob("too-long", "hdfs:///apps/examples.jar", "io.nightshift.examples.spark.SparkSleeper",
                "\"3600\"", ",\"maxRuntime\":\"PT40S\",\"killGracePeriod\":\"PT2S\""));
        // Killed once it runs 40 s, whether or not the driver got as far as connecting to the launcher.
        await().atMost(Duration.ofMinutes(10)).until(() -> api.task(id).path("state").asText().equals("RUNNING"));
        String marker = "NIGHTSHIFT_ATTEMPT_ID=" + api.task(id).path("attempts").get(0).path("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> !Procs.withEnv(marker).isEmpty());
        assertThat(awaitEnd(id)).isEqualTo("FAILED");
        assertThat(api.task(id).path("attempts").get(0).path("reason").asText()).isEqualTo("TIMEOUT");
        assertThat(Procs.withEnv(marker)).as("processes of the timed-out driver").isEmpty();
    }

    /**
     * Revocation, the cheapest honest way on this cluster: a second agent joins in a pool whose owners keep all of it
     * outside a window that is open now, so only revocable work (in that window) runs there; a revocable driver
     * starts; then the pool's reclaim lead is raised past the window's end (an admin's {@code PUT /v1/pools/{name}}):
     * the window now closes within the lead, the pool takes its capacity back, and the driver is revoked (stopped
     * through its launcher handle, then the tree's SIGTERM and SIGKILL after the grace) and its task re-queued.
     */
    @Test
    void aRevokedDriverLeavesNoProcessAndItsTaskIsRequeuedWithoutUsingARetry() throws Exception {
        var utc = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
        var hhmm = java.time.format.DateTimeFormatter.ofPattern("HH:mm");
        String from = utc.minusHours(1).format(hhmm), to = utc.plusMinutes(40).format(hhmm);
        String pool = """
                {"reservation":{"cpus":64,"memMb":262144},"reclaimLead":"%s",
                 "windows":[{"name":"lent","zone":"UTC","ranges":[{"from":"%s","to":"%s"}]}]}""";
        var put = api.send(api.request("/v1/pools/spark-lent").header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(pool.formatted("PT0S", from, to))).build());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        // 64 cpus and 256 GiB so that the machine's real owners (other builds) leave room; all reserved by day
        String agentId = cluster.addAgent(c -> c.with(AgentSettings.POOL, "spark-lent").with(AgentSettings.CPUS, "64")
                .with(AgentSettings.MEM_MB, "262144").with(AgentSettings.OWNER_LOAD_INTERVAL, "PT0.3S")).id();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (JsonNode a : api.json("/v1/agents").path("agents"))
                if (a.path("id").asText().equals(agentId)) return !a.path("ownerLoad").isMissingNode();
            return false;
        });

        String id = api.submit(sparkJob("lent", "hdfs:///apps/examples.jar", "io.nightshift.examples.spark.SparkSleeper",
                "\"3600\"", ",\"revocable\":true,\"window\":\"lent\",\"maxRuntime\":\"PT15M\",\"killGracePeriod\":\"PT5S\""));
        String marker = awaitRunningDriver(id);
        JsonNode attempt = api.task(id).path("attempts").get(0);
        assertThat(attempt.path("agentId").asText()).as("it runs on lent capacity").isEqualTo(agentId);

        put = api.send(api.request("/v1/pools/spark-lent").header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(pool.formatted("PT1H", from, to))).build());
        assertThat(put.statusCode()).as(put.body()).isBetween(200, 201);
        await().atMost(Duration.ofMinutes(2)).until(() -> api.task(id).path("attempts").get(0).path("state").asText().equals("REVOKED"));
        JsonNode task = api.task(id);
        assertThat(task.path("attempts").get(0).path("reason").asText()).isEqualTo("REVOKED");
        assertThat(Procs.withEnv(marker)).as("processes of the revoked driver").isEmpty();
        assertThat(task.path("state").asText()).as("re-queued").isEqualTo("PENDING");
        assertThat(task.path("attempts")).as("the closing window lends nothing new").hasSize(1);
        assertThat(api.jobState(id)).isNotIn("FAILED", "KILLED");

        assertThat(api.delete("/v1/jobs/" + id).statusCode()).isEqualTo(202);
        assertThat(awaitEnd(id)).isEqualTo("KILLED");
    }

    @Test
    void mapReduceWordCountOverATextOnHdfsCountsEveryWord() throws Exception {
        String id = api.submit("{\"id\":\"wordcount\",\"type\":\"hadoop\",\"resources\":{\"cpus\":1,\"memMb\":1024},"
                + "\"artifacts\":[{\"uri\":\"hdfs:///apps/examples.jar\",\"destination\":\"wordcount.jar\"}],"
                + "\"hadoop\":{\"jar\":\"wordcount.jar\",\"mainClass\":\"io.nightshift.examples.hadoop.WordCount\","
                + "\"args\":[\"" + hdfs.uri() + "/data/words.txt\",\"" + hdfs.uri() + "/out/wordcount\"],"
                + "\"conf\":{\"mapreduce.job.reduces\":\"1\"}}}");
        assertThat(awaitEnd(id)).isEqualTo("SUCCEEDED");
        Map<String, Integer> counts = new TreeMap<>();
        try (var in = hdfs.fileSystem().open(new org.apache.hadoop.fs.Path("/out/wordcount/part-r-00000"))) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                String[] kv = line.split("\t");
                counts.put(kv[0], Integer.parseInt(kv[1]));
            }
        }
        Map<String, Integer> expected = new TreeMap<>();
        for (String w : WORDS.toLowerCase(java.util.Locale.ROOT).split("[^a-z]+")) if (!w.isEmpty()) expected.merge(w, 1, Integer::sum);
        assertThat(counts).isEqualTo(expected).containsEntry("night", 4).containsEntry("the", 3);
        assertThat(api.task(id).path("attempts").get(0).path("app").path("hadoopJobId").asText())
                .as("the job id the driver logged while it ran").matches("job_local[0-9]+_0001");
    }

    /** Waits until the driver runs and says "ready" with its app id and UI URL known; returns its env marker. */
    static String awaitRunningDriver(String id) {
        await().atMost(Duration.ofMinutes(10)).until(() -> {
            JsonNode t = api.task(id);
            return t.path("state").asText().equals("RUNNING")
                    && t.path("attempts").get(0).path("app").has("driverUiUrl")
                    && api.log(t.path("id").asText(), "stdout").contains("ready");
        });
        String attemptId = api.task(id).path("attempts").get(0).path("id").asText();
        String marker = "NIGHTSHIFT_ATTEMPT_ID=" + attemptId;
        assertThat(Procs.withEnv(marker)).as("the driver JVM").isNotEmpty();
        return marker;
    }

    /** The first task event of job {@code id} with a Spark application id, from the events the coordinator holds. */
    static JsonNode taskEventWithApp(String id) throws Exception {
        var req = api.request("/v1/events?from=0").timeout(Duration.ofSeconds(30)).build();
        var lines = api.http.sendAsync(req, java.net.http.HttpResponse.BodyHandlers.ofLines());
        return lines.thenApply(r -> {
            try (Stream<String> s = r.body()) { // the replay comes first: the event is there if it was sent
                return s.filter(l -> l.startsWith("data: ")).map(l -> Api.tree(l.substring(6)))
                        .filter(e -> e.path("kind").asText().equals("task") && e.path("jobId").asText().equals(id)
                                && e.path("app").has("sparkAppId"))
                        .findFirst().orElseThrow();
            }
        }).get(60, java.util.concurrent.TimeUnit.SECONDS);
    }

    static String sparkJob(String id, String jarUri, String mainClass, String appArgs, String extra) {
        return "{\"id\":\"" + id + "\",\"type\":\"spark\",\"resources\":{\"cpus\":1,\"memMb\":1024},"
                + "\"env\":{\"SPARK_LOCAL_IP\":\"127.0.0.1\"},"
                + "\"artifacts\":[{\"uri\":\"" + jarUri + "\",\"destination\":\"app/examples.jar\"}],"
                + "\"spark\":{\"appResource\":\"app/examples.jar\",\"mainClass\":\"" + mainClass + "\",\"appArgs\":[" + appArgs
                + "],\"conf\":{\"spark.ui.port\":\"0\",\"spark.sql.shuffle.partitions\":\"2\"}}" + extra + "}";
    }

    static String awaitEnd(String id) {
        await().atMost(Duration.ofMinutes(15)).until(() -> api.jobState(id).matches("SUCCEEDED|FAILED|KILLED"));
        return api.jobState(id);
    }

    /** ts,user,amount rows: ROWS_PER_DAY good ones spread over each day, and BAD_ROWS without a timestamp. */
    static String eventsCsv() {
        StringBuilder b = new StringBuilder("ts,user,amount\n");
        int n = 0;
        for (Map.Entry<String, Integer> e : ROWS_PER_DAY.entrySet()) {
            LocalDate d = LocalDate.parse(e.getKey());
            for (int i = 0; i < e.getValue(); i++, n++) {
                b.append(d).append('T').append("%02d:%02d:00".formatted(i % 24, i % 60)).append(',')
                        .append("user").append(n % 13).append(',').append(n % 100).append(".5\n");
            }
        }
        for (int i = 0; i < BAD_ROWS; i++) b.append(",nobody,1.0\n");
        return b.toString();
    }

    /** The example jobs' jar as the build made it (or, run from target/classes, jarred here). */
    static byte[] examplesJar(Path build) throws Exception {
        Path where = Path.of(SparkEtl.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isRegularFile(where)) return Files.readAllBytes(where);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream j = new JarOutputStream(bytes); Stream<Path> files = Files.walk(where)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                j.putNextEntry(new JarEntry(where.relativize(f).toString().replace('\\', '/')));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
