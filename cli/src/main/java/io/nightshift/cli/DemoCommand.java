package io.nightshift.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.config.Config;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.state.JobState;
import io.nightshift.examples.PiEstimator;
import io.nightshift.coordinator.CoordinatorSettings;
import io.nightshift.testkit.ArtifactServices;
import io.nightshift.testkit.LocalCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nightshift demo}: {@code local}, then the example jobs (a command that succeeds, one that
 * fails and is retried, a JVM job) with their progress and logs, then the Kafka step ({@link KafkaDemo}: a local
 * broker, a producer job, a drain job into files), with a compressed night beside them ({@link NightDemo}: a pool
 * whose one-minute window lends its owners' capacity to two revocable jobs, one of them revoked as it closes),
 * then keeps serving until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a local cluster with the example jobs, show their progress and logs, keep serving.",
                "The examples: hello (succeeds), fails (exit 3, retried once), pi (a JVM job), and pi again with its jar",
                "fetched as an artifact from a local HTTP server (and from S3 and HDFS with --artifact-services),",
                "a Spark ETL and a MapReduce word count (their data on that HDFS, else in a local directory).",
                "Then Kafka: a local broker, a producer job writing 5,000 orders and a drain job exporting them into files",
                "(--no-kafka leaves it out). Beside them a compressed night: pool demo-night lends its owners' cpus in a",
                "one-minute window to two revocable jobs; one ends inside it, the other is revoked as it closes and queued",
                "again (--no-night leaves it out). Serves until Ctrl-C, or stops once they ended with --exit."})
final class DemoCommand implements Callable<Integer>, ServerCommand {
    /** The examples shipped in nightshift-examples.jar (classpath {@code examples/}), in the order they run. */
    static final List<String> EXAMPLES = List.of("command-hello.json", "command-fails.json", "jvm-pi.json");
    static final String JAR_PLACEHOLDER = "${EXAMPLES_JAR}";
    /** How a demo job is expected to end; anything else makes {@code demo --exit} exit 1. */
    static final Map<String, JobState> EXPECTED = Map.of("hello", JobState.SUCCEEDED, "fails", JobState.FAILED,
            "pi", JobState.SUCCEEDED);
    private static final Duration DEMO_TIMEOUT = Duration.ofMinutes(5);
    private static final int LOG_LINES = 20;

    @ParentCommand
    Nightshift root;

    @Option(names = "--exit", description = "Stop once the examples have ended instead of serving until Ctrl-C "
            + "(exit 0 when each ended as expected).")
    boolean exitWhenDone;

    @Option(names = "--artifact-services", description = "Also start S3 (S3Proxy) and HDFS (a mini-cluster) and run the "
            + "pi example with its jar fetched from each (about a minute more); the HTTP one always runs.")
    boolean artifactServices;

    @Option(names = "--no-kafka", description = "Leave out the Kafka step (a local broker, a producer job and a drain "
            + "job exporting the topic into files).")
    boolean noKafka;

    @Option(names = "--no-night", description = "Leave out the night step (pool demo-night with a one-minute window, "
            + "a second agent in it and two revocable jobs; it adds up to about a minute and a half).")
    boolean noNight;

    /** Where the artifact examples fetch their jar from (the HTTP server always; S3 and HDFS on request). */
    private ArtifactServices services;
    /** Where the Spark examples' input and output go when there is no HDFS. */
    private Path demoDataDir;
    /** The Kafka step's broker, started in the background at once; null with --no-kafka. */
    private KafkaDemo kafka;
    /** The night step, following its window in the background; null with --no-night. */
    private NightDemo night;

