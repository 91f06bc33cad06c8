package io.nightshift.agent.runner;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Reads what a running task appends to one of its log files, every 500 ms, and hands each new piece (with the last
 * 512 bytes before it again, so a line cut by the previous read comes whole) to {@code seen} until it returns true,
 * the task ended (and what it wrote was read), 8 MiB were read or 10 minutes passed. For facts a driver only tells in its log (the Spark UI's
 * port, a MapReduce job id). One shared daemon thread; {@code seen} must be quick.
 */
final class LogWatch {
    static final long MAX_BYTES = 8L << 20;
    static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final ScheduledExecutorService WATCH = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "nightshift-log-watch");
        t.setDaemon(true);
        return t;
    });

    private LogWatch() {
    }

    static void follow(Path file, CompletableFuture<?> ended, Predicate<String> seen) {
        step(file, ended, seen, 0, System.nanoTime());
    }

    private static void step(Path file, CompletableFuture<?> ended, Predicate<String> seen, long offset, long t0) {
        boolean endedBefore = ended.isDone(); // then this read sees everything it wrote
        long next = offset, len = 0;
        String text = "";
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            len = f.length();
            if (len > offset) {
                long from = Math.max(0, offset - 512);
                long to = Math.min(len, offset + (1 << 20));
                byte[] bytes = new byte[(int) (to - from)];
                f.seek(from);
                f.readFully(bytes);
                next = to;
                text = new String(bytes, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            // not there yet
        }
        if (!text.isEmpty() && seen.test(text)) return;
        if ((endedBefore && next >= len) || next >= MAX_BYTES || System.nanoTime() - t0 > MAX_NANOS) return;
        long at = next;
        WATCH.schedule(() -> step(file, ended, seen, at, t0), 500, TimeUnit.MILLISECONDS);
    }
}
