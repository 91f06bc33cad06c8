package io.nightshift.agent.channel;

import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's own record of every launch it received and what it did with it, one line each in
 * {@code <work-dir>/launches}:
 * <pre>
 *   &lt;received-at&gt; epoch=&lt;n&gt; attempt=&lt;id&gt; job=&lt;id&gt; run=&lt;id&gt; scheduled-for=&lt;instant|-&gt; &lt;verdict&gt;
 * </pre>
 * with verdict {@code launched} (handed to the attempts), {@code ignored} (a duplicate of an attempt known
 * here, or refused as malformed), or {@code fenced} (its epoch was older than the highest this agent had seen).
 * It answers "who launched what under which epoch" from the agents' side, whatever the coordinators
 * recorded. Bounded: when the file passes {@code maxBytes} it becomes {@code launches.1} (the
 * previous one is dropped), so at most about twice that is kept. Lines are written in order by one
 * background thread (the callers are event loops); a write goes to the OS at once (kept over a
 * kill -9 of the agent, not over a power cut). Thread-safe.
 */
public final class LaunchRecord implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LaunchRecord.class);
    public static final String FILE = "launches";
    public static final long DEFAULT_MAX_BYTES = 4L << 20;

    public enum Verdict {
        LAUNCHED, IGNORED, FENCED;

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One parsed line. */
    public record Entry(String receivedAt, long epoch, String attemptId, String jobId, String runId, String scheduledFor,
                        String verdict) {
    }

    private final Path file;
    private final long maxBytes;
    private final Clock clock;
    private final ExecutorService writer;

    public LaunchRecord(Path workDir, long maxBytes, Clock clock) {
        this.file = workDir.resolve(FILE);
        this.maxBytes = maxBytes;
        this.clock = clock;
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nightshift-launch-record");
            t.setDaemon(true);
            return t;
        });
    }

    /** The line for {@code launch} (never its secrets: only ids, epoch and scheduled time). Pure. */
    static String line(String receivedAt, Launch launch, Verdict verdict) {
        return receivedAt + " epoch=" + launch.epoch() + " attempt=" + word(launch.attemptId()) + " job=" + word(launch.jobId())
                + " run=" + word(launch.runId()) + " scheduled-for=" + (launch.scheduledFor() == null ? "-" : launch.scheduledFor())
                + " " + verdict.wire() + "\n";
    }

    private static String word(String s) {
        return s == null || s.isEmpty() ? "-" : s.replaceAll("\\s", "_");
    }

    /** Queues the line for {@code launch}; returns at once. */
    public void record(Launch launch, Verdict verdict) {
        String text = line(clock.instant().toString(), launch, verdict);
        try {
            writer.execute(() -> append(text));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("launch record closed; not recorded: attempt {}", launch.attemptId());
        }
    }

    private void append(String text) {
        try {
            if (Files.exists(file) && Files.size(file) >= maxBytes)
                Files.move(file, file.resolveSibling(FILE + ".1"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) ch.write(b);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot append to the launch record {}: {}", file, e.toString());
        }
    }

    /** Waits until every queued line is written (tests, shutdown). */
    public void flush() {
        try {
            writer.submit(() -> { }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("launch record flush: {}", e.toString());
        }
    }

    /** Every entry kept, oldest first ({@code launches.1} then {@code launches}); a torn or foreign line is skipped. */
    public static List<Entry> read(Path workDir) throws IOException {
        List<Entry> out = new ArrayList<>();
        for (Path f : List.of(workDir.resolve(FILE + ".1"), workDir.resolve(FILE))) {
            if (!Files.exists(f)) continue;
            for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                Entry e = parse(l);
                if (e != null) out.add(e);
            }
        }
        return out;
    }

    static Entry parse(String l) {
        String[] p = l.split(" ");
        if (p.length != 7 || !p[1].startsWith("epoch=") || !p[2].startsWith("attempt=") || !p[3].startsWith("job=")
                || !p[4].startsWith("run=") || !p[5].startsWith("scheduled-for=")) return null;
        try {
            return new Entry(p[0], Long.parseLong(p[1].substring(6)), p[2].substring(8), p[3].substring(4), p[4].substring(4),
                    p[5].substring(14), p[6]);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) LOG.warn("launch record: lines still queued at close");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
