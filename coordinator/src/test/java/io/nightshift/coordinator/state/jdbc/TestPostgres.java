package io.nightshift.coordinator.state.jdbc;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * A real PostgreSQL server from zonky's binaries on Maven Central (no Docker), for tests that run a
 * coordinator process on the PostgreSQL store: start one per test class, a fresh database per test.
 *
 * <p>Copied from the coordinator's {@code state.jdbc.TestPostgres} (test classes are not shared
 * between modules): PostgreSQL refuses to run as root ("initdb: cannot be run as root"), and CI runs
 * the build as root. Then the server runs as {@code nobody}: a {@link PgBinaryResolver} hands zonky
 * the same archive with {@code bin/initdb} and {@code bin/pg_ctl} replaced by small shell wrappers
 * that give the data directory to nobody and drop privileges with {@code setpriv} before running the
 * real binaries. As any other user nothing is changed.
 */
public final class TestPostgres implements AutoCloseable {
    /** The superuser zonky creates; any password is accepted (trust authentication). */
    public static final String USER = "postgres";

    private static final int NOBODY = 65534;
    private final AtomicInteger databases = new AtomicInteger();
    private final EmbeddedPostgres server;

    private static TestPostgres shared;

    private TestPostgres(EmbeddedPostgres server) {
        this.server = server;
    }

    /** One server for a whole test JVM, started on first use (zonky's shutdown hook stops it). */
    public static synchronized TestPostgres shared() {
        if (shared == null) shared = start();
        return shared;
    }

    /** Starts a server (a few seconds); {@link #close()} stops it and deletes its data directory. */
    public static TestPostgres start() {
        try {
            EmbeddedPostgres.Builder b = EmbeddedPostgres.builder();
            if (isRoot()) b.setPgBinaryResolver(new RunAsNobody());
            return new TestPostgres(b.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
        }
    }

    /** Creates an empty database and returns its JDBC URL (user {@link #USER}, trust authentication). */
    public String newDatabase() {
        String name = "ns_test_" + databases.incrementAndGet();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return "jdbc:postgresql://localhost:" + server.getPort() + "/" + name;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop the embedded PostgreSQL", e);
        }
    }

    private static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** zonky's archive with initdb and pg_ctl wrapped to run as nobody. */
    private static final class RunAsNobody implements PgBinaryResolver {
        private static final Set<String> WRAPPED = Set.of("bin/initdb", "bin/pg_ctl");

        /**
         * Repacking takes a few seconds, so the result is kept next to zonky's own cache, named by
         * the original archive's digest.
         */
        @Override
        public InputStream getPgBinary(String system, String machineHardware) throws IOException {
            InputStream original = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware);
            if (original == null) return null;
            byte[] archive;
            try (original) {
                archive = original.readAllBytes();
            }
            Path cached = Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg",
                    "nightshift-as-nobody-" + sha256(archive) + ".txz");
            if (!Files.isRegularFile(cached)) {
                Files.createDirectories(cached.getParent());
                Path tmp = Files.createTempFile(cached.getParent(), "repack", ".tmp");
                Files.write(tmp, repack(archive));
                Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return Files.newInputStream(cached);
        }

        private static byte[] repack(byte[] archive) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream(32 << 20);
            try (TarArchiveInputStream in = new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(archive)));
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(new XZOutputStream(out, new LZMA2Options(0)))) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                TarArchiveEntry e;
                while ((e = in.getNextEntry()) != null) {
                    String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                    if (e.isFile() && WRAPPED.contains(name)) {
                        byte[] real = in.readAllBytes();
                        add(tar, e, name + ".real", real);
                        add(tar, e, name, wrapper(name.substring(4)).getBytes(StandardCharsets.UTF_8));
                    } else {
                        tar.putArchiveEntry(e);
                        if (e.isFile()) in.transferTo(tar);
                        tar.closeArchiveEntry();
                    }
                }
            }
            return out.toByteArray();
        }

        private static String sha256(byte[] bytes) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 32);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Same time stamp as the original: the archive's digest (zonky's cache key) stays the same run to run. */
        private static void add(TarArchiveOutputStream tar, TarArchiveEntry like, String name, byte[] content) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setModTime(like.getModTime());
            e.setSize(content.length);
            e.setMode(0755);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
        }

        /**
         * zonky extracts bin/* executable by the owner only, so the wrapper opens them to all first;
         * then it gives the -D directory to nobody and runs the real binary as nobody.
         */
        private static String wrapper(String binary) {
            return """
                    #!/bin/sh
                    # Written by Nightshift's TestPostgres: PostgreSQL will not run as root.
                    here=$(cd "$(dirname "$0")" && pwd)
                    real="$here/%1$s.real"
                    if [ "$(id -u)" != 0 ]; then exec "$real" "$@"; fi
                    chmod a+rx "$here"/*
                    prev=
                    for a in "$@"; do
                      if [ "$prev" = "-D" ]; then mkdir -p "$a" && chown -R %2$d:%2$d "$a"; fi
                      prev=$a
                    done
                    exec setpriv --reuid=%2$d --regid=%2$d --clear-groups "$real" "$@"
                    """.formatted(binary, NOBODY);
        }
    }
}
