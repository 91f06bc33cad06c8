package io.nightshift.connectors.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Safe extraction, with hand-made hostile archives of each kind. */
class ExtractorTest {
    @TempDir Path dir;
    final Extractor extractor = new Extractor(new Extractor.Limits(1 << 20, 50, 100));

    /** One entry of a hand-made archive. */
    record E(String name, String content, int mode, char kind, String link) {
        static E file(String name, String content, int mode) { return new E(name, content, mode, 'f', null); }
        static E dir(String name) { return new E(name, null, 0755, 'd', null); }
        static E symlink(String name, String target) { return new E(name, null, 0777, 'l', target); }
        static E hardlink(String name, String target) { return new E(name, null, 0644, 'h', target); }
        static E device(String name) { return new E(name, null, 0644, 'c', null); }
        static E fifo(String name) { return new E(name, null, 0644, 'p', null); }
    }

    Path tar(String fileName, boolean gzip, E... entries) throws IOException {
        Path p = dir.resolve(fileName);
        try (OutputStream raw = Files.newOutputStream(p);
             OutputStream z = gzip ? new GzipCompressorOutputStream(raw) : raw;
             TarArchiveOutputStream t = new TarArchiveOutputStream(z)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (E e : entries) {
                TarArchiveEntry te = switch (e.kind) {
                    case 'd' -> new TarArchiveEntry(e.name.endsWith("/") ? e.name : e.name + "/");
                    case 'l' -> new TarArchiveEntry(e.name, TarConstants.LF_SYMLINK);
                    case 'h' -> new TarArchiveEntry(e.name, TarConstants.LF_LINK);
                    case 'c' -> new TarArchiveEntry(e.name, TarConstants.LF_CHR);
                    case 'p' -> new TarArchiveEntry(e.name, TarConstants.LF_FIFO);
                    default -> new TarArchiveEntry(e.name, true);
                };
                te.setMode((e.kind == 'd' ? 040000 : e.kind == 'l' ? 0120000 : 0100000) | e.mode);
                if (e.link != null) te.setLinkName(e.link);
                byte[] b = e.content == null ? new byte[0] : e.content.getBytes(StandardCharsets.UTF_8);
                te.setSize(e.kind == 'f' ? b.length : 0);
                t.putArchiveEntry(te);
                if (e.kind == 'f') t.write(b);
                t.closeArchiveEntry();
            }
        }
        return p;
    }

