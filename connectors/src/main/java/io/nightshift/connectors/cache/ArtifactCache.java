package io.nightshift.connectors.cache;

import io.nightshift.api.spec.ArtifactRules;
import io.nightshift.connectors.fetch.FetchException;
import io.nightshift.connectors.fetch.Fetcher;
import io.nightshift.connectors.fetch.FetcherRegistry;
import io.nightshift.connectors.fetch.Fetching;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's artifact cache, kept on disk so it survives a restart:
 * <pre>
 * &lt;dir&gt;/
 * ├── blobs/&lt;sha256&gt;     the content, named by its SHA-256, mode 0444; appears only whole (renamed in)
 * ├── blobs/&lt;sha256&gt;.x   the same content with mode 0555, made on first demand for executable artifacts
 * ├── keys/&lt;sha256(uri \n version)&gt;   the blob's sha256, for artifacts given without one
 * └── tmp/                downloads in progress ({@code <sha256(flight)>.part} + {@code .part.version}): never
 *                         served; one a crash interrupted is resumed by the next download of the same artifact
 *                         (kept a day), anything else here is deleted at start
 * </pre>
 * Lookup: by the spec's {@code sha256} when given; otherwise by URI plus the source's version (ETag,
 * or length and modification time); a source that tells no version is downloaded every time (and
 * stored once, by digest). Concurrent requests for one artifact share one download (single-flight).
 * Blobs are used least-recently first out when the total passes {@code maxBytes} (their modification
 * time marks the last use); a blob leased to a caller is not evicted until released. Thread-safe.
 */
