package io.nightshift.harness.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the harness is doing, as a small JSON document in the sandbox ({@value #FILE}), replaced atomically
 * (write a temporary file, rename over) at most once a second and at the end, so a reader (the agent) never
 * sees half a file:
 * <pre>
 * {"v":1, "taskId":"…", "time":"…", "records":123456, "recordsPerSec":40321.5,
 *  "lag":{"orders-0":0,"orders-1":12}, "totalLag":12, "drainRemaining":0,
 *  "lastCommit":{"time":"…","offsets":{"orders-0":20000}}, "lastRetry":"…",
 *  "deadLettered":2, "lastDeadLetter":"orders-1@977", "failure":"poison record …", "finished":false}
 * </pre>
 * {@code lag} covers the partitions this instance owns (from the consumer's fetch positions);
 * {@code drainRemaining} (drain mode) is what the whole group still has to commit to reach the end offsets
 * taken at start. Only the loop's thread calls it.
 */
public final class Progress {
    public static final String FILE = "kafka-progress.json";
    /** At most one write per interval while running (the agent reads the file once a second). */
    static final java.time.Duration INTERVAL = java.time.Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(Progress.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final String taskId;
    private long records;
    private long windowRecords;
    private long windowStart = System.nanoTime();
    private double recordsPerSec;
    private Map<String, Long> lag = Map.of();
    private Long drainRemaining;
    private Instant lastCommitTime;
    private Map<String, Long> lastCommit = new TreeMap<>();
    private String lastRetry;
    private long deadLettered;
    private String lastDeadLetter;
    private String failure;
    private long lastWrite;

    public Progress(Path sandbox, String taskId) {
        this.file = sandbox.resolve(FILE);
        this.taskId = taskId;
    }

    void consumed(int n) {
        records += n;
        windowRecords += n;
    }

    void lag(Map<String, Long> lag) {
        this.lag = lag;
    }

    void drainTargets(Map<TopicPartition, Long> targets) {
        drainRemaining = targets.values().stream().mapToLong(Long::longValue).sum();
    }

    void drainRemaining(long remaining) {
        drainRemaining = remaining;
    }

    void committed(Map<String, Long> offsets) {
        lastCommitTime = Instant.now();
        lastCommit.putAll(offsets);
    }

    void retry(String message) {
        lastRetry = message == null ? "retry" : message.length() > 200 ? message.substring(0, 200) : message;
    }

    void deadLettered(String where) {
        deadLettered++;
        lastDeadLetter = where;
    }

    /** Why the task fails (the last document carries it; the agent adds it to the attempt's message). */
    synchronized void failure(String reason) {
        failure = reason == null ? "failed" : reason.length() > 1000 ? reason.substring(0, 1000) : reason;
    }

    public long records() {
        return records;
    }

    /**
     * Writes the document when the last write is {@link #INTERVAL} old; {@code lag} (a look at every owned
     * partition) is asked only then, not after every poll.
     */
    void maybeWrite(java.util.function.Supplier<Map<String, Long>> lag) {
        if (System.nanoTime() - lastWrite < INTERVAL.toNanos()) return;
        this.lag = lag.get();
        write(false);
    }

    synchronized void write(boolean finished) {
        long now = System.nanoTime();
        double secs = (now - windowStart) / 1e9;
        if (secs >= 0.5) {
            recordsPerSec = windowRecords / secs;
            windowRecords = 0;
            windowStart = now;
        }
        lastWrite = now;
        ObjectNode o = JSON.createObjectNode();
        o.put("v", 1);
        o.put("taskId", taskId);
        o.put("time", Instant.now().toString());
        o.put("records", records);
        o.put("recordsPerSec", Math.round(recordsPerSec * 10) / 10.0);
        ObjectNode l = o.putObject("lag");
        long total = 0;
        for (Map.Entry<String, Long> e : new TreeMap<>(lag).entrySet()) {
            l.put(e.getKey(), e.getValue());
            total += e.getValue();
        }
        o.put("totalLag", total);
        if (drainRemaining != null) o.put("drainRemaining", drainRemaining);
        if (lastCommitTime != null) {
            ObjectNode c = o.putObject("lastCommit");
            c.put("time", lastCommitTime.toString());
            ObjectNode offs = c.putObject("offsets");
            lastCommit.forEach(offs::put);
        }
        if (lastRetry != null) o.put("lastRetry", lastRetry);
        if (deadLettered > 0) {
            o.put("deadLettered", deadLettered);
            o.put("lastDeadLetter", lastDeadLetter);
        }
        if (failure != null) o.put("failure", failure);
        o.put("finished", finished);
        try {
            Path tmp = file.resolveSibling(FILE + ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(o));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.warn("task={} could not write {}: {}", taskId, file, e.toString());
        }
    }
}
