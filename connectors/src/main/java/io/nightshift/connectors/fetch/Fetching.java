package io.nightshift.connectors.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
        return fetch(fetcher, uri, file, expectedSha256, progress, false);
    }

    /**
     * As above; with {@code resume}, bytes already in {@code file} (left by a process killed
     * mid-download) are kept and the download continues after them, when they can be trusted: the
     * source's version, recorded next to the file ({@code <file>.version}) when the download began,
     * is still the same, or an expected digest will check the whole. A resumed download whose digest
     * does not match starts over once. Without a way to tell, it starts over.
     */
    public Result fetch(Fetcher fetcher, URI uri, Path file, String expectedSha256, Progress progress, boolean resume)
            throws FetchException {
        long deadline = System.nanoTime() + limits.timeout().toNanos();
        MessageDigest md = sha256();
        long have = 0;
        String version = null;
        Path versionFile = versionFile(file);
        boolean fromDisk = false;
        Duration backoff = limits.initialBackoff();
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            if (resume && out.size() > 0) {
                version = readVersion(versionFile);
                if (version != null || expectedSha256 != null) {
                    have = digestExisting(out, md);
                    fromDisk = true;
                    LOG.info("fetch {}: resuming after {} bytes left by an earlier download", redacted(uri), have);
                }
            }
            if (!fromDisk) {
                out.truncate(0);
                Files.deleteIfExists(versionFile);
            }
            out.position(have);
            for (int tri = 1; ; tri++) {
                try {
                    Fetcher.Download d = fetcher.open(uri, have);
                    try (d) {
                        if (d.version() != null && !d.version().equals(version) && (d.from() == 0 || version == null))
                            writeVersion(versionFile, d.version());
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
                    if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha) && fromDisk) {
                        LOG.info("fetch {}: the resumed download does not match its sha256; starting over", redacted(uri));
                        fromDisk = false;
                        have = 0;
                        version = null;
                        md.reset();
                        out.truncate(0);
                        out.position(0);
                        continue;
                    }
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

    /** Read size and number of buffers in flight between the reading thread and the digest thread. */
    static final int CHUNK = 512 * 1024, CHUNKS = 4;
    /** The file is flushed to disk in the background every this many bytes, so the final fsync is short. */
    static final long FLUSH_EVERY = 32L << 20;
    /** Digest and early-flush threads, shared by every fetch (CPU-bound, short-lived per chunk). */
    private static final ExecutorService HELPERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fetch-digest");
        t.setDaemon(true);
        return t;
    });

    /**
     * Appends the body to {@code out} from its position; returns the bytes had so far. The reading
     * thread reads into {@value #CHUNK}-byte buffers and writes them; a second thread computes the
     * digest of the same buffers (SHA-256 is as slow as the network on loopback, so the two overlap).
     * Whatever way this returns, the digest has seen exactly the bytes written to the file.
     */
    private long copy(URI uri, Fetcher.Download d, FileChannel out, MessageDigest md, long have, Progress progress,
                      long deadline) throws FetchException {
        InputStream in = d.body();
        AtomicLong lastRead = new AtomicLong(System.nanoTime());
        long stallNanos = limits.stallTimeout().toNanos();
        Thread reader = Thread.currentThread();
        ScheduledFuture<?> watch = WATCHDOG.scheduleAtFixedRate(() -> {
            // a blocking socket read does not heed an interrupt (a kill): closing the body breaks it
            if (System.nanoTime() - lastRead.get() > stallNanos || System.nanoTime() > deadline || reader.isInterrupted()) {
                try {
                    in.close();
                } catch (IOException | RuntimeException e) {
                    // the reader sees the failure
                }
            }
        }, Math.min(200_000_000L, Math.max(1, stallNanos / 4)), Math.min(200_000_000L, Math.max(1, stallNanos / 4)),
                TimeUnit.NANOSECONDS);
        Digester digester = new Digester(md);
        long total = d.total();
        long lastProgress = 0;
        long lastFlush = have;
        Future<?> flushing = null;
        try {
            while (true) {
                byte[] buf = digester.take();
                int len = 0;
                boolean eof = false;
                while (len < buf.length) {
                    int n;
                    try {
                        n = in.read(buf, len, buf.length - len);
                    } catch (IOException e) {
                        if (len > 0) { // what arrived before the break is kept: resume from there
                            writeFully(out, buf, len);
                            digester.submit(buf, len);
                            have += len;
                        } else {
                            digester.giveBack(buf);
                        }
                        if (reader.isInterrupted()) throw FetchException.permanent(uri.toString(), "interrupted");
                        if (System.nanoTime() > deadline)
                            throw FetchException.permanent(uri.toString(), "took longer than the fetch timeout of " + limits.timeout());
                        boolean stalled = System.nanoTime() - lastRead.get() > stallNanos;
                        throw FetchException.transientError(uri.toString(), stalled
                                ? "no data for " + limits.stallTimeout() + " after " + have + " bytes"
                                : "connection broken after " + have + " bytes: " + e.getMessage(), e);
                    }
                    if (n < 0) {
                        eof = true;
                        break;
                    }
                    lastRead.set(System.nanoTime());
                    len += n;
                    if (have + len > limits.maxBytes()) {
                        digester.giveBack(buf);
                        throw FetchException.permanent(uri.toString(), "is more than the limit of %d bytes".formatted(limits.maxBytes()));
                    }
                    if (have + len - lastProgress >= (1 << 20)) {
                        progress.update(have + len, total);
                        lastProgress = have + len;
                    }
                }
                if (len > 0) {
                    writeFully(out, buf, len);
                    digester.submit(buf, len);
                    have += len;
                } else {
                    digester.giveBack(buf);
                }
                if (have - lastFlush >= FLUSH_EVERY && (flushing == null || flushing.isDone())) {
                    lastFlush = have;
                    flushing = HELPERS.submit(() -> {
                        try {
                            out.force(false); // write-back overlapped with the download; the final force is short
                        } catch (IOException e) {
                            // the final force reports it
                        }
                        return null;
                    });
                }
                if (eof) break;
            }
            progress.update(have, total);
            return have;
        } catch (IOException e) {
            throw FetchException.permanent(uri.toString(), "cannot write the download: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw FetchException.permanent(uri.toString(), "interrupted");
        } finally {
            watch.cancel(false);
            digester.finish();
        }
    }

    private static void writeFully(FileChannel out, byte[] buf, int len) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
        while (bb.hasRemaining()) out.write(bb);
    }

    /** Feeds buffers to a {@link MessageDigest} on a helper thread, in order; hands them back for reuse. */
    private static final class Digester implements Runnable {
        private static final byte[] END = new byte[0];
        private final MessageDigest md;
        private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS);
        private final BlockingQueue<byte[]> full = new ArrayBlockingQueue<>(CHUNKS + 1);
        private final BlockingQueue<Integer> lengths = new ArrayBlockingQueue<>(CHUNKS + 1);
        private final CompletableFuture<Void> done = new CompletableFuture<>();

        Digester(MessageDigest md) {
            this.md = md;
            for (int i = 0; i < CHUNKS; i++) free.add(new byte[CHUNK]);
            HELPERS.execute(this);
        }

        byte[] take() throws InterruptedException {
            return free.take();
        }

        void giveBack(byte[] buf) {
            free.add(buf);
        }

        void submit(byte[] buf, int len) {
            lengths.add(len); // lengths first: the digest thread takes a buffer, then its length
            full.add(buf);
        }

        @Override
        public void run() {
            try {
                while (true) {
                    byte[] buf = full.take();
                    if (buf == END) break;
                    md.update(buf, 0, lengths.take());
                    free.add(buf);
                }
                done.complete(null);
            } catch (InterruptedException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        }

        /** Waits until every submitted buffer is in the digest (not interruptible: a few buffers' work). */
        void finish() {
            full.add(END);
            boolean interrupted = false;
            while (true) {
                try {
                    done.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("the digest thread failed", e.getCause());
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Where the source's version is kept beside a download in progress. */
    public static Path versionFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".version");
    }

    private static String readVersion(Path f) {
        try {
            if (!Files.isRegularFile(f) || Files.size(f) > 4096) return null;
            String v = Files.readString(f, java.nio.charset.StandardCharsets.UTF_8).strip();
            return v.isEmpty() ? null : v;
        } catch (IOException e) {
            return null;
        }
    }

    private static void writeVersion(Path f, String version) throws IOException {
        if (version.length() > 4096) return;
        Files.writeString(f, version, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Feeds the bytes already in {@code ch} to the digest; returns their count. */
    private static long digestExisting(FileChannel ch, MessageDigest md) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long pos = 0;
        while (true) {
            buf.clear();
            int n = ch.read(buf, pos);
            if (n < 0) break;
            buf.flip();
            md.update(buf);
            pos += n;
        }
        return pos;
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
