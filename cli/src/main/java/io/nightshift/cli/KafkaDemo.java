package io.nightshift.cli;

import io.nightshift.agent.runner.KafkaRunner;
import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.model.TaskProgress;
import io.nightshift.api.state.JobState;
import io.nightshift.testkit.KafkaBroker;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The Kafka step of {@code nightshift demo} (and the broker of {@code nightshift local --kafka}): a real KRaft broker
 * (testkit's, a child JVM on a free port, data beside the coordinator's), a producer job writing {@value #RECORDS}
 * orders into a topic of {@value #PARTITIONS} partitions, then a {@code kafka} drain job exporting the topic with the
 * built-in sink into NDJSON files; it shows the drain's records/s and lag falling to 0 and says where the files are.
 * The broker starts in the background as soon as the demo does, so it is up by the time the step comes.
 */
final class KafkaDemo implements AutoCloseable {
    static final String TOPIC = "demo-orders";
    static final int PARTITIONS = 3;
    static final int RECORDS = 5_000;
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(3);

    private final CompletableFuture<KafkaBroker> broker;
    private final Path dir;

    private KafkaDemo(Path dir) {
        this.dir = dir;
        this.broker = CompletableFuture.supplyAsync(() -> KafkaBroker.start(dir.resolve("broker")));
    }

    /** Starts the broker in the background, its data under {@code dir}. */
    static KafkaDemo start(Path dir) {
        return new KafkaDemo(dir);
    }

    /** The broker, once it is up (at most {@code timeout}). */
    KafkaBroker broker(Duration timeout) {
        try {
            return broker.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new CliException(CliException.FAILED, "the local Kafka broker did not start: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new CliException(CliException.FAILED, "the local Kafka broker did not start within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.FAILED, "interrupted while starting the local Kafka broker");
        }
    }

    /** Produce, then drain into files; true when both jobs succeeded and the files hold every record. */
    boolean run(NightshiftClient client, PrintWriter out, String suffix, String examplesJar) throws InterruptedException {
        KafkaBroker b = broker(Duration.ofMinutes(2));
        String topic = TOPIC + "-" + suffix;
        b.createTopic(topic, PARTITIONS);
        out.println();
        out.println("Kafka: a local broker at " + b.bootstrapServers() + "; topic " + topic + " (" + PARTITIONS
                + " partitions)");
        String harness = KafkaRunner.withHarness(null).harnessClasspath();
        if (harness == null) throw new CliException(CliException.FAILED, "no kafka harness on this classpath");
        List<String> classpath = new ArrayList<>();
        classpath.add(examplesJar);
        classpath.addAll(List.of(harness.split(":"))); // kafka-clients and its dependencies
        String producer = "kafka-produce-" + suffix;
        client.submitRaw(bytes(Map.of("id", producer, "name", "Produce " + RECORDS + " orders (Kafka producer, JVM)",
                "type", "jvm", "jvm", Map.of("mainClass", "io.nightshift.examples.kafka.OrdersProducer",
                        "classpath", classpath, "jvmOptions", List.of("-XX:+UseSerialGC")),
                "args", List.of(b.bootstrapServers(), topic, String.valueOf(RECORDS)),
                "resources", Map.of("cpus", 1, "memMb", 256), "maxRuntime", "PT3M")), "application/json");
        out.println("submitted " + producer + "  (writes " + RECORDS + " orders into " + topic + ")");
        out.flush();
        if (awaitEnd(client, producer, out, false) != JobState.SUCCEEDED) return false;

        Path files = dir.resolve("export-" + suffix).toAbsolutePath();
        String drain = "kafka-drain-" + suffix;
        client.submitRaw(bytes(Map.of("id", drain, "name", "Drain " + topic + " into NDJSON files (Kafka consumer group)",
                "type", "kafka", "resources", Map.of("cpus", 1, "memMb", 512), "maxRuntime", "PT3M",
                "kafka", Map.of("bootstrapServers", b.bootstrapServers(), "topics", List.of(topic),
                        "groupId", "demo-export-" + suffix, "mode", "drain",
                        "sink", Map.of("path", files.toString())))), "application/json");
        out.println("submitted " + drain + "  (drain mode: consume up to the end offsets, write files, succeed)");
        out.flush();
        if (awaitEnd(client, drain, out, true) != JobState.SUCCEEDED) return false;

        long lines = 0;
        int count = 0;
        try (Stream<Path> s = Files.list(files)) {
            for (Path f : s.filter(f -> f.getFileName().toString().endsWith(".ndjson")).toList()) {
                count++;
                try (Stream<String> l = Files.lines(f)) {
                    lines += l.count();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.printf(Locale.ROOT, "%s wrote %,d records into %d files (one per partition and commit, named "
                + "<topic>-<partition>-<first>-<last>.ndjson) under%n  %s%n", drain, lines, count, files);
        out.flush();
        return lines == RECORDS;
    }

    /** Polls the job until it ends, printing its state changes (and, for a kafka job, records/s and lag). */
    private static JobState awaitEnd(NightshiftClient client, String id, PrintWriter out, boolean progress)
            throws InterruptedException {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        JobState last = null;
        String lastLine = null;
        while (System.nanoTime() < deadline) {
            JobDetail d = client.get(id);
            JobState s = d.job().state();
            if (s != last) {
                out.println("job " + id + " " + s);
                last = s;
            }
            if (progress) {
                for (TaskProgress p : d.progress().values()) {
                    String line = String.format(Locale.ROOT, "  %s: %,d records, %,.0f records/s, lag %,d%s", id,
                            p.records(), p.recordsPerSec(), p.drainRemaining() != null ? p.drainRemaining() : p.totalLag(),
                            p.finished() ? " (finished)" : "");
                    if (!line.equals(lastLine)) out.println(line);
                    lastLine = line;
                }
            }
            out.flush();
            if (s.isTerminal()) {
                if (s != JobState.SUCCEEDED) {
                    out.println("  " + client.logs(id, NightshiftClient.Stream.STDERR).lines()
                            .reduce((a, b2) -> b2).orElse("(no stderr)"));
                }
                return s;
            }
            Thread.sleep(250);
        }
        out.println("job " + id + " did not end within " + STEP_TIMEOUT.toMinutes() + " minutes");
        return last;
    }

    private static byte[] bytes(Object o) {
        return Json.write(o).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        broker.whenComplete((b, e) -> { // now when it is up, else as soon as it is
            if (b != null) b.close();
        });
    }
}
