package io.nightshift.harness.kafka.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The baseline of {@code nightshift bench --kafka}: a plain {@code KafkaConsumer} poll loop doing the work of a
 * drain job into the built-in sink, with none of the harness: poll (500 records), write each record as the
 * sink's JSON line to one file per partition, every second flush + fsync + commit, stop once the end offsets taken
 * at start are committed. Run as a {@code jvm} job so that it pays for the same launch as the harness.
 * {@code main(bootstrapServers, topic, partitions, outDir)}; prints the loop's own seconds.
 */
public final class PlainConsumerLoop {
    private static final JsonFactory JSON = new JsonFactory();

    private PlainConsumerLoop() {
    }

    public static void main(String[] args) throws IOException {
        double s = run(args[0], args[1], Integer.parseInt(args[2]), Path.of(args[3]));
        System.out.printf(java.util.Locale.ROOT, "plain loop: %.3f s%n", s);
    }

    /** The plain loop on {@code topic} (its partitions 0..partitions-1); returns seconds. */
    static double run(String bootstrap, String topic, int partitions, Path out) throws IOException {
        Files.createDirectories(out);
        long start = System.nanoTime();
        Map<String, Object> cfg = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-plain-" + ProcessHandle.current().pid(), ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        Map<Integer, FileChannel> channels = new HashMap<>();
        Map<Integer, OutputStream> files = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(cfg, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < partitions; p++) all.add(new TopicPartition(topic, p));
            Map<TopicPartition, Long> end = consumer.endOffsets(all, Duration.ofSeconds(30));
            consumer.subscribe(List.of(topic));
            long lastCommit = System.nanoTime();
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    OutputStream o = files.get(r.partition());
                    if (o == null) {
                        FileChannel ch = FileChannel.open(out.resolve(topic + "-" + r.partition() + ".ndjson"),
                                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                        channels.put(r.partition(), ch);
                        o = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16);
                        files.put(r.partition(), o);
                    }
                    o.write(line(r));
                }
                if (System.nanoTime() - lastCommit >= 1_000_000_000L) {
                    commit(consumer, files, channels);
                    lastCommit = System.nanoTime();
                    Map<TopicPartition, OffsetAndMetadata> c = consumer.committed(new java.util.HashSet<>(all));
                    boolean done = true;
                    for (TopicPartition tp : all) {
                        OffsetAndMetadata m = c.get(tp);
                        if ((m == null ? 0 : m.offset()) < end.get(tp)) done = false;
                    }
                    if (done) break;
                }
            }
        } finally {
            for (OutputStream o : files.values()) o.close();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static void commit(KafkaConsumer<byte[], byte[]> consumer, Map<Integer, OutputStream> files,
            Map<Integer, FileChannel> channels) throws IOException {
        for (Map.Entry<Integer, OutputStream> e : files.entrySet()) {
            e.getValue().flush();
            channels.get(e.getKey()).force(true);
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) offsets.put(tp, new OffsetAndMetadata(consumer.position(tp)));
        consumer.commitSync(offsets);
    }

    /** The same JSON line the built-in sink writes. */
    private static byte[] line(ConsumerRecord<byte[], byte[]> r) throws IOException {
        var buf = new java.io.ByteArrayOutputStream(192);
        try (JsonGenerator g = JSON.createGenerator(buf, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("topic", r.topic());
            g.writeNumberField("partition", r.partition());
            g.writeNumberField("offset", r.offset());
            g.writeNumberField("timestamp", r.timestamp());
            g.writeStringField("key", new String(r.key(), StandardCharsets.UTF_8));
            g.writeStringField("value", new String(r.value(), StandardCharsets.UTF_8));
            g.writeEndObject();
        }
        buf.write('\n');
        return buf.toByteArray();
    }

}
