package io.nightshift.agent.channel;

import io.nightshift.agent.StatusSink;
import io.nightshift.api.protocol.AgentMessage.StatusUpdate;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbers status updates and keeps them until the coordinator acknowledges them.
 * <ul>
 *   <li>{@code seq} is strictly increasing per agent, also across restarts: it starts at
 *       max(last issued + 1, now in epoch millis), and the last issued value is persisted in the
 *       work dir ({@code seq}) with each update.</li>
 *   <li>An {@code Ack(seq)} is cumulative: it drops every update with a seq at or below it.</li>
 *   <li>{@code listener} is told every new update, in seq order (it sends it if connected).</li>
 * </ul>
 */
public final class StatusJournal implements StatusSink {
    private static final Logger LOG = LoggerFactory.getLogger(StatusJournal.class);

    private final Path seqFile;
    private final Clock clock;
    private final ConcurrentSkipListMap<Long, StatusUpdate> unacked = new ConcurrentSkipListMap<>();
    private volatile Consumer<StatusUpdate> listener = u -> { };
    private long lastSeq; // guarded by this

    public StatusJournal(Path seqFile, Clock clock) {
        this.seqFile = seqFile;
        this.clock = clock;
        this.lastSeq = Math.max(readPersisted(seqFile), clock.millis() - 1);
    }

    /** Who is told each new update (called under this journal's lock, so in seq order; must not block). */
    public void listener(Consumer<StatusUpdate> listener) {
        this.listener = listener;
    }

    @Override
    public synchronized void report(String taskId, String attemptId, TaskState state, Reason reason, Integer exitCode,
                                    String message) {
        StatusUpdate u = new StatusUpdate(++lastSeq, taskId, attemptId, state, reason, exitCode, message, clock.instant());
        persist(lastSeq);
        unacked.put(u.seq(), u);
        listener.accept(u);
    }

    /** The coordinator stored every update up to and including {@code seq}. */
    public void ack(long seq) {
        unacked.headMap(seq, true).clear();
    }

    /** Updates not yet acknowledged, in seq order. */
    public List<StatusUpdate> unacked() {
        return List.copyOf(unacked.values());
    }

    public synchronized long lastSeq() {
        return lastSeq;
    }

    private static long readPersisted(Path file) {
        try {
            return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private void persist(long seq) {
        try {
            Path tmp = seqFile.resolveSibling(seqFile.getFileName() + ".tmp");
            Files.writeString(tmp, Long.toString(seq), StandardCharsets.US_ASCII);
            Files.move(tmp, seqFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot persist status seq {} to {}: {}", seq, seqFile, e.toString());
        }
    }
}
