package io.nightshift.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.TaskProgress;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.spec.JobType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards what running kafka tasks report about themselves: every {@link #tick} reads the harness's progress
 * document ({@value #FILE}, at most {@value #MAX_BYTES} bytes, replaced atomically by the harness) of each running
 * kafka attempt whose file changed since the last tick, and sends it as an {@link AgentMessage.Progress}; and once
 * an attempt's leader exited, {@link #last} sends what it wrote last (the harness's final document, with
 * {@code finished}) before the attempt's end is reported. The agent parses JSON only; it never loads Kafka.
 */
final class ProgressReporter {
    static final String FILE = "kafka-progress.json";
    static final int MAX_BYTES = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

    private final String agentId;
    private final Supplier<List<Attempts.ActiveSandbox>> active;
    private final Consumer<AgentMessage.Progress> send;
    private final Map<String, FileTime> lastSent = new HashMap<>();

    ProgressReporter(String agentId, Supplier<List<Attempts.ActiveSandbox>> active, Consumer<AgentMessage.Progress> send) {
        this.agentId = agentId;
        this.active = active;
        this.send = send;
    }

    synchronized void tick() {
        Set<String> seen = new HashSet<>();
        for (Attempts.ActiveSandbox a : active.get()) {
            if (a.type() != JobType.KAFKA) continue;
            seen.add(a.attemptId());
            forward(a, false);
        }
        lastSent.keySet().retainAll(seen);
    }

    /**
     * The attempt's leader exited: forwards its last document now, unless that one was sent already. Returns the
     * document's {@code failure} (why the harness failed), or null.
     */
    synchronized String last(Attempts.ActiveSandbox a) {
        if (a.type() != JobType.KAFKA) return null;
        TaskProgress p = forward(a, true);
        lastSent.remove(a.attemptId());
        return p == null ? null : p.failure();
    }

    /** Sends the document if it changed since the last one sent (or {@code always}); returns it when read. */
    private TaskProgress forward(Attempts.ActiveSandbox a, boolean always) {
        Path f = a.dir().resolve(FILE);
        try {
            if (!Files.isRegularFile(f)) return null;
            FileTime modified = Files.getLastModifiedTime(f);
            boolean sent = modified.equals(lastSent.get(a.attemptId()));
            if (sent && !always) return null;
            if (Files.size(f) > MAX_BYTES) {
                LOG.warn("attempt {}: {} is larger than {} bytes; not forwarded", a.attemptId(), FILE, MAX_BYTES);
                lastSent.put(a.attemptId(), modified);
                return null;
            }
            JsonNode doc = Json.mapper().readTree(Files.readAllBytes(f));
            TaskProgress p = TaskProgress.fromHarness(a.attemptId(), doc);
            if (!sent) send.accept(new AgentMessage.Progress(agentId, a.taskId(), p));
            lastSent.put(a.attemptId(), modified);
            return p;
        } catch (IOException | RuntimeException e) {
            LOG.debug("attempt {}: progress not read: {}", a.attemptId(), e.toString());
            return null;
        }
    }
}