public final class ArtifactCache {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactCache.class);
    private static final Pattern BLOB = Pattern.compile("[0-9a-f]{64}(\\.x)?");
    /** A download in progress, named by its flight: {@code tmp/<sha256(flight)>.part} and its {@code .part.version}. */
    private static final Pattern PARTIAL = Pattern.compile("[0-9a-f]{64}\\.part(\\.version)?");
    /** Partial downloads older than this are not resumed (deleted at start). */
    static final java.time.Duration PARTIAL_MAX_AGE = java.time.Duration.ofDays(1);

    private final Path blobs, keys, tmp;
    private final long maxBytes;
    private final FetcherRegistry fetchers;
    private final Fetching fetching;
    private final CacheMetrics metrics = new CacheMetrics();
    private final ConcurrentHashMap<String, CompletableFuture<String>> inFlight = new ConcurrentHashMap<>();
    /** Leased blobs (sha256 → lease count): not evicted. */
    private final ConcurrentHashMap<String, Integer> leases = new ConcurrentHashMap<>();
    private final java.time.Clock clock;
    private final List<Runnable> onDownload = new CopyOnWriteArrayList<>();
    /** Downloads run here, not on the callers' threads, so one caller giving up does not stop the others'. */
    private final java.util.concurrent.ExecutorService downloads = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "artifact-download");
        t.setDaemon(true);
        return t;
    });

    public ArtifactCache(Path dir, long maxBytes, FetcherRegistry fetchers, Fetching fetching) throws IOException {
        this(dir, maxBytes, fetchers, fetching, java.time.Clock.systemUTC());
    }

    /** {@code clock}: stamps each use of a blob (its modification time), which orders LRU eviction. */
    public ArtifactCache(Path dir, long maxBytes, FetcherRegistry fetchers, Fetching fetching, java.time.Clock clock)
            throws IOException {
        this.clock = clock;
        this.blobs = dir.resolve("blobs");
        this.keys = dir.resolve("keys");
        this.tmp = dir.resolve("tmp");
        this.maxBytes = maxBytes;
        this.fetchers = fetchers;
        this.fetching = fetching;
        for (Path p : List.of(blobs, keys, tmp)) Files.createDirectories(p);
        long keepAfter = clock.millis() - PARTIAL_MAX_AGE.toMillis();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
            for (Path p : ds) {
                // A download a crash interrupted is kept for a while, to be resumed; anything else half-written goes.
                boolean partial = PARTIAL.matcher(p.getFileName().toString()).matches();
                if (!partial || Files.getLastModifiedTime(p).toMillis() < keepAfter) Files.deleteIfExists(p);
            }
        }
    }

    public CacheMetrics metrics() {
        return metrics;
    }

    public FetcherRegistry fetchers() {
        return fetchers;
    }

    public Fetching fetching() {
        return fetching;
    }

    /** Called after each download the cache starts (tests count them). */
    public void onDownload(Runnable r) {
        onDownload.add(r);
    }

    /** A blob held for the caller; {@link #close} lets it be evicted again. */
    public final class Lease implements AutoCloseable {
        private final String sha256;
        private final boolean hit;
        private boolean closed;

        private Lease(String sha256, boolean hit) {
            this.sha256 = sha256;
            this.hit = hit;
        }

        public String sha256() {
            return sha256;
        }

        /** Whether it was there already (no download). */
        public boolean hit() {
            return hit;
        }

        /** The blob: read-only, never changed while it exists. {@code executable}: the 0555 copy. */
        public Path path(boolean executable) throws IOException {
            Path plain = blobs.resolve(sha256);
            if (!executable) return plain;
            Path x = blobs.resolve(sha256 + ".x");
            if (!Files.exists(x)) {
                Path t = tmp.resolve(UUID.randomUUID() + ".x");
                Copies.copy(plain, t); // a clone where the file system can: the two share their blocks
                Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("r-xr-xr-x"));
                Files.move(t, x, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return x;
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            leases.computeIfPresent(sha256, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /**
     * The blob of {@code uri} (fetched when not cached), leased to the caller. {@code sha256}: the
     * expected digest or null. {@code progress} sees the download, if one is made by this call.
     */
    public Lease get(String uri, String sha256, Fetching.Progress progress) throws FetchException {
        URI u = URI.create(uri);
        String scheme = u.getScheme().toLowerCase(java.util.Locale.ROOT);
        Fetcher fetcher = fetchers.forScheme(uri, scheme);
        String expected = sha256 == null ? null : sha256.toLowerCase(java.util.Locale.ROOT);
        if (expected != null) {
            Lease l = leaseIfPresent(expected);
            if (l != null) {
                metrics.hit(scheme);
                return l;
            }
        }
        String version = null;
        Path keyFile = null;
        if (expected == null) {
            try {
                version = versionOf(fetcher, u, uri);
            } catch (FetchException e) {
                if (!e.isTransient()) throw e;
                LOG.info("fetch {}: cannot learn its version ({}); downloading it", ArtifactRules.redact(uri), e.getMessage());
            }
            if (version != null) {
                keyFile = keys.resolve(digest(uri + "\n" + version));
                String known = readKey(keyFile);
                Lease l = known == null ? null : leaseIfPresent(known);
                if (l != null) {
                    metrics.hit(scheme);
                    return l;
                }
            }
        }
        String flight = expected != null ? "sha:" + expected : "uri:" + uri + "\n" + version;
        for (int round = 0; round < 3; round++) {
            CompletableFuture<String> mine = new CompletableFuture<>();
            CompletableFuture<String> running = inFlight.putIfAbsent(flight, mine);
            boolean leader = running == null;
            if (leader) {
                metrics.miss(scheme);
                Path key = keyFile;
                try {
                    downloads.execute(() -> {
                        try {
                            String sha = download(fetcher, u, uri, scheme, expected, progress, digest(flight));
                            if (key != null) writeKey(key, sha);
                            mine.complete(sha);
                        } catch (FetchException | RuntimeException e) {
                            metrics.failed(scheme);
                            mine.completeExceptionally(e);
                        } finally {
                            inFlight.remove(flight, mine);
                        }
                    });
                } catch (RuntimeException e) {
                    inFlight.remove(flight, mine);
                    throw FetchException.permanent(uri, "the cache is closed");
                }
                running = mine;
            }
            String sha;
            try {
                sha = running.get(); // interruptible: a killed task stops waiting, the download goes on for the others
            } catch (ExecutionException e) {
                if (e.getCause() instanceof FetchException fe) throw fe;
                throw FetchException.permanent(uri, "internal error: " + e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw FetchException.permanent(uri, "interrupted");
            }
            Lease l = leaseIfPresent(sha, !leader);
            if (l != null) {
                if (!leader) metrics.hit(scheme);
                evict();
                return l;
            }
            // evicted between the download and our lease (a cache smaller than the artifact): go again
        }
        throw FetchException.permanent(uri, "the cache (agent.fetch.cache-max-mb) is too small to hold it");
    }

    /**
     * {@link Fetcher#version}, asked on a download thread: a blocking socket does not heed an interrupt,
     * the wait for the answer does (a task killed meanwhile stops waiting; the lookup ends on its timeouts).
     */
    private String versionOf(Fetcher fetcher, URI u, String uri) throws FetchException {
        CompletableFuture<Optional<String>> f = new CompletableFuture<>();
        try {
            downloads.execute(() -> {
                try {
                    f.complete(fetcher.version(u));
                } catch (FetchException | RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) {
            throw FetchException.permanent(uri, "the cache is closed");
        }
        try {
            return f.get().orElse(null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FetchException fe) throw fe;
            throw FetchException.permanent(uri, "internal error: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw FetchException.permanent(uri, "interrupted");
        }
    }

    /**
     * Downloads into {@code tmp/<partName>.part}, named by the flight so that a download a crash (an
     * agent kill -9) interrupted is found and resumed by the next one for the same artifact.
     */
    private String download(Fetcher fetcher, URI u, String uri, String scheme, String expected, Fetching.Progress progress,
                            String partName) throws FetchException {
        onDownload.forEach(Runnable::run);
        Path part = tmp.resolve(partName + ".part");
        long t0 = System.nanoTime();
        try {
            Fetching.Result r = fetching.fetch(fetcher, u, part, expected, progress, true);
            Path blob = blobs.resolve(r.sha256());
            Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("r--r--r--"));
            // rename(2) would replace an existing blob (a new inode under links already made): keep the old one
            if (Files.exists(blob)) Files.deleteIfExists(part); // same content, fetched under another key
            else {
                Files.move(part, blob, StandardCopyOption.ATOMIC_MOVE);
                fsyncDirectory(blobs); // the rename itself survives a power cut (the content was forced before)
            }
            metrics.fetched(scheme, r.bytes(), System.nanoTime() - t0);
            LOG.info("fetch {}: {} bytes in {} ms ({} tries), sha256 {}", ArtifactRules.redact(uri), r.bytes(),
                    (System.nanoTime() - t0) / 1_000_000, r.tries(), r.sha256());
            return r.sha256();
        } catch (IOException e) {
            throw FetchException.permanent(uri, "cannot store the download in the cache: " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(part);
                Files.deleteIfExists(Fetching.versionFile(part));
            } catch (IOException e) {
                LOG.warn("cannot delete {}: {}", part, e.toString());
            }
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.debug("cache: cannot fsync {}: {}", dir, e.toString()); // some file systems refuse it; the rename stands
        }
    }

    /** Leases the blob when it is there (and marks it used now); else null. */
    private Lease leaseIfPresent(String sha) {
        return leaseIfPresent(sha, true);
    }

    private Lease leaseIfPresent(String sha, boolean hit) {
        Lease[] out = new Lease[1];
        leases.compute(sha, (k, n) -> {
            Path p = blobs.resolve(sha);
            if (!Files.isRegularFile(p)) return n;
            try {
                Files.setLastModifiedTime(p, FileTime.fromMillis(clock.millis()));
            } catch (IOException e) {
                // LRU order is a hint
            }
            out[0] = new Lease(sha, hit);
            return n == null ? 1 : n + 1;
        });
        return out[0];
    }

    /** Deletes least-recently used, unleased blobs until the total is at most {@code maxBytes}. */
    public synchronized void evict() {
        List<Path> all = new ArrayList<>();
        long total = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(blobs)) {
            for (Path p : ds) {
                if (!BLOB.matcher(p.getFileName().toString()).matches()) continue;
                all.add(p);
                total += Files.size(p);
            }
        } catch (IOException e) {
            LOG.warn("cache: cannot list {}: {}", blobs, e.toString());
            return;
        }
        if (total <= maxBytes) return;
        all.sort(Comparator.comparing(ArtifactCache::mtime));
        for (Path p : all) {
            if (total <= maxBytes) break;
            String sha = p.getFileName().toString().substring(0, 64);
            long[] freed = {0};
            leases.compute(sha, (k, n) -> {
                if (n != null) return n;
                try {
                    freed[0] = Files.size(p);
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    freed[0] = 0;
                }
                return null;
            });
            if (freed[0] > 0) {
                LOG.info("cache: evicted {} ({} bytes)", p.getFileName(), freed[0]);
                metrics.evicted(freed[0]);
            }
            total -= freed[0];
        }
    }

    /** Whether a blob with this digest is cached now. */
    public boolean has(String sha256) {
        return Files.isRegularFile(blobs.resolve(sha256));
    }

    /** Total bytes of the cached blobs. */
    public long sizeBytes() throws IOException {
        long total = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(blobs)) {
            for (Path p : ds) total += Files.size(p);
        }
        return total;
    }

    private static FileTime mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static String readKey(Path keyFile) {
        try {
            String s = Files.readString(keyFile, StandardCharsets.US_ASCII).trim();
            return s.matches("[0-9a-f]{64}") ? s : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void writeKey(Path keyFile, String sha) {
        try {
            Path t = tmp.resolve(UUID.randomUUID() + ".key");
            Files.writeString(t, sha + "\n", StandardCharsets.US_ASCII);
            Files.move(t, keyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("cache: cannot record the key of {}: {}", sha, e.toString());
        }
    }

    static String digest(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For callers that want to know without fetching: the blob for a digest, if cached. */
    public Optional<Path> blob(String sha256) {
        Path p = blobs.resolve(sha256);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }
}
