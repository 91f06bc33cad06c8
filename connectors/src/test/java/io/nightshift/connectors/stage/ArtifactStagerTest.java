package io.nightshift.connectors.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nightshift.api.spec.ArtifactSpec;
import io.nightshift.connectors.TestHttpServer;
import io.nightshift.connectors.cache.ArtifactCache;
import io.nightshift.connectors.extract.Extractor;
import io.nightshift.connectors.fetch.AddressPolicy;
import io.nightshift.connectors.fetch.FetchException;
import io.nightshift.connectors.fetch.FetcherRegistry;
import io.nightshift.connectors.fetch.Fetching;
import io.nightshift.connectors.fetch.HttpFetcher;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStagerTest {
    @TempDir Path dir;
    TestHttpServer server;
    ArtifactStager stager;

    @BeforeEach
    void start() throws Exception {
        server = new TestHttpServer();
        FetcherRegistry fetchers = new FetcherRegistry(List.of(new HttpFetcher(AddressPolicy.defaults(), 3,
                Duration.ofSeconds(2), Duration.ofSeconds(5))));
        ArtifactCache cache = new ArtifactCache(dir.resolve("cache"), 1 << 24, fetchers, new Fetching(new Fetching.Limits(
                1 << 24, Duration.ofSeconds(5), Duration.ofSeconds(30), 2, Duration.ofMillis(10), Duration.ofMillis(20))));
        stager = new ArtifactStager(cache, new Extractor(Extractor.Limits.DEFAULTS));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    static byte[] zipOf(String name, String content) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(bytes)) {
            ZipArchiveEntry e = new ZipArchiveEntry(name);
            e.setUnixMode(0100755);
            z.putArchiveEntry(e);
            z.write(content.getBytes(StandardCharsets.UTF_8));
            z.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    @Test
    void aCachedFileIsHardLinkedIntoEachSandboxAndAnArchiveIsUnpacked() throws Exception {
        server.serve("/app.jar", "jar".getBytes()).etag("1");
        server.serve("/tools.zip", zipOf("bin/tool.sh", "#!/bin/sh\n")).etag("1");
        List<ArtifactSpec> artifacts = List.of(ArtifactSpec.of(server.url("/app.jar")).withDestination("lib/app.jar"),
                ArtifactSpec.of(server.url("/tools.zip")));
        Path one = Files.createDirectories(dir.resolve("s1")), two = Files.createDirectories(dir.resolve("s2"));
        stager.stage(artifacts, one, ArtifactStager.Progress.NONE);
        stager.stage(artifacts, two, ArtifactStager.Progress.NONE);
        assertThat(Files.readString(one.resolve("lib/app.jar"))).isEqualTo("jar");
        Object inode1 = Files.readAttributes(one.resolve("lib/app.jar"), "unix:ino").get("ino");
        Object inode2 = Files.readAttributes(two.resolve("lib/app.jar"), "unix:ino").get("ino");
        assertThat(inode1).as("one copy on disk, hard-linked").isEqualTo(inode2);
        assertThat(Files.isExecutable(two.resolve("tools/bin/tool.sh"))).isTrue();
        assertThat(stager.cache().metrics().total().misses()).isEqualTo(2);
        assertThat(stager.cache().metrics().total().hits()).isEqualTo(2);
    }

    @Test
    void stagingAgainSkipsWhatIsThere() throws Exception {
        TestHttpServer.Route r = server.serve("/app.jar", "jar".getBytes());
        List<ArtifactSpec> artifacts = List.of(ArtifactSpec.of(server.url("/app.jar")).withCache(false));
        Path sb = Files.createDirectories(dir.resolve("s"));
        stager.stage(artifacts, sb, ArtifactStager.Progress.NONE);
        stager.stage(artifacts, sb, ArtifactStager.Progress.NONE);
        assertThat(r.gets()).isEqualTo(1);
        assertThat(stager.cache().sizeBytes()).as("cache: false bypasses the cache").isZero();
        try (var files = Files.list(sb)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("app.jar");
        }
    }

    @Test
    void executableGetsMode0755WithoutChangingTheCachedBlob() throws Exception {
        server.serve("/run.sh", "#!/bin/sh\n".getBytes());
        Path sb = Files.createDirectories(dir.resolve("s"));
        stager.stage(List.of(ArtifactSpec.of(server.url("/run.sh")).withExecutable(true)), sb, ArtifactStager.Progress.NONE);
        assertThat(Files.isExecutable(sb.resolve("run.sh"))).isTrue();
        Path sb2 = Files.createDirectories(dir.resolve("s2"));
        stager.stage(List.of(ArtifactSpec.of(server.url("/run.sh"))), sb2, ArtifactStager.Progress.NONE);
        assertThat(Files.isExecutable(sb2.resolve("run.sh"))).isFalse();
    }

    @Test
    void extractOnANameWithoutAnArchiveSuffixIsAClearFailure() throws Exception {
        server.serve("/blob", "x".getBytes());
        Path sb = Files.createDirectories(dir.resolve("s"));
        FetchException e = catchThrowableOfType(FetchException.class, () -> stager.stage(
                List.of(ArtifactSpec.of(server.url("/blob")).withExtract(true)), sb, ArtifactStager.Progress.NONE));
        assertThat(e.getMessage()).contains("archive format");
    }
}
