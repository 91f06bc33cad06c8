package io.nightshift.agent.channel;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.agent.StatusSink;
import io.nightshift.api.json.Json;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.protocol.AgentMessage.StatusUpdate;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbers status updates and keeps them, on disk, until the coordinator acknowledges them.
 *
 * <p>The file {@code <work-dir>/status-journal} is append-only, one JSON object per line:
 * <pre>
 *   {"type":"status","seq":…,…}   a status update; appended and fsync'd ({@code force}) before it
 *                                 is handed to the channel, so an update that was sent is on disk
 *   {"ack":N}                     the coordinator acknowledged every seq ≤ N (not fsync'd: losing it
 *                                 only means a harmless re-send)
 *   {"floor":N}                   the last seq issued when the file was compacted
 * </pre>
 * <ul>
 *   <li>{@code seq} is strictly increasing per agent, also across restarts and even when the clock
 *       goes back: it starts at max(highest seq or floor in the journal + 1, now in epoch millis).</li>
 *   <li>An {@code Ack(seq)} is cumulative: it drops every update with a seq at or below it.</li>
 *   <li>Opening the journal reads every complete line (a torn last line, the trace of a crash in the
 *       middle of an append, is ignored and cut off; an unreadable line is skipped with a warning),
 *       keeps the unacknowledged updates in seq order and compacts the file.</li>
 *   <li>Compaction rewrites the file with only a floor line and the unacknowledged updates (temp
 *       file, fsync, atomic rename, fsync of the directory): at open, and after an ack once the file
 *       is larger than its threshold and at least half of its lines are no longer needed.</li>
 *   <li>{@code listener} is told every new update, in seq order, after it is on disk.</li>
 * </ul>
 * Duplicates and reordering are harmless by contract: the coordinator ignores an update whose seq it
 * has seen or whose state is older than what it has. Thread-safe; {@link #report} blocks for one
 * fsync, so it must not be called on an event loop.
 */
public final class StatusJournal implements StatusSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusJournal.class);
    public static final String FILE = "status-journal";
    /** Before journals existed the last seq lived here; still read once as a floor. */
    static final String LEGACY_SEQ_FILE = "seq";
    static final long DEFAULT_COMPACT_BYTES = 1 << 20;

    private final Path file;
    private final Clock clock;
    private final Executor background;
    private final long compactBytes;
    private final ConcurrentSkipListMap<Long, StatusUpdate> unacked = new ConcurrentSkipListMap<>();
    private volatile Consumer<StatusUpdate> listener = u -> { };
    /** Serializes fsyncs and the hand-over to the listener (taken before {@code this}, never after). */
    private final Object syncLock = new Object();
    private long syncedSeq; // guarded by syncLock
    // guarded by this:
    private FileChannel out;
    private long lastSeq;
    private long fileBytes;
    private long fileLines;
    private long ackedUpTo;
    private long ackWritten;
    private boolean closed;

    private StatusJournal(Path file, Clock clock, Executor background, long compactBytes) {
        this.file = file;
        this.clock = clock;
        this.background = background;
        this.compactBytes = compactBytes;
    }

    /**
     * Opens (or creates) the journal in {@code workDir}, loading what was not acknowledged.
     * {@code background} runs the bookkeeping after an ack (marker line, compaction), off the
     * caller's thread.
     */
    public static StatusJournal open(Path workDir, Clock clock, Executor background) {
        return open(workDir, clock, background, DEFAULT_COMPACT_BYTES);
    }

    static StatusJournal open(Path workDir, Clock clock, Executor background, long compactBytes) {
        StatusJournal j = new StatusJournal(workDir.resolve(FILE), clock, background, compactBytes);
        try {
            Files.createDirectories(workDir);
            synchronized (j) {
                long floor = Math.max(j.load(), readLegacySeq(workDir.resolve(LEGACY_SEQ_FILE)));
                j.lastSeq = Math.max(floor, clock.millis() - 1);
                j.syncedSeq = j.lastSeq; // what was loaded is re-sent after registration, not as new
                j.compact();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the status journal " + j.file + ": " + e.getMessage(), e);
        }
        if (!j.unacked.isEmpty())
            LOG.info("status journal: {} unacknowledged update(s) from before the restart (seq {}..{})", j.unacked.size(),
                    j.unacked.firstKey(), j.unacked.lastKey());
        return j;
    }

    /** Reads the file; returns the highest seq or floor found. Fills {@link #unacked}. */
    private long load() throws IOException {
        if (!Files.exists(file)) return 0;
        byte[] bytes = Files.readAllBytes(file);
        long floor = 0;
        long acked = 0;
        int bad = 0;
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') continue;
            String line = new String(bytes, start, i - start, StandardCharsets.UTF_8).trim();
            start = i + 1;
            if (line.isEmpty()) continue;
            try {
                JsonNode n = Json.mapper().readTree(line);
                if (n.has("ack")) {
                    acked = Math.max(acked, n.get("ack").asLong());
                } else if (n.has("floor")) {
                    floor = Math.max(floor, n.get("floor").asLong());
                } else if (Json.mapper().treeToValue(n, AgentMessage.class) instanceof StatusUpdate u) {
                    unacked.put(u.seq(), u);
                    floor = Math.max(floor, u.seq());
                } else {
                    bad++;
                }
            } catch (IOException | RuntimeException e) {
                bad++; // the content is not logged: a message may quote task output
            }
        }
        if (start < bytes.length)
            LOG.warn("status journal {}: ignoring a torn last line ({} bytes; the agent died while appending)", file,
                    bytes.length - start);
        if (bad > 0) LOG.warn("status journal {}: skipped {} unreadable line(s)", file, bad);
        unacked.headMap(acked, true).clear();
        ackedUpTo = ackWritten = acked;
        return Math.max(floor, acked);
    }

    private static long readLegacySeq(Path f) {
        try {
            return Long.parseLong(Files.readString(f, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Who is told each new update (called under this journal's lock, so in seq order; must not block). */
    public void listener(Consumer<StatusUpdate> listener) {
        this.listener = listener;
    }

    /**
     * Numbers the update, appends it and forces it to disk, then tells the listener. Throws
     * {@link UncheckedIOException} when it cannot be made durable (then nothing was sent) and
     * {@link IllegalStateException} after {@link #close()}.
     */
    @Override
    public void report(String taskId, String attemptId, TaskState state, Reason reason, Integer exitCode,
                       String message) {
        report(taskId, attemptId, state, reason, exitCode, message, null, null);
    }

    @Override
    public void report(String taskId, String attemptId, TaskState state, String message,
                       io.nightshift.api.model.FetchProgress fetch) {
        report(taskId, attemptId, state, null, null, message, fetch, null);
    }

    @Override
    public void report(String taskId, String attemptId, String message, io.nightshift.api.model.AppInfo app) {
        report(taskId, attemptId, TaskState.RUNNING, null, null, message, null, app);
    }

    private void report(String taskId, String attemptId, TaskState state, Reason reason, Integer exitCode,
                        String message, io.nightshift.api.model.FetchProgress fetch, io.nightshift.api.model.AppInfo app) {
        StatusUpdate u;
        synchronized (this) {
            if (closed) throw new IllegalStateException("status journal closed; update of " + attemptId + " not recorded");
            u = new StatusUpdate(++lastSeq, taskId, attemptId, state, reason, exitCode, message, clock.instant(), fetch, app);
            try {
                append(Json.write(u), false);
            } catch (IOException e) {
                lastSeq--;
                throw new UncheckedIOException("cannot journal the status update of " + attemptId + ": " + e.getMessage(), e);
            }
            unacked.put(u.seq(), u);
        }
        syncThrough(u.seq());
    }

    /**
     * Group commit: one fsync makes every update appended so far durable, so concurrent reporters
     * share it instead of queueing one fsync each. Updates are handed to the listener in seq order,
     * each only after an fsync that covers it.
     */
    private void syncThrough(long seq) {
        synchronized (syncLock) {
            if (syncedSeq >= seq) return;
            long target;
            FileChannel ch;
            synchronized (this) { // appends go on meanwhile: they join the next fsync
                target = lastSeq;
                ch = out;
            }
            try {
                ch.force(false); // compaction, which swaps the channel, also holds syncLock
            } catch (IOException e) {
                throw new UncheckedIOException("cannot force the status journal " + file + ": " + e.getMessage(), e);
            }
            for (StatusUpdate u : unacked.subMap(syncedSeq, false, target, true).values()) listener.accept(u);
            syncedSeq = target;
        }
    }

    /** The coordinator stored every update up to and including {@code seq}. Returns at once. */
    public void ack(long seq) {
        unacked.headMap(seq, true).clear();
        synchronized (this) {
            if (seq <= ackedUpTo) return;
            ackedUpTo = seq;
        }
        try {
            background.execute(this::persistAck);
        } catch (RejectedExecutionException e) {
            // stopping: the ack is lost, which only means a re-send after the restart
        }
    }

    private void persistAck() {
        synchronized (syncLock) {
            persistAckLocked();
        }
    }

    private synchronized void persistAckLocked() {
        if (closed || ackWritten >= ackedUpTo) return;
        try {
            append("{\"ack\":" + ackedUpTo + "}", false);
            ackWritten = ackedUpTo;
            if (fileBytes > compactBytes && (long) unacked.size() * 2 <= fileLines) compact();
        } catch (IOException e) {
            LOG.warn("status journal {}: cannot record ack {}: {}", file, ackedUpTo, e.toString());
        }
    }

    /** Updates not yet acknowledged, in seq order. */
    public List<StatusUpdate> unacked() {
        return List.copyOf(unacked.values());
    }

    /** Ids of the attempts that have updates not yet acknowledged, sorted. */
    public Set<String> unackedAttempts() {
        Set<String> ids = new TreeSet<>();
        for (StatusUpdate u : unacked.values()) ids.add(u.attemptId());
        return ids;
    }

    public synchronized long lastSeq() {
        return lastSeq;
    }

    /** Size of the journal file in bytes (for tests and metrics). */
    public synchronized long fileBytes() {
        return fileBytes;
    }

    /** Closes the file. Later reports fail; later acks are only kept in memory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            if (out != null) out.close();
        } catch (IOException e) {
            LOG.warn("status journal {}: close failed: {}", file, e.toString());
        }
    }

    private void append(String json, boolean durable) throws IOException {
        byte[] line = (json + "\n").getBytes(StandardCharsets.UTF_8);
        long before = out.size();
        try {
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) out.write(buf);
            if (durable) out.force(false);
        } catch (IOException e) {
            try {
                out.truncate(before); // never leave half a line for the next append to run into
            } catch (IOException ignored) {
                // the next open cuts a torn line off anyway
            }
            throw e;
        }
        fileBytes += line.length;
        fileLines++;
    }

    /** Rewrites the file with a floor line and the unacknowledged updates; atomic and durable. */
    private void compact() throws IOException {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        List<StatusUpdate> keep = List.copyOf(unacked.values());
        StringBuilder sb = new StringBuilder("{\"floor\":").append(lastSeq).append("}\n");
        for (StatusUpdate u : keep) sb.append(Json.write(u)).append('\n');
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(false);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(file.getParent());
        // The old channel points at the replaced (unlinked) file until it is swapped here.
        FileChannel fresh = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        if (out != null) out.close();
        out = fresh;
        fileBytes = bytes.length;
        fileLines = keep.size() + 1L;
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException e) {
            // not supported on every file system; the rename itself is atomic
        }
    }
}
