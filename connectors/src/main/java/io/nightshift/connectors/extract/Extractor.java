package io.nightshift.connectors.extract;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Enumeration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks tar, tar.gz/tgz and zip archives (Commons Compress) into a new directory, refusing what
 * could hurt the machine:
 * <ul>
 *   <li>entry names that are absolute, contain a {@code ..} segment, a backslash or NUL;</li>
 *   <li>symbolic links whose target is absolute or resolves outside the destination; hard links to
 *       anything but an earlier regular file of the same archive; writing through any link;</li>
 *   <li>device files and FIFOs;</li>
 *   <li>more than {@code maxEntries} entries, more than {@code maxBytes} unpacked, or more than
 *       {@code maxRatio} times the archive's own size unpacked (zip bombs): counted on the bytes
 *       actually written, not on sizes the archive declares.</li>
 * </ul>
 * Permission bits are kept (rwx for user, group, others; never setuid, setgid or sticky); entries
 * without modes get 0644 (0755 with {@code executable}). The archive is unpacked into
 * {@code <dest>.part} next to {@code dest} and renamed into place only when whole, so a refused or
 * interrupted extraction leaves nothing behind at {@code dest}.
 */
public final class Extractor {
    /** Caps of one extraction. */
    public record Limits(long maxBytes, int maxEntries, long maxRatio) {
        public static final Limits DEFAULTS = new Limits(4L << 30, 100_000, 200);
    }

    public enum Format { TAR, TAR_GZ, ZIP }

    private final Limits limits;

    public Extractor(Limits limits) {
        this.limits = limits;
    }

