package io.nightshift.sdk.kafka;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The code of a {@code kafka} job: the harness polls, hands each batch to {@link #handle}, and commits the
 * batch's offsets only after {@code handle} returned (at-least-once). Implementations need a public
 * no-argument constructor; the harness calls every method from one thread.
 *
 * <p>Lifecycle, in order:
 * <pre>
 *   open(context)
 *   ( onPartitionsAssigned(start offsets)
 *     ( handle(batch) )*             a batch holds records of assigned partitions only, in offset order per partition
 *     beforeCommit()                 before every commit: make what was handled durable
 *     onPartitionsRevoked(partitions) after the batch in hand was handled and committed
 *   )*
 *   close()                          after the last commit, before the consumer leaves the group
 * </pre>
 * A record may be handed again after a crash or a failed commit (never after a successful one): handlers
 * should write idempotently, for example keyed by {@code topic-partition-offset}.
 */
public interface RecordHandler {

    /** Called once before anything else. */
    default void open(HandlerContext context) throws Exception {
    }

    /**
     * Handles one batch (never empty). Throw {@link RetriableHandlerException} to get the same batch again
     * after a back-off, {@link FatalHandlerException} to fail the task. Anything else: the batch is handed again one
     * record at a time, and a record that keeps failing is poison (the job's {@code onPoison}: fail or dead-letter).
     */
    void handle(List<Record> batch) throws Exception;

    /**
     * These partitions are now this instance's; consumption of each starts at the given offset (the group's
     * committed offset, or where {@code auto.offset.reset} put it).
     */
    default void onPartitionsAssigned(Map<TopicPartition, Long> startOffsets) throws Exception {
    }

    /** These partitions go to another instance; what was handled of them is committed already. */
    default void onPartitionsRevoked(Collection<TopicPartition> partitions) throws Exception {
    }

    /** Called before each commit: flush whatever {@link #handle} buffered, so that a committed record is durable. */
    default void beforeCommit() throws Exception {
    }

    /** Called once at the end (also after a failure); release resources. */
    default void close() throws Exception {
    }
}
