package io.nightshift.connectors.cache;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy of a cached blob where a hard link will not do: a copy-on-write clone (reflink) where the
 * file system can (btrfs, XFS with reflink, bcachefs, ZFS 2.2+, OCFS2), a plain copy otherwise.
 *
 * <p>Why {@code cp --reflink=always} and not FICLONE from Java: Java 17 has no call for it (only
 * JNI, or the FFM API, final in Java 22), while GNU cp issues exactly that ioctl and fails cleanly
 * where it is not supported. It costs one short process per copy, and copies are the rare path (a
 * sandbox on another file system than the cache, an executable variant of a blob); a file store
 * found without reflink support is remembered, so it is asked once. Java's {@link Files#copy} is the
 * fallback, always correct.
 */
public final class Copies {
    private static final Logger LOG = LoggerFactory.getLogger(Copies.class);
    /** File stores (by name) where a reflink failed: plain copies from then on. */
    private static final Set<String> NO_REFLINK = ConcurrentHashMap.newKeySet();

    public enum How { REFLINK, COPY }

    private Copies() {
    }

    /** Copies {@code src} to the new file {@code dst} (which must not exist); returns how. */
    public static How copy(Path src, Path dst) throws IOException {
        String store = storeOf(dst);
        if (store != null && !NO_REFLINK.contains(store) && reflink(src, dst)) return How.REFLINK;
        if (store != null) NO_REFLINK.add(store);
        Files.deleteIfExists(dst);
        Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES);
        return How.COPY;
    }

    private static boolean reflink(Path src, Path dst) {
        try {
            Process p = new ProcessBuilder("cp", "--reflink=always", "--preserve=mode,timestamps", "--",
                    src.toString(), dst.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            LOG.debug("no cp for reflinks: {}", e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String storeOf(Path p) {
        try {
            FileStore fs = Files.getFileStore(p.getParent());
            return fs.name() + ":" + fs.type();
        } catch (IOException e) {
            return null;
        }
    }
}
