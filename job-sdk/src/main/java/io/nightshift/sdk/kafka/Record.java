package io.nightshift.sdk.kafka;

import java.util.Map;

/**
 * One Kafka record as the harness hands it over: where it sits ({@code topic}, {@code partition},
 * {@code offset}), its timestamp (epoch milliseconds, as the broker reports it) and its raw bytes.
 * {@code key} and {@code value} may be null (a tombstone has a null value); {@code headers} keeps the
 * last value of each header name. The arrays are the harness's own: do not change them.
 */
public record Record(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
                     Map<String, byte[]> headers) {
    public Record {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }
}
