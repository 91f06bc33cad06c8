package io.nightshift.connectors.stage;

import io.nightshift.api.spec.ArtifactRules;
import io.nightshift.api.spec.ArtifactSpec;
import io.nightshift.connectors.cache.ArtifactCache;
import io.nightshift.connectors.extract.Extractor;
import io.nightshift.connectors.extract.UnsafeArchiveException;
import io.nightshift.connectors.fetch.FetchException;
import io.nightshift.connectors.fetch.Fetching;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a task's artifacts into its sandbox: through the {@link ArtifactCache} (or straight into the
 * sandbox for {@code cache: false}), then a hard link to the cached blob (when no link can be made,
 * e.g. the sandbox is on another file system: a reflink clone where possible, else a copy; see
 * {@link io.nightshift.connectors.cache.Copies}), or the archive unpacked by the {@link Extractor}. Each artifact appears at
 * its destination only whole (linked, copied or unpacked next to it, then renamed), so staging again
 * after an interruption skips what is there and redoes the rest.
 */
public final class ArtifactStager {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactStager.class);

    private final ArtifactCache cache;
    private final Extractor extractor;

    public ArtifactStager(ArtifactCache cache, Extractor extractor) {
        this.cache = cache;
        this.extractor = extractor;
    }

    public ArtifactCache cache() {
        return cache;
    }

    /** Progress of one artifact (index from 0 of {@code count}): bytes done and total (-1 unknown). */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (index, count, target, done, total) -> { };

        void update(int index, int count, String target, long done, long total);

        /** Artifact {@code index} is in place: {@code bytes} long, {@code downloaded} false when it came from the cache. */
        default void staged(int index, int count, String target, long bytes, boolean downloaded) {
        }
    }

    /** Stages every artifact in order; the first failure stops (a permanent {@link FetchException}). */
    public void stage(List<ArtifactSpec> artifacts, Path sandbox, Progress progress) throws FetchException {
        Path root = sandbox.toAbsolutePath().normalize();
        for (int i = 0; i < artifacts.size(); i++) {
            ArtifactSpec a = artifacts.get(i);
            int index = i;
            long[] fetched = {-1};
            boolean downloaded = stageOne(a, root, (done, total) -> {
                fetched[0] = done;
                progress.update(index, artifacts.size(), a.target(), done, total);
            });
            progress.staged(index, artifacts.size(), a.target(), downloaded ? fetched[0] : sizeOf(root.resolve(a.target())),
                    downloaded);
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** True when it was downloaded by this call (false: from the cache, or staged before). */
    private boolean stageOne(ArtifactSpec a, Path root, Fetching.Progress progress) throws FetchException {
        String problem = ArtifactRules.uriProblem(a.uri(), a.destination() != null);
        if (problem != null) throw FetchException.permanent(a.uri(), problem); // checked at submit; checked again here
        String destProblem = ArtifactRules.destinationProblem(a.target());
        if (destProblem != null) throw FetchException.permanent(a.uri(), "destination " + destProblem);
        Path target = root.resolve(a.target()).normalize();
        if (!target.startsWith(root) || target.equals(root))
            throw FetchException.permanent(a.uri(), "destination leaves the sandbox");
        try {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                LOG.debug("artifact {} already at {}", ArtifactRules.redact(a.uri()), target);
                return false; // staged before an agent restart
            }
            mkdirs(root, target.getParent());
            Extractor.Format format = null;
            if (a.extractEffective()) {
                format = Extractor.formatOf(a.fileName());
                if (format == null)
                    throw FetchException.permanent(a.uri(), "cannot tell its archive format from the name '%s': use .tar, "
                            + ".tar.gz, .tgz or .zip, or set extract to false".formatted(a.fileName()));
            }
            if (a.cacheEffective()) {
                try (ArtifactCache.Lease lease = cache.get(a.uri(), a.sha256(), progress)) {
                    place(a, lease.path(a.executable() && format == null), format, target);
                    return !lease.hit();
                }
            } else {
                Path part = target.resolveSibling("." + target.getFileName() + ".download");
                try {
                    URI u = URI.create(a.uri());
                    cache.fetching().fetch(cache.fetchers().forScheme(a.uri(), u.getScheme()), u, part, a.sha256(), progress,
                            true); // bytes an interrupted agent left in the sandbox are resumed
                    if (format != null) {
                        unpack(a, part, format, target);
                    } else {
                        Files.setPosixFilePermissions(part, PosixFilePermissions.fromString(a.executable() ? "rwxr-xr-x" : "rw-r--r--"));
                        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                    }
                } finally {
                    Files.deleteIfExists(part);
                    Files.deleteIfExists(Fetching.versionFile(part));
                }
                return true;
            }
        } catch (IOException e) {
            throw FetchException.permanent(a.uri(), "cannot put it into the sandbox: " + e.getMessage());
        }
    }

    private void place(ArtifactSpec a, Path blob, Extractor.Format format, Path target) throws IOException, FetchException {
        if (format != null) {
            unpack(a, blob, format, target);
            return;
        }
        Path tmp = target.resolveSibling("." + target.getFileName() + ".link");
        Files.deleteIfExists(tmp);
        try {
            Files.createLink(tmp, blob);
        } catch (FileSystemException | UnsupportedOperationException e) {
            // another file system, or links refused (EMLINK, fs.protected_hardlinks): a clone, else a copy
            io.nightshift.connectors.cache.Copies.How how = io.nightshift.connectors.cache.Copies.copy(blob, tmp);
            LOG.debug("artifact {}: {} into the sandbox (no hard link: {})", ArtifactRules.redact(a.uri()), how, e.toString());
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    }

    private void unpack(ArtifactSpec a, Path archive, Extractor.Format format, Path target) throws IOException, FetchException {
        try {
            Extractor.Summary s = extractor.extract(archive, format, target, a.executable());
            LOG.info("artifact {}: unpacked {} entries, {} bytes into {}", ArtifactRules.redact(a.uri()), s.entries(),
                    s.bytes(), target.getFileName());
        } catch (UnsafeArchiveException e) {
            throw FetchException.permanent(a.uri(), "refused archive: " + e.getMessage());
        }
    }

    /** Creates {@code dir} and its parents under {@code root}, refusing to go through a symbolic link. */
    private static void mkdirs(Path root, Path dir) throws IOException, FetchException {
        Path cur = root;
        for (Path seg : root.relativize(dir)) {
            if (seg.toString().isEmpty()) continue;
            cur = cur.resolve(seg);
            if (Files.isSymbolicLink(cur)) throw FetchException.permanent("", "destination goes through a link: " + cur);
            if (!Files.exists(cur, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(cur);
        }
    }
}
