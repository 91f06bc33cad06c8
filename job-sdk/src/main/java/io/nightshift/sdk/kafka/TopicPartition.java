package io.nightshift.sdk.kafka;

/** A partition of a topic, printed as Kafka prints it: {@code topic-partition}. */
public record TopicPartition(String topic, int partition) {
    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
