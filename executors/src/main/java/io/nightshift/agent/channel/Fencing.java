package io.nightshift.agent.channel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader fencing. Every leader coordinator has an epoch (a number that grows with each leadership
 * change; 0 = a coordinator without leader election). The agent keeps the highest epoch it has seen
 * in a {@code Registered}, in memory and in {@code <work-dir>/epoch}, and:
 * <ul>
 *   <li>refuses a registration with an older epoch (a deposed leader: its acknowledgements may not
 *       be durable in the cluster, so the agent does not hand it its status updates);</li>
 *   <li>ignores a {@code Launch} or {@code Kill} whose epoch is older than the highest seen (epoch 0
 *       commands only while nothing higher has been seen).</li>
 * </ul>
 * A coordinator cluster whose data was wiped restarts its epochs: delete the agents' {@code epoch}
 * files then (or they keep refusing its leader). An unreadable file counts as 0 (logged). Thread-safe.
 */
public final class Fencing {
    private static final Logger LOG = LoggerFactory.getLogger(Fencing.class);
    public static final String FILE = "epoch";

    private final Path file;
    private final AtomicLong highest;
    private final Object persistLock = new Object();

    public Fencing(Path workDir) {
        this.file = workDir.resolve(FILE);
        this.highest = new AtomicLong(read(file));
    }

    private static long read(Path f) {
        if (!Files.exists(f)) return 0;
        try {
            long v = Long.parseLong(Files.readString(f, StandardCharsets.US_ASCII).trim());
            if (v >= 0) return v;
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        LOG.warn("fencing: {} is unreadable; starting from epoch 0 until a coordinator registers this agent", f);
        return 0;
    }

    /** The highest leader epoch seen so far. */
    public long highest() {
        return highest.get();
    }

    /**
     * A coordinator registered this agent with {@code epoch}: false when that is older than the
     * highest seen (a deposed leader); otherwise remembers it (in memory; {@link #persist()} writes it).
     */
    public boolean observe(long epoch) {
        long h = highest.accumulateAndGet(epoch, Math::max);
        return epoch >= h;
    }

    /** True when a command of {@code epoch} may be carried out. */
    public boolean admits(long epoch) {
        return epoch >= highest.get();
    }

    /** Writes the highest epoch durably (temp file, fsync, atomic rename). Blocks: not on an event loop. */
    public void persist() throws IOException {
        synchronized (persistLock) {
            long value = highest.get();
            if (read(file) == value) return;
            Path tmp = file.resolveSibling(FILE + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap((value + "\n").getBytes(StandardCharsets.US_ASCII));
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(false);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