    /** The format {@code fileName}'s suffix names, or null. */
    public static Format formatOf(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".tar.gz") || n.endsWith(".tgz")) return Format.TAR_GZ;
        if (n.endsWith(".tar")) return Format.TAR;
        if (n.endsWith(".zip")) return Format.ZIP;
        return null;
    }

    /** What was unpacked. */
    public record Summary(int entries, long bytes) {
    }

    /** Unpacks {@code archive} (in {@code format}) into the new directory {@code dest}, which must not exist. */
    public Summary extract(Path archive, Format format, Path dest, boolean executable) throws UnsafeArchiveException, IOException {
        if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) throw new IOException(dest + " exists already");
        Path part = dest.resolveSibling(dest.getFileName() + ".part");
        deleteTree(part);
        Files.createDirectories(part);
        try {
            Budget budget = new Budget(Files.size(archive));
            switch (format) {
                case TAR -> {
                    try (InputStream in = new BufferedInputStream(Files.newInputStream(archive))) {
                        tar(in, part, budget, executable);
                    }
                }
                case TAR_GZ -> {
                    try (InputStream in = new GzipCompressorInputStream(new BufferedInputStream(Files.newInputStream(archive)))) {
                        tar(in, part, budget, executable);
                    }
                }
                case ZIP -> zip(archive, part, budget, executable);
            }
            Files.move(part, dest, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new Summary(budget.entries, budget.bytes);
        } catch (UnsafeArchiveException | IOException | RuntimeException e) {
            deleteTree(part);
            if (e instanceof IOException io && !(e instanceof java.nio.file.FileSystemException))
                throw new UnsafeArchiveException("corrupt or unreadable archive: " + io.getMessage(), io);
            throw e;
        }
    }

    private final class Budget {
        final long archiveBytes;
        int entries;
        long bytes;

        Budget(long archiveBytes) {
            this.archiveBytes = Math.max(1, archiveBytes);
        }

        void entry(String name) throws UnsafeArchiveException {
            if (++entries > limits.maxEntries())
                throw new UnsafeArchiveException("more than %d entries (at %s)".formatted(limits.maxEntries(), shown(name)));
        }

        void bytes(long n) throws UnsafeArchiveException {
            bytes += n;
            if (bytes > limits.maxBytes())
                throw new UnsafeArchiveException("unpacks to more than %d bytes".formatted(limits.maxBytes()));
            if (bytes > archiveBytes * limits.maxRatio())
                throw new UnsafeArchiveException("unpacks to more than %d times its own size of %d bytes (a zip bomb?)"
                        .formatted(limits.maxRatio(), archiveBytes));
        }
    }

    private void tar(InputStream raw, Path root, Budget budget, boolean executable) throws IOException, UnsafeArchiveException {
        TarArchiveInputStream in = new TarArchiveInputStream(raw);
        TarArchiveEntry e;
        while ((e = in.getNextEntry()) != null) {
            budget.entry(e.getName());
            Path target = place(root, e.getName());
            if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO())
                throw new UnsafeArchiveException("refused device or FIFO entry " + shown(e.getName()));
            if (e.isSymbolicLink()) {
                symlink(root, target, e.getName(), e.getLinkName());
            } else if (e.isLink()) {
                Path source = place(root, e.getLinkName());
                if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS))
                    throw new UnsafeArchiveException("refused hard link %s: its target %s is not an earlier file of the archive"
                            .formatted(shown(e.getName()), shown(e.getLinkName())));
                parents(root, target);
                Files.createLink(target, source);
            } else if (e.isDirectory()) {
                parents(root, target);
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(target);
                Files.setPosixFilePermissions(target, perms((e.getMode() & 0777) == 0 ? 0755 : e.getMode() | 0700, 0755));
            } else if (e.isFile()) {
                write(root, target, in, budget);
                Files.setPosixFilePermissions(target, perms(e.getMode(), executable ? 0755 : 0644));
            } else {
                throw new UnsafeArchiveException("refused entry %s of an unsupported kind".formatted(shown(e.getName())));
            }
        }
    }

    private void zip(Path archive, Path root, Budget budget, boolean executable) throws IOException, UnsafeArchiveException {
        try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
            Enumeration<ZipArchiveEntry> all = zip.getEntriesInPhysicalOrder();
            while (all.hasMoreElements()) {
                ZipArchiveEntry e = all.nextElement();
                budget.entry(e.getName());
                Path target = place(root, e.getName());
                int mode = e.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX ? e.getUnixMode() : 0;
                int type = mode & 0170000;
                if (e.isUnixSymlink()) {
                    String link;
                    try (InputStream in = zip.getInputStream(e)) {
                        byte[] b = in.readNBytes(4097);
                        if (b.length > 4096) throw new UnsafeArchiveException("refused symlink " + shown(e.getName()) + ": target too long");
                        link = new String(b, java.nio.charset.StandardCharsets.UTF_8);
                    }
                    symlink(root, target, e.getName(), link);
                } else if (type != 0 && type != 0100000 && type != 0040000) {
                    throw new UnsafeArchiveException("refused device, FIFO or other special entry " + shown(e.getName()));
                } else if (e.isDirectory()) {
                    parents(root, target);
                    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(target);
                    Files.setPosixFilePermissions(target, perms(mode == 0 ? 0755 : mode | 0700, 0755));
                } else {
                    try (InputStream in = zip.getInputStream(e)) {
                        write(root, target, in, budget);
                    }
                    Files.setPosixFilePermissions(target, perms(mode, executable ? 0755 : 0644));
                }
            }
        }
    }

    /** The entry's path under {@code root}, or refused. */
    private static Path place(Path root, String name) throws UnsafeArchiveException {
        if (name == null || name.isEmpty()) throw new UnsafeArchiveException("refused an entry without a name");
        if (name.indexOf('\0') >= 0 || name.indexOf('\\') >= 0)
            throw new UnsafeArchiveException("refused entry " + shown(name) + ": NUL or backslash in its name");
        if (name.startsWith("/")) throw new UnsafeArchiveException("refused entry " + shown(name) + ": absolute path");
        for (String seg : name.split("/")) {
            if (seg.equals("..")) throw new UnsafeArchiveException("refused entry " + shown(name) + ": '..' leaves the destination");
        }
        Path p = root.resolve(name).normalize();
        if (!p.startsWith(root) || p.equals(root))
            throw new UnsafeArchiveException("refused entry " + shown(name) + ": outside the destination");
        return p;
    }

    private static void symlink(Path root, Path at, String name, String linkName) throws UnsafeArchiveException, IOException {
        if (linkName == null || linkName.isEmpty() || linkName.startsWith("/") || linkName.indexOf('\0') >= 0)
            throw new UnsafeArchiveException("refused symlink %s -> %s: absolute or empty target".formatted(shown(name),
                    shown(String.valueOf(linkName))));
        Path resolved = at.getParent().resolve(linkName).normalize();
        if (!resolved.startsWith(root))
            throw new UnsafeArchiveException("refused symlink %s -> %s: it points outside the destination".formatted(
                    shown(name), shown(linkName)));
        parents(root, at);
        Files.createSymbolicLink(at, Path.of(linkName));
    }

    /** Creates the parent directories of {@code target}, refusing to go through a link. */
    private static void parents(Path root, Path target) throws UnsafeArchiveException, IOException {
        Path rel = root.relativize(target.getParent() == null ? root : target.getParent());
        Path cur = root;
        for (Path seg : rel) {
            if (seg.toString().isEmpty()) continue;
            cur = cur.resolve(seg);
            if (Files.isSymbolicLink(cur))
                throw new UnsafeArchiveException("refused entry " + shown(root.relativize(target).toString())
                        + ": it would be written through the link " + shown(root.relativize(cur).toString()));
            if (!Files.exists(cur, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(cur);
            else if (!Files.isDirectory(cur, LinkOption.NOFOLLOW_LINKS))
                throw new UnsafeArchiveException("refused entry " + shown(root.relativize(target).toString())
                        + ": " + shown(root.relativize(cur).toString()) + " is not a directory");
        }
        if (Files.isSymbolicLink(target))
            throw new UnsafeArchiveException("refused entry " + shown(root.relativize(target).toString())
                    + ": it would overwrite a link");
    }

    private static void write(Path root, Path target, InputStream in, Budget budget) throws IOException, UnsafeArchiveException {
        parents(root, target);
        Files.deleteIfExists(target); // a later entry of the same name wins, as with tar
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                budget.bytes(n);
                out.write(buf, 0, n);
            }
        }
    }

    private static Set<PosixFilePermission> perms(int mode, int whenNone) {
        int m = (mode & 0777) == 0 ? whenNone : mode & 0777;
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int i = 0; i < 9; i++) if ((m & (1 << i)) != 0) s.add(order[i]);
        s.add(PosixFilePermission.OWNER_READ);
        return s;
    }

    private static String shown(String name) {
        String s = name.length() > 100 ? name.substring(0, 100) + "..." : name;
        return "'" + s.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    /** Deletes a directory tree without following links. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.deleteIfExists(f); // a concurrent delete (sandbox GC) is no error
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) throw e;
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
