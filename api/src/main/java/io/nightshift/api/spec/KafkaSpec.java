package io.nightshift.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A {@code kafka} job: {@code instances} tasks that form one consumer group ({@code groupId}) on
 * {@code topics} (or every topic matching {@code topicPattern}) of the cluster at {@code bootstrapServers},
 * each running Nightshift's consumer harness in a JVM of its own.
 *
 * <p>The records go to {@code handler}, a class implementing the job SDK's {@code RecordHandler}, found on
 * {@code classpath} (entries absolute or relative to the sandbox, where fetched artifacts land); or, with
 * {@code sink} instead of a handler, to the built-in file sink (no user code).
 *
 * <p>{@code mode}: {@code drain} ends SUCCEEDED once the group's committed offsets reach, on every partition,
 * the end offsets taken when the instance started; {@code stream} runs until stopped. Offsets are committed
 * only after the handler returned for the records (at-least-once), at most every {@code commitInterval}
 * ({@code PT0S}: after every batch) and always before partitions are revoked and before the harness exits.
 * {@code consumerConfig} is passed to the KafkaConsumer after being checked against Kafka's own
 * {@code ConsumerConfig} declarations; the keys the harness owns are refused there (see
 * {@link JobSpecParser}).
 *
 * <p>Supervision: a batch the handler fails on (anything but a retriable or fatal error) is handed again one record
 * at a time; a record that fails {@code recordAttempts} times in a row ({@value #DEFAULT_RECORD_ATTEMPTS} when
 * unset) is poison: {@code onPoison} {@code fail} (the default) fails the task with its partition and offset in the
 * reason, {@code deadLetter} copies it to {@code deadLetterTopic} (with its origin in headers) and goes on. A handler
 * call that has not returned after {@code stuckAfter} (default {@link #DEFAULT_STUCK_AFTER}) while records wait is a
 * stuck instance: it exits with {@code EXIT_STUCK} and the reason, and the retry policy restarts it. Unset
 * supervision fields stay out of the JSON (they do not change a stored spec's hash).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KafkaSpec(String bootstrapServers, List<String> topics, String topicPattern, String groupId,
                        Mode mode, String handler, List<String> classpath, SinkSpec sink,
                        Map<String, String> consumerConfig, int maxPollRecords, Duration commitInterval,
                        Long heapMb, Integer recordAttempts, PoisonAction onPoison, String deadLetterTopic,
                        Duration stuckAfter) {

    public static final int DEFAULT_MAX_POLL_RECORDS = 500;
    public static final int DEFAULT_RECORD_ATTEMPTS = 3;
    public static final Duration DEFAULT_STUCK_AFTER = Duration.ofMinutes(5);

    /** Without the supervision fields (their defaults). */
    public KafkaSpec(String bootstrapServers, List<String> topics, String topicPattern, String groupId, Mode mode,
                     String handler, List<String> classpath, SinkSpec sink, Map<String, String> consumerConfig,
                     int maxPollRecords, Duration commitInterval, Long heapMb) {
        this(bootstrapServers, topics, topicPattern, groupId, mode, handler, classpath, sink, consumerConfig,
                maxPollRecords, commitInterval, heapMb, null, null, null, null);
    }
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(1);

    public KafkaSpec {
        if (bootstrapServers == null) throw new InvalidSpecException("/kafka/bootstrapServers", "is required");
        if ((topics == null || topics.isEmpty()) == (topicPattern == null))
            throw new InvalidSpecException("/kafka", "set exactly one of 'topics' or 'topicPattern'");
        if ((handler == null) == (sink == null))
            throw new InvalidSpecException("/kafka", "set exactly one of 'handler' or 'sink'");
        if (groupId == null) throw new InvalidSpecException("/kafka/groupId", "is required");
        if (mode == null) throw new InvalidSpecException("/kafka/mode", "is required");
        topics = topics == null ? null : List.copyOf(topics);
        classpath = classpath == null ? List.of() : List.copyOf(classpath);
        consumerConfig = consumerConfig == null ? Map.of() : Map.copyOf(consumerConfig);
        maxPollRecords = maxPollRecords == 0 ? DEFAULT_MAX_POLL_RECORDS : maxPollRecords;
        commitInterval = commitInterval == null ? DEFAULT_COMMIT_INTERVAL : commitInterval;
        if (onPoison == PoisonAction.DEAD_LETTER && deadLetterTopic == null)
            throw new InvalidSpecException("/kafka/deadLetterTopic", "is required with onPoison deadLetter");
    }

    /** How many times in a row one record may fail before it is poison. */
    public int recordAttemptsOrDefault() {
        return recordAttempts == null ? DEFAULT_RECORD_ATTEMPTS : recordAttempts;
    }

    public PoisonAction onPoisonOrDefault() {
        return onPoison == null ? PoisonAction.FAIL : onPoison;
    }

    public Duration stuckAfterOrDefault() {
        return stuckAfter == null ? DEFAULT_STUCK_AFTER : stuckAfter;
    }

    /** What happens to a poison record: {@code fail} the task, or copy it to the {@code deadLetter} topic and go on. */
    public enum PoisonAction {
        FAIL("fail"), DEAD_LETTER("deadLetter");

        private final String wire;

        PoisonAction(String wire) {
            this.wire = wire;
        }

        @JsonValue
        public String wire() {
            return wire;
        }

        public static PoisonAction fromWire(String s) {
            for (PoisonAction a : values()) if (a.wire.equals(s)) return a;
            return null;
        }
    }

    /** {@code drain}: consume up to the end offsets taken at start, then succeed. {@code stream}: run until stopped. */
    public enum Mode {
        DRAIN("drain"), STREAM("stream");

        private final String wire;

        Mode(String wire) {
            this.wire = wire;
        }

        @JsonValue
        public String wire() {
            return wire;
        }

        public static Mode fromWire(String s) {
            for (Mode m : values()) if (m.wire.equals(s)) return m;
            return null;
        }
    }

    /**
     * The built-in sink: files of {@code format} ({@code ndjson}, the default, or {@code parquet}) under {@code path}:
     * a directory on the agent ({@code /data/out}), on HDFS ({@code hdfs://[cluster]/dir}) or on S3
     * ({@code s3://bucket/prefix}); which HDFS clusters and which S3 store (and its credentials) come from the agent's
     * configuration, never from the spec. One file per partition at a time, rolled when it reaches {@code rollBytes}
     * or is {@code rollInterval} old, and always before a commit. A finished file is named
     * {@code <topic>-<partition>-<firstOffset>-<lastOffset>.ndjson} (or {@code .parquet}) and appears whole (written
     * aside, then renamed or uploaded in one request); files a re-delivery would rewrite are removed when the
     * partition is assigned, so re-delivery never leaves a record twice. Unset {@code format} stays out of the JSON.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SinkSpec(String path, long rollBytes, Duration rollInterval, Format format) {
        public static final long DEFAULT_ROLL_BYTES = 64L << 20;
        public static final Duration DEFAULT_ROLL_INTERVAL = Duration.ofMinutes(5);

        public SinkSpec {
            if (path == null) throw new InvalidSpecException("/kafka/sink/path", "is required");
            rollBytes = rollBytes == 0 ? DEFAULT_ROLL_BYTES : rollBytes;
            rollInterval = rollInterval == null ? DEFAULT_ROLL_INTERVAL : rollInterval;
            if (format == Format.NDJSON) format = null; // the default: left out so stored specs keep their hash
        }

        /** NDJSON files. */
        public SinkSpec(String path, long rollBytes, Duration rollInterval) {
            this(path, rollBytes, rollInterval, null);
        }

        public Format formatOrDefault() {
            return format == null ? Format.NDJSON : format;
        }

        /** What kind of place {@code path} names. */
        public Scheme scheme() {
            if (path.startsWith("hdfs://")) return Scheme.HDFS;
            if (path.startsWith("s3://")) return Scheme.S3;
            return Scheme.LOCAL;
        }

        public enum Scheme { LOCAL, HDFS, S3 }
    }

    /** The built-in sink's file format. */
    public enum Format {
        NDJSON("ndjson"), PARQUET("parquet");

        private final String wire;

        Format(String wire) {
            this.wire = wire;
        }

        @JsonValue
        public String wire() {
            return wire;
        }

        public static Format fromWire(String s) {
            for (Format f : values()) if (f.wire.equals(s)) return f;
            return null;
        }
    }
}
