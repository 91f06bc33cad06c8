package io.nightshift.connectors.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one URI into a file with the rules every scheme shares: a size cap, a stall timeout (no
 * byte for that long closes the stream: transient), an overall time limit, up to {@code attempts}
 * tries on transient errors with doubling back-off, resuming where the last try stopped when the
 * source can (and starting over when the content changed meanwhile), the SHA-256 computed on the
 * way and checked against the expected one (a mismatch is permanent).
 */
public final class Fetching {
    private static final Logger LOG = LoggerFactory.getLogger(Fetching.class);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fetch-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** Limits of one fetch. */
    public record Limits(long maxBytes, Duration stallTimeout, Duration timeout, int attempts, Duration initialBackoff,
                         Duration maxBackoff) {
        public static final Limits DEFAULTS = new Limits(10L << 30, Duration.ofSeconds(30), Duration.ofMinutes(30), 4,
                Duration.ofMillis(500), Duration.ofSeconds(10));
    }

    /** Bytes done so far and the total (-1 when unknown); called from the fetching thread. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void update(long done, long total);
    }

    /** What was fetched: its digest (lower-case hex), length, and the source's version (or null). */
    public record Result(String sha256, long bytes, String version, int tries) {
    }

    private final Limits limits;

    public Fetching(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /** Fetches {@code uri} with {@code fetcher} into {@code file} (created or truncated). */
    public Result fetch(Fetcher fetcher, URI uri, Path file, String expectedSha256, Progress progress)
            throws FetchException {
        long deadline = System.nanoTime() + limits.timeout().toNanos();
        MessageDigest md = sha256();
        long have = 0;
        String version = null;
        Duration backoff = limits.initialBackoff();
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int tri = 1; ; tri++) {
                try {
                    Fetcher.Download d = fetcher.open(uri, have);
                    try (d) {
                        boolean changed = have > 0 && version != null && d.version() != null && !version.equals(d.version());
                        if (d.from() == 0 || changed) {
                            if (changed && d.from() != 0) {
                                d.close();
                                LOG.info("fetch {}: the content changed between tries; starting over", redacted(uri));
                                have = 0;
                                md.reset();
                                out.truncate(0);
                                continue;
                            }
                            have = 0;
                            md.reset();
                            out.truncate(0);
                            out.position(0);
                        }
                        version = d.version();
                        if (d.total() > limits.maxBytes())
                            throw FetchException.permanent(uri.toString(), "is %d bytes, more than the limit of %d"
                                    .formatted(d.total(), limits.maxBytes()));
                        have = copy(uri, d, out, md, have, progress, deadline);
                        if (d.total() >= 0 && have != d.total())
                            throw FetchException.transientError(uri.toString(), "the body ended after %d of %d bytes"
                                    .formatted(have, d.total()), null);
                    }
                    String sha = HexFormat.of().formatHex(md.digest());
                    if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha))
                        throw FetchException.permanent(uri.toString(), "checksum mismatch: expected sha256 %s, got %s"
                                .formatted(expectedSha256.toLowerCase(java.util.Locale.ROOT), sha));
                    out.force(true);
                    return new Result(sha, have, version, tri);
                } catch (FetchException e) {
                    if (!e.isTransient()) throw e;
                    have = out.size(); // what reached the file (and the digest): resume from there
                    if (tri >= limits.attempts())
                        throw new FetchException(uri.toString(), "gave up after %d tries: %s".formatted(tri,
                                causeOf(e)), FetchException.Retry.TRANSIENT, e);
                    if (System.nanoTime() + backoff.toNanos() > deadline)
                        throw FetchException.permanent(uri.toString(), "took longer than the fetch timeout of "
                                + limits.timeout() + " (last error: " + causeOf(e) + ")");
                    LOG.info("fetch {}: try {} failed ({}); retrying in {} ms from byte {}", redacted(uri), tri,
                            causeOf(e), backoff.toMillis(), have);
                    sleep(backoff);
                    backoff = backoff.multipliedBy(2).compareTo(limits.maxBackoff()) > 0 ? limits.maxBackoff()
                            : backoff.multipliedBy(2);
                } catch (IOException e) {
                    throw FetchException.transientError(uri.toString(), "cannot close the source: " + e, e);
                }
            }
        } catch (IOException e) {
            throw FetchException.permanent(uri.toString(), "cannot write the download: " + e.getMessage());
        }
    }

    /** Appends the body to {@code out} from its position; returns the bytes had so far. */
    private long copy(URI uri, Fetcher.Download d, FileChannel out, MessageDigest md, long have, Progress progress,
                      long deadline) throws FetchException {
        InputStream in = d.body();
        AtomicLong lastRead = new AtomicLong(System.nanoTime());
        long stallNanos = limits.stallTimeout().toNanos();
        ScheduledFuture<?> watch = WATCHDOG.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastRead.get() > stallNanos || System.nanoTime() > deadline) {
                try {
                    in.close();
                } catch (IOException | RuntimeException e) {
                    // the reader sees the failure
                }
            }
        }, Math.max(1, stallNanos / 4), Math.max(1, stallNanos / 4), TimeUnit.NANOSECONDS);
        byte[] buf = new byte[1 << 16];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        long total = d.total();
        long lastProgress = 0;
        try {
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    if (System.nanoTime() > deadline)
                        throw FetchException.permanent(uri.toString(), "took longer than the fetch timeout of " + limits.timeout());
                    boolean stalled = System.nanoTime() - lastRead.get() > stallNanos;
                    throw FetchException.transientError(uri.toString(), stalled
                            ? "no data for " + limits.stallTimeout() + " after " + have + " bytes"
                            : "connection broken after " + have + " bytes: " + e.getMessage(), e);
                }
                if (n < 0) break;
                lastRead.set(System.nanoTime());
                if (have + n > limits.maxBytes())
                    throw FetchException.permanent(uri.toString(), "is more than the limit of %d bytes".formatted(limits.maxBytes()));
                md.update(buf, 0, n);
                bb.clear().limit(n);
                while (bb.hasRemaining()) out.write(bb);
                have += n;
                if (have - lastProgress >= (1 << 20)) {
                    progress.update(have, total);
                    lastProgress = have;
                }
            }
            progress.update(have, total);
            return have;
        } catch (IOException e) {
            throw FetchException.permanent(uri.toString(), "cannot write the download: " + e.getMessage());
        } finally {
            watch.cancel(false);
        }
    }

    private static String causeOf(FetchException e) {
        String m = e.getMessage();
        int i = m.indexOf(": ");
        return i >= 0 ? m.substring(i + 2) : m;
    }

    private static String redacted(URI uri) {
        return io.nightshift.api.spec.ArtifactRules.redact(uri.toString());
    }

    private static void sleep(Duration d) throws FetchException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw FetchException.permanent("", "interrupted");
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
