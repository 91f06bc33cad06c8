package io.nightshift.examples.kafka;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A producer example (a {@code jvm} job; kafka-clients on its classpath): writes {@code count} orders as JSON
 * records keyed {@code order-<n>} into {@code topic}, waits until the broker acknowledged each, prints how many.
 * {@code main(bootstrapServers, topic, count)}.
 */
public final class OrdersProducer {
    private static final String[] ITEMS = {"coffee", "tea", "croissant", "bagel", "juice"};

    private OrdersProducer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: OrdersProducer <bootstrapServers> <topic> <count>");
            System.exit(2);
        }
        int count = Integer.parseInt(args[2]);
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0],
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        long start = System.nanoTime();
        try (var producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<?>> sent = new ArrayList<>(count);
            for (int n = 0; n < count; n++) {
                String value = "{\"order\":%d,\"item\":\"%s\",\"quantity\":%d,\"cents\":%d}"
                        .formatted(n, ITEMS[n % ITEMS.length], 1 + n % 3, 250 + (n * 37) % 900);
                sent.add(producer.send(new ProducerRecord<>(args[1], ("order-" + n).getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8))));
            }
            for (Future<?> f : sent) f.get(90, TimeUnit.SECONDS);
        }
        System.out.printf("produced %,d orders into %s in %.1f s%n", count, args[1], (System.nanoTime() - start) / 1e9);
    }
}
