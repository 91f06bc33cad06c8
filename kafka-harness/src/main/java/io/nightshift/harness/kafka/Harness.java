package io.nightshift.harness.kafka;

import io.nightshift.api.spec.KafkaSpec;
import io.nightshift.sdk.kafka.FatalHandlerException;
import io.nightshift.sdk.kafka.RecordHandler;
import io.nightshift.sdk.kafka.RetriableHandlerException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer loop of one kafka task. One thread ({@link #run}) owns the consumer and the handler;
 * {@link #stop} (the SIGTERM hook) only sets a flag and wakes the consumer.
 *
 * <pre>
 *   start ──► check the cluster (bounded) ──► subscribe ──► poll ─► handle ─► commit (every commitInterval)
 *                                                            ▲                    │
 *                                                            └────────────────────┘
 *   rebalance: revoked → commit what was handled → handler.onPartitionsRevoked
 *   stop / drained / fatal: commit what was handled → handler.close → consumer.close(leave group)
 * </pre>
 *
 * At-least-once: offsets are committed only between polls, after the handler returned for every record
 * polled so far, so a committed offset never passes an unhandled record. A record handed over but not
 * committed (crash, kill -9) is handed again to whoever owns its partition next.
 */
public final class Harness {
    private static final Logger log = LoggerFactory.getLogger(Harness.class);
    /** Default of how long a call to the cluster may take (consumerConfig default.api.timeout.ms overrides it). */
    static final Duration DEFAULT_API_TIMEOUT = Duration.ofSeconds(30);
    static final Duration POLL = Duration.ofMillis(200);
    static final Duration MAX_RETRY_BACKOFF = Duration.ofSeconds(30);
    /** How often a drain instance whose own partitions are handled asks whether the whole group is done. */
    static final Duration DRAIN_CHECK = Duration.ofMillis(500);

    /** How a run ended. */
    public enum End { DRAINED, STOPPED }

    private final KafkaSpec spec;
    private final TaskInfo task;
    private final RecordHandler handler;
    private final Progress progress;
    private final Duration closeTimeout;
    private volatile boolean stopRequested;
    private final CountDownLatch finished = new CountDownLatch(1);
    private KafkaConsumer<byte[], byte[]> consumer;
    private boolean uncommitted;
    /** System.nanoTime() when the handler call in progress began; 0 while none is. Read by the watchdog. */
    private volatile long handlingSince;
    /** Records behind the batch in hand (or, between batches, the owned partitions' lag last looked at). Read by the watchdog. */
    private volatile long lastTotalLag;
    private DeadLetters deadLetters;
    private long lastCommitNanos = System.nanoTime();
    private Map<TopicPartition, Long> drainTargets = Map.of();
    /** Bound of every blocking call to the cluster: listing topics, offsets, commits. */
    private final Duration apiTimeout;

    public Harness(KafkaSpec spec, TaskInfo task, RecordHandler handler, Progress progress, Duration closeTimeout) {
        this.spec = spec;
        this.task = task;
        this.handler = handler;
        this.progress = progress;
        this.closeTimeout = closeTimeout;
        this.apiTimeout = Duration.ofMillis(Long.parseLong(
                consumerProperties(spec, task).getProperty(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG)));
    }

    /** The consumer's settings: the user's checked consumerConfig, then what the harness owns. */
    static Properties consumerProperties(KafkaSpec spec, TaskInfo task) {
        Properties p = new Properties();
        // Bounded defaults a user may override: nothing waits forever on an unreachable cluster.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(DEFAULT_API_TIMEOUT.toMillis()));
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        p.put(ConsumerConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, "10000");
        p.putAll(spec.consumerConfig());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, spec.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, spec.groupId());
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, task.groupInstanceId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, task.taskId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(spec.maxPollRecords()));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    /** Runs until drained (drain mode), stopped, or a failure (thrown as {@link HarnessException}). */
    public End run() throws HarnessException {
        try {
            handler.open(task.context(spec.groupId()));
        } catch (Exception e) {
            throw new HarnessException("the handler's open() failed: " + e, e, HarnessException.Kind.HANDLER);
        }
        try {
            consumer = new KafkaConsumer<>(consumerProperties(spec, task));
            try {
                return loop();
            } finally {
                try {
                    progress.lag(lags()); // the final document shows where the instance left its partitions
                } catch (RuntimeException e) {
                    log.debug("task={} final lag not read: {}", task.taskId(), e.toString());
                }
                closeConsumer();
            }
        } catch (WakeupException e) {
            return End.STOPPED; // stopped while starting
        } finally {
            try {
                handler.close();
            } catch (Exception e) {
                log.warn("task={} handler close() failed: {}", task.taskId(), e.toString());
            }
            if (deadLetters != null) deadLetters.close();
            progress.write(true);
            finished.countDown();
        }
    }

    /** Asks the loop to finish the batch in hand, commit and leave; returns at once. */
    public void stop() {
        stopRequested = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) c.wakeup();
    }

    /** Waits for {@link #run} to return, at most {@code timeout}. */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private End loop() throws HarnessException {
        Set<TopicPartition> all = checkCluster();
        if (spec.mode() == KafkaSpec.Mode.DRAIN) {
            drainTargets = endOffsets(all);
            progress.drainTargets(drainTargets);
            log.info("task={} drain: end offsets at start on {} partitions, {} records in all", task.taskId(),
                    drainTargets.size(), drainTargets.values().stream().mapToLong(Long::longValue).sum());
            if (drained()) return End.DRAINED;
        }
        Listener listener = new Listener();
        if (spec.topics() != null) consumer.subscribe(spec.topics(), listener);
        else consumer.subscribe(Pattern.compile(spec.topicPattern()), listener);
        long lastDrainCheck = System.nanoTime();
        while (!stopRequested) {
            ConsumerRecords<byte[], byte[]> records;
            try {
                records = consumer.poll(POLL);
            } catch (WakeupException e) {
                break;
            }
            if (!records.isEmpty()) {
                handle(records);
                progress.consumed(records.count());
                uncommitted = true;
            }
            if (uncommitted && System.nanoTime() - lastCommitNanos >= spec.commitInterval().toNanos()) {
                commit(consumer.assignment());
            }
            // Drain: ask the group's committed offsets (a round trip, and a commit first) only once this
            // instance's own partitions are handled up to their targets; before that it cannot be done.
            if (spec.mode() == KafkaSpec.Mode.DRAIN && System.nanoTime() - lastDrainCheck >= DRAIN_CHECK.toNanos()) {
                lastDrainCheck = System.nanoTime();
                if (ownPartitionsAtTargets()) {
                    if (uncommitted) commit(consumer.assignment());
                    if (drained()) {
                        log.info("task={} drained: the group's committed offsets reached the end offsets taken at start",
                                task.taskId());
                        return End.DRAINED;
                    }
                }
            }
            progress.maybeWrite(this::lags);
        }
        if (uncommitted) commit(consumer.assignment());
        log.info("task={} stopped: last batch committed", task.taskId());
        return End.STOPPED;
    }

    /**
     * Hands one poll's records to the handler. A retriable error: the same batch again after a back-off. A fatal
     * one: the task fails. Anything else: the batch is handed again one record at a time, and a record that fails
     * {@code recordAttempts} times in a row is poison ({@link #poison}).
     */
    private void handle(ConsumerRecords<byte[], byte[]> records) throws HarnessException {
        List<io.nightshift.sdk.kafka.Record> batch = new ArrayList<>(records.count());
        for (ConsumerRecord<byte[], byte[]> r : records) batch.add(toSdk(r));
        long waiting = 0; // what waits behind this batch on its partitions: the stuck check's "records wait"
        for (TopicPartition tp : records.partitions()) waiting += consumer.currentLag(tp).orElse(0);
        lastTotalLag = waiting;
        try {
            handleRetrying(batch);
        } catch (HarnessException e) {
            throw e;
        } catch (FatalHandlerException e) {
            throw new HarnessException("the handler failed (fatal) on a batch of " + batch.size() + " records from "
                    + first(batch) + ": " + e, e, HarnessException.Kind.HANDLER);
        } catch (Exception e) {
            log.warn("task={} the handler failed on a batch of {} records from {}: {}; handing them again one by one",
                    task.taskId(), batch.size(), first(batch), e.toString());
            for (io.nightshift.sdk.kafka.Record r : batch) handleAlone(r);
        }
    }

    /** One record, up to {@code recordAttempts} times; then it is poison. */
    private void handleAlone(io.nightshift.sdk.kafka.Record r) throws HarnessException {
        int attempts = spec.recordAttemptsOrDefault();
        Exception last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                handleRetrying(List.of(r));
                return;
            } catch (FatalHandlerException e) {
                throw new HarnessException("the handler failed (fatal) on record " + where(r) + ": " + e, e,
                        HarnessException.Kind.HANDLER);
            } catch (HarnessException e) {
                throw e;
            } catch (Exception e) {
                last = e;
                log.warn("task={} record {} failed (attempt {} of {}): {}", task.taskId(), where(r), attempt, attempts,
                        e.toString());
            }
        }
        poison(r, last, attempts);
    }

    /**
     * A record the handler failed on {@code attempts} times: to the dead-letter topic (sent and acknowledged before
     * the loop goes on, so a commit past it never loses it), or the task fails naming its partition and offset.
     */
    private void poison(io.nightshift.sdk.kafka.Record r, Exception cause, int attempts) throws HarnessException {
        String reason = "poison record " + where(r) + " (topic " + r.topic() + ", partition " + r.partition()
                + ", offset " + r.offset() + "): the handler failed on it " + attempts + " time(s) in a row: " + cause;
        if (spec.onPoisonOrDefault() == KafkaSpec.PoisonAction.FAIL)
            throw new HarnessException(reason, cause, HarnessException.Kind.POISON);
        try {
            deadLetters().send(r, cause, task);
        } catch (Exception e) {
            throw new HarnessException(reason + "; and it could not be written to the dead-letter topic '"
                    + spec.deadLetterTopic() + "': " + e, e, HarnessException.Kind.CLUSTER);
        }
        progress.deadLettered(where(r));
        log.warn("task={} {}; copied to dead-letter topic '{}'", task.taskId(), reason, spec.deadLetterTopic());
    }

    private DeadLetters deadLetters() {
        if (deadLetters == null) deadLetters = new DeadLetters(spec, apiTimeout);
        return deadLetters;
    }

    /** The handler on {@code batch}, again after a back-off while it throws a retriable error; marks it in hand. */
    private void handleRetrying(List<io.nightshift.sdk.kafka.Record> batch) throws Exception {
        long backoffMs = 500;
        while (true) {
            handlingSince = System.nanoTime();
            try {
                handler.handle(batch);
                return;
            } catch (RetriableHandlerException e) {
                log.warn("task={} handler asked to retry a batch of {} records in {} ms: {}", task.taskId(), batch.size(),
                        backoffMs, e.getMessage());
                progress.retry(e.getMessage());
            } finally {
                handlingSince = 0;
            }
            sleepUnlessStopped(backoffMs);
            if (stopRequested) {
                // Nothing of this batch is committed; whoever owns the partitions next gets it again.
                throw new HarnessException.Stopped();
            }
            backoffMs = Math.min(backoffMs * 2, MAX_RETRY_BACKOFF.toMillis());
        }
    }

    /**
     * The stuck-handler check, called by the watchdog thread about once a second: a non-null reason when one handler
     * call has been running for {@code stuckAfter} while records wait (the lag last seen was above 0). Nothing
     * here touches the consumer (it belongs to the loop's thread).
     */
    String stuck(long nowNanos) {
        long since = handlingSince;
        if (since == 0 || nowNanos - since < spec.stuckAfterOrDefault().toNanos() || lastTotalLag <= 0) return null;
        return "stuck handler: one call has not returned for " + spec.stuckAfterOrDefault() + " while " + lastTotalLag
                + " records wait behind it; nothing of that batch was committed";
    }

    private static String first(List<io.nightshift.sdk.kafka.Record> batch) {
        return where(batch.get(0));
    }

    private static String where(io.nightshift.sdk.kafka.Record r) {
        return r.topic() + "-" + r.partition() + "@" + r.offset();
    }

    static io.nightshift.sdk.kafka.Record toSdk(ConsumerRecord<byte[], byte[]> r) {
        Map<String, byte[]> headers = null; // most records have none: no map for them
        for (Header h : r.headers()) {
            if (h.value() == null) continue;
            if (headers == null) headers = new HashMap<>();
            headers.put(h.key(), h.value());
        }
        return new io.nightshift.sdk.kafka.Record(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value(),
                headers);
    }

    /** Commits the consumer's position on {@code partitions}: everything before it was handled. */
    private void commit(Collection<TopicPartition> partitions) throws HarnessException {
        if (partitions.isEmpty()) {
            uncommitted = false;
            return;
        }
        try {
            handler.beforeCommit();
        } catch (Exception e) {
            throw new HarnessException("the handler's beforeCommit() failed: " + e, e, HarnessException.Kind.HANDLER);
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) offsets.put(tp, new OffsetAndMetadata(consumer.position(tp)));
        try {
            consumer.commitSync(offsets, apiTimeout);
        } catch (org.apache.kafka.clients.consumer.CommitFailedException
                 | org.apache.kafka.common.errors.RebalanceInProgressException e) {
            // The group moved on: these records will be delivered again to the partitions' next owner.
            log.warn("task={} commit of {} partitions refused during a rebalance: {}", task.taskId(), offsets.size(),
                    e.getMessage());
            return;
        }
        uncommitted = false;
        lastCommitNanos = System.nanoTime();
        Map<String, Long> committed = new LinkedHashMap<>();
        offsets.forEach((tp, o) -> committed.put(tp.toString(), o.offset()));
        progress.committed(committed);
    }

    /** Every partition of the job's topics; fails, bounded, when the cluster cannot be reached or a topic is missing. */
    private Set<TopicPartition> checkCluster() throws HarnessException {
        Map<String, List<PartitionInfo>> topics;
        try {
            topics = consumer.listTopics(apiTimeout);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new HarnessException("could not reach the Kafka cluster at " + spec.bootstrapServers() + " within "
                    + apiTimeout + " (listing topics timed out)", e, HarnessException.Kind.CLUSTER);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new HarnessException("the Kafka cluster at " + spec.bootstrapServers() + " refused to list topics: " + e,
                    e, HarnessException.Kind.CLUSTER);
        }
        Set<TopicPartition> all = new HashSet<>();
        if (spec.topics() != null) {
            for (String t : spec.topics()) {
                List<PartitionInfo> parts = topics.get(t);
                if (parts == null) {
                    if (spec.mode() == KafkaSpec.Mode.DRAIN)
                        throw new HarnessException("topic '" + t + "' does not exist on " + spec.bootstrapServers(), null,
                                HarnessException.Kind.CLUSTER);
                    log.warn("task={} topic '{}' does not exist yet; consuming it once it does", task.taskId(), t);
                    continue;
                }
                for (PartitionInfo p : parts) all.add(new TopicPartition(p.topic(), p.partition()));
            }
        } else {
            Pattern pattern = Pattern.compile(spec.topicPattern());
            topics.forEach((t, parts) -> {
                if (pattern.matcher(t).matches()) for (PartitionInfo p : parts) all.add(new TopicPartition(p.topic(), p.partition()));
            });
        }
        return all;
    }

    private Map<TopicPartition, Long> endOffsets(Set<TopicPartition> all) throws HarnessException {
        try {
            Map<TopicPartition, Long> end = consumer.endOffsets(all, apiTimeout);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(all, apiTimeout);
            Map<TopicPartition, Long> targets = new HashMap<>();
            // An empty partition (end == beginning) has nothing to drain.
            end.forEach((tp, e) -> {
                if (e > begin.getOrDefault(tp, 0L)) targets.put(tp, e);
            });
            return targets;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new HarnessException("could not read end offsets from " + spec.bootstrapServers() + " within "
                    + apiTimeout, e, HarnessException.Kind.CLUSTER);
        }
    }

    /** True once the group's committed offset reached the target on every partition to drain. */
    private boolean drained() {
        if (drainTargets.isEmpty()) return true;
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(drainTargets.keySet(), apiTimeout);
        long remaining = 0;
        for (Map.Entry<TopicPartition, Long> t : drainTargets.entrySet()) {
            OffsetAndMetadata c = committed.get(t.getKey());
            long at = c == null ? 0 : c.offset();
            remaining += Math.max(0, t.getValue() - at);
        }
        progress.drainRemaining(remaining);
        return remaining == 0;
    }

    /** True when every partition this instance owns is handled up to its drain target (local: no round trip). */
    private boolean ownPartitionsAtTargets() {
        for (TopicPartition tp : consumer.assignment()) {
            Long target = drainTargets.get(tp);
            if (target != null && consumer.position(tp, apiTimeout) < target) return false;
        }
        return true;
    }

    private Map<String, Long> lags() {
        Map<String, Long> lag = new LinkedHashMap<>();
        long total = 0;
        for (TopicPartition tp : consumer.assignment()) {
            var l = consumer.currentLag(tp);
            if (l.isPresent()) {
                lag.put(tp.toString(), l.getAsLong());
                total += l.getAsLong();
            }
        }
        lastTotalLag = total;
        return lag;
    }

    private void closeConsumer() {
        try {
            // Leave the group now (static members otherwise stay until their session times out), within the grace.
            consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(closeTimeout));
        } catch (RuntimeException e) {
            log.warn("task={} closing the consumer: {}", task.taskId(), e.toString());
        }
    }

    private void sleepUnlessStopped(long ms) {
        long until = System.nanoTime() + ms * 1_000_000L;
        while (!stopRequested && System.nanoTime() < until) {
            try {
                Thread.sleep(Math.min(100, ms));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Commits what was handled before partitions move away. Runs inside poll(), on the loop's thread. */
    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            try {
                if (uncommitted && !partitions.isEmpty()) commit(partitions);
                handler.onPartitionsRevoked(partitions.stream().map(Harness::sdk).toList());
            } catch (Exception e) {
                throw new HarnessException.Unchecked(new HarnessException("committing revoked partitions " + partitions
                        + " failed: " + e, e, HarnessException.Kind.HANDLER));
            }
            log.info("task={} partitions revoked after commit: {}", task.taskId(), partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            try {
                handler.onPartitionsRevoked(partitions.stream().map(Harness::sdk).toList());
            } catch (Exception e) {
                log.warn("task={} handler onPartitionsRevoked (lost) failed: {}", task.taskId(), e.toString());
            }
            log.warn("task={} partitions lost (not committed): {}", task.taskId(), partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Map<io.nightshift.sdk.kafka.TopicPartition, Long> start = new LinkedHashMap<>();
            for (TopicPartition tp : partitions) start.put(sdk(tp), consumer.position(tp, apiTimeout));
            try {
                handler.onPartitionsAssigned(start);
            } catch (Exception e) {
                throw new HarnessException.Unchecked(new HarnessException("the handler's onPartitionsAssigned failed: " + e,
                        e, HarnessException.Kind.HANDLER));
            }
            log.info("task={} partitions assigned: {}", task.taskId(), start);
        }
    }

    static io.nightshift.sdk.kafka.TopicPartition sdk(TopicPartition tp) {
        return new io.nightshift.sdk.kafka.TopicPartition(tp.topic(), tp.partition());
    }
}
