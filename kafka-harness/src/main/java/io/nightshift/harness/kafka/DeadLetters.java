package io.nightshift.harness.kafka;

import io.nightshift.api.spec.KafkaSpec;
import io.nightshift.sdk.kafka.Record;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The dead-letter topic of a job with {@code onPoison: deadLetter}: a poison record is copied there with its key,
 * value and headers, plus headers saying where it came from and why ({@value #ORIGIN}topic, …partition,
 * …offset, …job, …task, …error). One idempotent producer (acks=all), made on the first poison record; each send
 * waits for the broker's acknowledgement (bounded by the api timeout), so the record is safe before the consumer's
 * offset passes it. The connection settings ({@code security.*}, {@code sasl.*}, {@code ssl.*}) are the job's
 * consumerConfig's.
 */
final class DeadLetters implements AutoCloseable {
    static final String ORIGIN = "nightshift.dlq.";
    private static final int MAX_ERROR_CHARS = 1000;

    private final String topic;
    private final Duration timeout;
    private final KafkaProducer<byte[], byte[]> producer;

    DeadLetters(KafkaSpec spec, Duration timeout) {
        this.topic = spec.deadLetterTopic();
        this.timeout = timeout;
        this.producer = new KafkaProducer<>(producerProperties(spec, timeout), new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    static Properties producerProperties(KafkaSpec spec, Duration timeout) {
        Properties p = new Properties();
        for (Map.Entry<String, String> e : spec.consumerConfig().entrySet()) {
            String k = e.getKey();
            if (k.startsWith("security.") || k.startsWith("sasl.") || k.startsWith("ssl.")) p.put(k, e.getValue());
        }
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, spec.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout.toMillis()));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(timeout.toMillis(), 15_000)));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(timeout.toMillis(), 15_000 + 1)));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return p;
    }

    /** Copies {@code r} to the dead-letter topic and waits for the broker to have it. */
    void send(Record r, Exception cause, TaskInfo task) throws Exception {
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, null, r.timestamp(), r.key(), r.value());
        r.headers().forEach((k, v) -> out.headers().add(k, v));
        header(out, "topic", r.topic());
        header(out, "partition", String.valueOf(r.partition()));
        header(out, "offset", String.valueOf(r.offset()));
        header(out, "job", task.jobId());
        header(out, "task", task.taskId());
        String error = String.valueOf(cause);
        header(out, "error", error.length() > MAX_ERROR_CHARS ? error.substring(0, MAX_ERROR_CHARS) : error);
        producer.send(out).get(timeout.toMillis() + 15_000, TimeUnit.MILLISECONDS);
    }

    private static void header(ProducerRecord<byte[], byte[]> r, String name, String value) {
        r.headers().add(ORIGIN + name, value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
