package io.nightshift.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.nightshift.agent.AgentSettings;
import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.config.Config;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.KafkaSpec;
import io.nightshift.api.state.JobState;
import io.nightshift.coordinator.CoordinatorSettings;
import io.nightshift.agent.runner.KafkaRunner;
import io.nightshift.testkit.KafkaBroker;
import io.nightshift.testkit.LocalCluster;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code nightshift bench --kafka N}: records/s of a drain job through Nightshift's harness against a plain
 * {@code KafkaConsumer} poll loop doing the same work, in the same run, on the same broker and topic.
 *
 * <ol>
 *   <li>A real KRaft broker (testkit) gets a topic of 6 partitions filled with N records of about 100 bytes.</li>
 *   <li>Baseline: {@code PlainConsumerLoop} (kafka-harness) as a {@code jvm} job on a local cluster of one agent:
 *       poll, write each record as the sink's JSON line, flush + fsync + commit every second, stop once the end
 *       offsets taken at start are committed.</li>
 *   <li>Harness: a drain job (1 instance, the built-in NDJSON sink, default settings) on the same cluster.</li>
 *   <li>Both are timed from the job's RUNNING to its SUCCEEDED, so both pay for a JVM start and a group join.</li>
 * </ol>
 * Ratio = harness records/s ÷ baseline records/s (target ≥ 0.9).
 */
final class KafkaBench {
    private static final JsonFactory JSON = new JsonFactory();
    static final int PARTITIONS = 6;
    static final int ROUNDS = 3;

    private static double median(List<Double> xs) {
        List<Double> sorted = new ArrayList<>(xs);
        java.util.Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    record Result(long records, double baselineSeconds, double harnessSeconds) {
        double baselineRate() { return records / baselineSeconds; }
        double harnessRate() { return records / harnessSeconds; }
        double ratio() { return harnessRate() / baselineRate(); }
    }

    private final int records;
    private final Path dir;
    private final PrintWriter err;

    KafkaBench(int records, Path dir, PrintWriter err) {
        this.records = records;
        this.dir = dir;
        this.err = err;
    }

    Result run(Config base) throws Exception {
        Config config = base.with(CoordinatorSettings.PORT, "0")
                .with(CoordinatorSettings.DATA_DIR, dir.resolve("coordinator").toString())
                .with(CoordinatorSettings.CLUSTER_NAME, "kafka-bench-" + ProcessHandle.current().pid())
                .with(AgentSettings.WORK_DIR, dir.resolve("agent").toString());
        try (KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka"));
             LocalCluster cluster = LocalCluster.start(config, 1)) {
            broker.createTopic("bench", PARTITIONS);
            err.println("producing " + records + " records into 6 partitions ...");
            err.flush();
            produce(broker.bootstrapServers());
            NightshiftClient client = NightshiftClient.connect(cluster.url(), NightshiftClient.DEFAULT_REQUEST_TIMEOUT, cluster.adminToken());
            String harnessClasspath = KafkaRunner.withHarness(null).harnessClasspath();
            if (harnessClasspath == null) throw new CliException(CliException.FAILED, "no kafka harness on this classpath");

            // Alternating rounds, medians: the machine is shared, so one round of each could catch a busy moment.
            List<Double> baselines = new ArrayList<>(), harnesses = new ArrayList<>();
            for (int round = 1; round <= ROUNDS; round++) {
                // The baseline logs as the harness does (Kafka at WARN): logback's default would log Kafka at DEBUG.
                JobSpec plain = JobSpec.jvm("io.nightshift.harness.kafka.bench.PlainConsumerLoop", List.of())
                        .jvm(new io.nightshift.api.spec.JvmSpec("io.nightshift.harness.kafka.bench.PlainConsumerLoop",
                                List.of(harnessClasspath.split(":")),
                                List.of("-Dlogback.configurationFile=io/nightshift/harness/kafka/logback.xml"), null, null))
                        .id("kafka-bench-plain-" + round).resources(1, 1024)
                        .args(List.of(broker.bootstrapServers(), "bench", String.valueOf(PARTITIONS),
                                dir.resolve("plain-" + round).toString()))
                        .build();
                baselines.add(timeJob(client, plain));
                KafkaSpec kafka = new KafkaSpec(broker.bootstrapServers(), List.of("bench"), null, "bench-harness-" + round,
                        KafkaSpec.Mode.DRAIN, null, List.of(),
                        new KafkaSpec.SinkSpec(dir.resolve("job-out-" + round).toString(), 0, null), Map.of(), 0, null, null);
                harnesses.add(timeJob(client, JobSpec.kafka(kafka).id("kafka-bench-" + round).resources(1, 1024).build()));
                err.printf(Locale.ROOT, "round %d: plain loop %.2f s, drain job %.2f s%n", round,
                        baselines.get(round - 1), harnesses.get(round - 1));
                err.flush();
            }
            return new Result(records, median(baselines), median(harnesses));
        }
    }

    static String summary(Result r) {
        return String.format(Locale.ROOT, """
                kafka drain of %,d records (6 partitions, ~100 B each, NDJSON files; 1 cpu each; median of 3 alternating rounds)
                  plain KafkaConsumer loop (jvm job): %8.2f s  %,10.0f records/s   (baseline)
                  nightshift kafka drain job:         %8.2f s  %,10.0f records/s   ratio %.2f""",
                r.records(), r.baselineSeconds(), r.baselineRate(), r.harnessSeconds(), r.harnessRate(), r.ratio());
    }

    private void produce(String bootstrap) throws Exception {
        Map<String, Object> cfg = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 262_144,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                ProducerConfig.ACKS_CONFIG, "1");
        try (var producer = new KafkaProducer<>(cfg, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                byte[] key = ("key-" + i).getBytes(StandardCharsets.UTF_8);
                byte[] value = ("{\"n\":" + i + ",\"payload\":\"" + "x".repeat(64) + "\"}").getBytes(StandardCharsets.UTF_8);
                sent.add(producer.send(new ProducerRecord<>("bench", i % PARTITIONS, key, value)));
                if (sent.size() >= 50_000) {
                    for (Future<?> f : sent) f.get(60, TimeUnit.SECONDS);
                    sent.clear();
                }
            }
            producer.flush();
            for (Future<?> f : sent) f.get(60, TimeUnit.SECONDS);
        }
    }

    /** Submits {@code spec} and returns the seconds from its RUNNING to its SUCCEEDED (polled every 20 ms). */
    private static double timeJob(NightshiftClient client, JobSpec spec) throws InterruptedException {
        client.submit(spec);
        long running = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            JobState s = client.get(spec.id()).job().state();
            if (running == 0 && s == JobState.RUNNING) running = System.nanoTime();
            if (s.isTerminal()) {
                if (s != JobState.SUCCEEDED)
                    throw new CliException(CliException.FAILED, "job " + spec.id() + " ended " + s + ": "
                            + client.logs(spec.id(), NightshiftClient.Stream.STDERR));
                return (System.nanoTime() - running) / 1e9;
            }
            Thread.sleep(20);
        }
        throw new CliException(CliException.FAILED, "job " + spec.id() + " did not end within 10 minutes");
    }
}