    Path zip(String fileName, E... entries) throws IOException {
        Path p = dir.resolve(fileName);
        try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(p)) {
            for (E e : entries) {
                ZipArchiveEntry ze = new ZipArchiveEntry(e.kind == 'd' && !e.name.endsWith("/") ? e.name + "/" : e.name);
                int type = switch (e.kind) {
                    case 'd' -> 040000;
                    case 'l' -> 0120000;
                    case 'c' -> 020000;
                    case 'p' -> 010000;
                    default -> 0100000;
                };
                ze.setUnixMode(type | e.mode);
                z.putArchiveEntry(ze);
                if (e.kind == 'f') z.write(e.content.getBytes(StandardCharsets.UTF_8));
                if (e.kind == 'l') z.write(e.link.getBytes(StandardCharsets.UTF_8));
                z.closeArchiveEntry();
            }
        }
        return p;
    }

    Path archive(String kind, E... entries) throws IOException {
        return switch (kind) {
            case "tar" -> tar("a.tar", false, entries);
            case "tgz" -> tar("a.tgz", true, entries);
            default -> zip("a.zip", entries);
        };
    }

    static Extractor.Format format(String kind) {
        return switch (kind) {
            case "tar" -> Extractor.Format.TAR;
            case "tgz" -> Extractor.Format.TAR_GZ;
            default -> Extractor.Format.ZIP;
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void unpacksFilesDirectoriesInnerLinksAndKeepsExecBits(String kind) throws Exception {
        Path a = archive(kind, E.dir("bin"), E.file("bin/run.sh", "#!/bin/sh\necho hi\n", 0755),
                E.file("conf/app.conf", "x=1\n", 0640), E.symlink("bin/current", "run.sh"));
        Path dest = dir.resolve("sandbox/app");
        Files.createDirectories(dest.getParent());
        Extractor.Summary s = extractor.extract(a, format(kind), dest, false);
        assertThat(s.entries()).isEqualTo(4);
        assertThat(Files.readString(dest.resolve("bin/run.sh"))).contains("echo hi");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dest.resolve("bin/run.sh")))).isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dest.resolve("conf/app.conf")))).isEqualTo("rw-r-----");
        assertThat(Files.isSymbolicLink(dest.resolve("bin/current"))).isTrue();
        assertThat(Files.readString(dest.resolve("bin/current"))).contains("echo hi");
        assertThat(dest.resolveSibling("app.part")).doesNotExist();
    }

    static Stream<String> kinds() {
        return Stream.of("tar", "tgz", "zip");
    }

    static Stream<Arguments> hostile() {
        return kinds().flatMap(k -> Stream.of(
                Arguments.of(k, "dot-dot", new E[]{E.file("../evil.txt", "x", 0644)}, "'..'"),
                Arguments.of(k, "nested dot-dot", new E[]{E.file("a/../../evil.txt", "x", 0644)}, "'..'"),
                Arguments.of(k, "absolute path", new E[]{E.file("/tmp/evil.txt", "x", 0644)}, "absolute"),
                Arguments.of(k, "symlink out (absolute)", new E[]{E.symlink("etc", "/etc")}, "absolute"),
                Arguments.of(k, "symlink out (relative)", new E[]{E.dir("d"), E.symlink("d/up", "../../..")}, "outside"),
                Arguments.of(k, "write through an inner link", new E[]{E.dir("d"), E.symlink("l", "d"),
                        E.file("l/x.txt", "x", 0644)}, "through the link"),
                Arguments.of(k, "device file", new E[]{E.device("dev/sda")}, "device"),
                Arguments.of(k, "fifo", new E[]{E.fifo("pipe")}, "FIFO"),
                Arguments.of(k, "too many entries", manyEntries(), "more than 50 entries"),
                Arguments.of(k, "too big", new E[]{E.file("big.txt", "ab".repeat(600_000), 0644)}, "more than"),
                // zip readers turn '\\' into '/', so there it is refused as '..' instead
                Arguments.of(k, "backslash", new E[]{E.file("..\\evil.txt", "x", 0644)}, "refused entry '..")));
    }

    static E[] manyEntries() {
        E[] es = new E[51];
        for (int i = 0; i < es.length; i++) es[i] = E.file("f" + i, "x", 0644);
        return es;
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("hostile")
    void refusesHostileArchivesAndLeavesNothingBehind(String kind, String what, E[] entries, String expected) throws Exception {
        Path a = archive(kind, entries);
        Path sandbox = Files.createDirectories(dir.resolve("sandbox"));
        Path dest = sandbox.resolve("app");
        UnsafeArchiveException e = catchThrowableOfType(UnsafeArchiveException.class,
                () -> extractor.extract(a, format(kind), dest, false));
        assertThat(e).as(what).isNotNull();
        assertThat(e.getMessage()).contains(expected);
        assertThat(dest).doesNotExist();
        try (Stream<Path> left = Files.list(sandbox)) {
            assertThat(left).as("nothing left in the sandbox").isEmpty();
        }
        assertThat(dir.resolve("evil.txt")).doesNotExist();
    }

    @Test
    void aHardLinkMustPointAtAnEarlierFileOfTheArchive() throws Exception {
        Path outside = Files.writeString(dir.resolve("outside.txt"), "secret");
        Path ok = tar("ok.tar", false, E.file("a.txt", "data", 0644), E.hardlink("b.txt", "a.txt"));
        Path dest = dir.resolve("ok");
        extractor.extract(ok, Extractor.Format.TAR, dest, false);
        assertThat(Files.readString(dest.resolve("b.txt"))).isEqualTo("data");

        Path bad = tar("bad.tar", false, E.hardlink("x.txt", "../outside.txt"));
        assertThat(catchThrowableOfType(UnsafeArchiveException.class,
                () -> extractor.extract(bad, Extractor.Format.TAR, dir.resolve("bad"), false))).hasMessageContaining("'..'");
        Path abs = tar("abs.tar", false, E.hardlink("x.txt", outside.toString()));
        assertThat(catchThrowableOfType(UnsafeArchiveException.class,
                () -> extractor.extract(abs, Extractor.Format.TAR, dir.resolve("abs"), false))).hasMessageContaining("absolute");
        assertThat(Files.readString(outside)).isEqualTo("secret");
    }

    @Test
    void aZipBombIsRefusedByItsCompressionRatio() throws Exception {
        Extractor roomy = new Extractor(new Extractor.Limits(1L << 30, 10, 100));
        Path bomb = zip("bomb.zip", E.file("zeros", "\0".repeat(5_000_000), 0644));
        assertThat(Files.size(bomb)).isLessThan(50_000);
        UnsafeArchiveException e = catchThrowableOfType(UnsafeArchiveException.class,
                () -> roomy.extract(bomb, Extractor.Format.ZIP, dir.resolve("bomb"), false));
        assertThat(e).hasMessageContaining("times its own size");
        assertThat(dir.resolve("bomb")).doesNotExist();
        assertThat(dir.resolve("bomb.part")).doesNotExist();
    }

    @Test
    void garbageIsACorruptArchiveNotACrash() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.tgz"), "this is not gzip");
        assertThat(catchThrowableOfType(UnsafeArchiveException.class,
                () -> extractor.extract(junk, Extractor.Format.TAR_GZ, dir.resolve("junk"), false)))
                .hasMessageContaining("corrupt");
        Path zjunk = Files.writeString(dir.resolve("junk.zip"), "this is not a zip");
        assertThat(catchThrowableOfType(UnsafeArchiveException.class,
                () -> extractor.extract(zjunk, Extractor.Format.ZIP, dir.resolve("zjunk"), false)))
                .hasMessageContaining("corrupt");
    }

    @Test
    void formatFollowsTheName() {
        assertThat(Extractor.formatOf("a.TAR.GZ")).isEqualTo(Extractor.Format.TAR_GZ);
        assertThat(Extractor.formatOf("a.tgz")).isEqualTo(Extractor.Format.TAR_GZ);
        assertThat(Extractor.formatOf("a.tar")).isEqualTo(Extractor.Format.TAR);
        assertThat(Extractor.formatOf("a.zip")).isEqualTo(Extractor.Format.ZIP);
        assertThat(Extractor.formatOf("a.jar")).isNull();
    }

    @Test
    void entriesWithoutModesGetDefaultsAndExecutableMakesThemRunnable() throws Exception {
        Path a = zip("plain.zip", E.file("tool", "#!/bin/sh\n", 0));
        Path dest = dir.resolve("plain");
        extractor.extract(a, Extractor.Format.ZIP, dest, true);
        assertThat(Files.isExecutable(dest.resolve("tool"))).isTrue();
        assertThat(Files.isSymbolicLink(dest)).isFalse();
        assertThat(Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)).isTrue();
    }
}