    @Override
    public Integer call() throws InterruptedException {
        Path logFile = Servers.logToFile(root);
        root.out.println("Starting a local cluster: a coordinator and one agent in this process.");
        root.out.println("Its logs go to " + logFile + (root.verbose ? " and to this console." : " (--verbose shows them here)."));
        root.out.flush();
        Config base = Servers.preferDefaultPort(root.config());
        try {
            services = ArtifactServices.start(base.get(CoordinatorSettings.DATA_DIR).toAbsolutePath()
                    .resolveSibling("artifact-services"), artifactServices);
        } catch (java.io.IOException e) {
            throw new CliException(CliException.FAILED, "cannot start the artifact services: " + e.getMessage());
        }
        demoDataDir = base.get(CoordinatorSettings.DATA_DIR).toAbsolutePath().resolveSibling("demo-data");
        Config config = services.configure(base);
        if (!noKafka) kafka = KafkaDemo.start(base.get(CoordinatorSettings.DATA_DIR).toAbsolutePath().resolveSibling("kafka"));
        LocalCluster cluster;
        try {
            cluster = Servers.start(() -> LocalCluster.start(config, 1), config);
        } catch (RuntimeException e) {
            services.close();
            closeKafka();
            throw e;
        }
        boolean ok;
        try {
            String url = Servers.browserUrl(cluster.url());
            root.out.println("Nightshift demo: serving at " + url);
            root.out.println();
            NightshiftClient client = root.connect(cluster.url(), cluster.adminToken());
            if (!noNight) night = NightDemo.start(cluster, client, root.out, suffix());
            ok = runExamples(client);
            if (kafka != null) ok &= kafka.run(client, root.out, suffix(), examplesJar().toString());
            if (night != null) ok &= night.finish();
            root.out.println();
            root.out.println("Dashboard and API: " + url + "  (OpenAPI at " + url + "v1/openapi)");
            LocalCommand.printToken(root, cluster);
            String flag = url.startsWith(CliSettings.DEFAULT_COORDINATOR + "/") ? "" : " --coordinator " + cluster.url();
            root.out.println("Try, in another terminal:  ./nightshift" + flag + " status   |   ./nightshift" + flag
                    + " submit jobs-examples/src/main/resources/examples/yaml/command-hello.yaml --wait");
        } catch (RuntimeException | InterruptedException e) {
            if (night != null) night.close();
            cluster.close();
            services.close();
            closeKafka();
            throw e;
        }
        if (exitWhenDone) {
            cluster.close();
            services.close();
            closeKafka();
            return ok ? 0 : 1;
        }
        root.out.println("Ctrl-C to stop.");
        root.out.flush();
        Servers.serveUntilStopped(() -> {
            cluster.close();
            services.close();
            closeKafka();
        });
        return 0;
    }

    private void closeKafka() {
        if (kafka != null) kafka.close();
    }

    /** 4 base-36 digits of the clock: a fresh id per demo. */
    private String suffix() {
        return Long.toString(root.clock.millis() / 1000 % 1_679_616, 36);
    }

    /** Submits every example, shows progress until all ended, then their logs. True when each ended as expected. */
    boolean runExamples(NightshiftClient client) throws InterruptedException {
        String suffix = suffix();
        String jar = examplesJar().toString();
        Map<String, String> exampleOf = new LinkedHashMap<>(); // job id -> example id
        for (String name : EXAMPLES) {
            ObjectNode spec = example(name, jar);
            String exampleId = spec.path("id").asText();
            spec.put("id", exampleId + "-" + suffix);
            Job job = client.submitRaw(bytes(spec), "application/json");
            exampleOf.put(job.id(), exampleId);
            root.out.println("submitted " + job.id() + "  (" + job.spec().name() + ", from examples/" + name + ")");
        }
        for (ObjectNode spec : artifactExamples(suffix)) {
            Job job = client.submitRaw(bytes(spec), "application/json");
            exampleOf.put(job.id(), "pi-artifact");
            root.out.println("submitted " + job.id() + "  (" + job.spec().name() + ")");
        }
        SparkDemo spark = new SparkDemo(root.out); // the Spark ETL and the MapReduce word count
        exampleOf.putAll(spark.submit(client, services, demoDataDir, suffix));
        root.out.flush();

        Map<String, Progress> progress = new LinkedHashMap<>();
        Map<String, JobDetail> last = new LinkedHashMap<>();
        for (String id : exampleOf.keySet()) progress.put(id, new Progress(root.clock, root.style()));
        long deadline = System.nanoTime() + DEMO_TIMEOUT.toNanos();
        while (last.size() < exampleOf.size() || last.values().stream().anyMatch(d -> !d.job().state().isTerminal())) {
            for (String id : exampleOf.keySet()) {
                JobDetail prev = last.get(id);
                if (prev != null && prev.job().state().isTerminal()) continue;
                JobDetail d = client.get(id);
                last.put(id, d);
                progress.get(id).update(d).forEach(root.out::println);
                spark.news(d).forEach(root.out::println);
            }
            root.out.flush();
            if (System.nanoTime() > deadline) {
                root.err.println("warning: the examples did not all end within " + DEMO_TIMEOUT.toMinutes() + " minutes");
                return false;
            }
            Thread.sleep(250);
        }

        boolean ok = true;
        for (Map.Entry<String, String> e : exampleOf.entrySet()) {
            JobDetail d = last.get(e.getKey());
            JobState state = d.job().state();
            ok &= state == EXPECTED.getOrDefault(e.getValue(), JobState.SUCCEEDED);
            showLog(client, e.getKey(), state, NightshiftClient.Stream.STDOUT);
            if (state != JobState.SUCCEEDED) showLog(client, e.getKey(), state, NightshiftClient.Stream.STDERR);
        }
        root.out.println();
        Table t = Table.of("JOB", "NAME", "STATE", "ATTEMPTS", "EXPECTED").alignRight(3);
        for (Map.Entry<String, String> e : exampleOf.entrySet()) {
            JobDetail d = last.get(e.getKey());
            int attempts = d.runs().stream().flatMap(r -> r.tasks().stream()).mapToInt(tk -> tk.attempts().size()).sum();
            JobState want = EXPECTED.getOrDefault(e.getValue(), JobState.SUCCEEDED);
            t.row(d.job().id(), d.job().spec().name(), d.job().state(), attempts, want == d.job().state() ? "yes" : "no: " + want);
        }
        root.out.print(t.render());
        spark.outputs().forEach(root.out::println);
        return ok;
    }

