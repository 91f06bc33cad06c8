package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The testkit's broker is a real KRaft Kafka in a child JVM: topics, produce, consume, and it stops. */
class KafkaBrokerIT {
    @TempDir
    Path dir;

    @Test
    void servesProduceAndConsumeOnALoopbackPortAndStopsWithItsProcess() throws Exception {
        KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka"));
        try {
            assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
            assertThat(ProcessHandle.of(broker.pid())).isPresent();
            broker.createTopic("words", 3);
            try (var producer = new KafkaProducer<String, String>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 30; i++) producer.send(new ProducerRecord<>("words", "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
            }
            List<String> seen = new ArrayList<>();
            try (var consumer = new KafkaConsumer<String, String>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "it",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("words"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (seen.size() < 30 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) seen.add(r.key());
                }
            }
            assertThat(seen).hasSize(30).doesNotHaveDuplicates();
        } finally {
            broker.close();
        }
        assertThat(ProcessHandle.of(broker.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
}