    private void showLog(NightshiftClient client, String jobId, JobState state, NightshiftClient.Stream stream) {
        String text = client.logs(jobId, stream, LOG_LINES);
        synchronized (root.out) { // the night step's lines (NightDemo) wait until the log is out
            root.out.println();
            root.out.println("--- " + jobId + " (" + state + ") " + stream.wire() + ", last " + LOG_LINES + " lines ---");
            root.out.print(text.isEmpty() ? "(empty)\n" : text.endsWith("\n") ? text : text + "\n");
            root.out.flush();
        }
    }

    /**
     * The pi example once per artifact store, its code in a small jar fetched by the agent from there
     * ({@code lib/pi.jar} in the sandbox, with its sha256).
     */
    List<ObjectNode> artifactExamples(String suffix) {
        byte[] jar = piJar();
        String sha = sha256(jar);
        List<ObjectNode> out = new java.util.ArrayList<>();
        try {
            for (String uri : services.publish("pi-" + suffix + ".jar", jar)) {
                String store = uri.substring(0, uri.indexOf(':'));
                ObjectNode spec = example("jvm-pi.json", "lib/pi.jar");
                spec.put("id", "pi-" + store + "-" + suffix);
                spec.put("name", "Estimate pi, its jar fetched from " + store.toUpperCase(java.util.Locale.ROOT));
                ObjectNode artifact = spec.putArray("artifacts").addObject();
                artifact.put("uri", uri).put("sha256", sha).put("destination", "lib/pi.jar");
                out.add(spec);
            }
        } catch (java.io.IOException e) {
            throw new CliException(CliException.FAILED, "cannot publish the demo artifact: " + e.getMessage());
        }
        return out;
    }

    /** A jar with just the pi example's classes. */
    static byte[] piJar() {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var jar = new java.util.jar.JarOutputStream(bytes)) {
            for (String c : List.of("PiEstimator", "PiEstimator$Params")) {
                String entry = "io/nightshift/examples/" + c + ".class";
                try (InputStream in = PiEstimator.class.getClassLoader().getResourceAsStream(entry)) {
                    if (in == null) throw new CliException(CliException.FAILED, entry + " is not on the classpath");
                    jar.putNextEntry(new java.util.jar.JarEntry(entry));
                    in.transferTo(jar);
                    jar.closeEntry();
                }
            }
        } catch (java.io.IOException e) {
            throw new CliException(CliException.FAILED, "cannot build the demo jar: " + e.getMessage());
        }
        return bytes.toByteArray();
    }

    private static String sha256(byte[] b) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An example spec from the classpath, with the examples jar's path in place of {@code ${EXAMPLES_JAR}}. */
    static ObjectNode example(String name, String jarPath) {
        String text;
        try (InputStream in = DemoCommand.class.getClassLoader().getResourceAsStream("examples/" + name)) {
            if (in == null) throw new CliException(CliException.FAILED, "example examples/" + name + " is not on the classpath");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The path goes inside a JSON string: escape it as JSON does (backslashes on Windows, quotes).
        String escaped = Json.write(jarPath);
        text = text.replace(JAR_PLACEHOLDER, escaped.substring(1, escaped.length() - 1));
        try {
            JsonNode tree = Json.mapper().readTree(text);
            if (!(tree instanceof ObjectNode o)) throw new CliException(CliException.FAILED, "example " + name + " is not a JSON object");
            return o;
        } catch (JsonProcessingException e) {
            throw new CliException(CliException.FAILED, "example " + name + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The jar (or classes directory, in a development build) holding the example jobs; agents put it on the classpath. */
    static Path examplesJar() {
        try {
            return Path.of(PiEstimator.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | NullPointerException e) {
            throw new CliException(CliException.FAILED, "cannot locate the examples jar: " + e);
        }
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return Json.mapper().writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
