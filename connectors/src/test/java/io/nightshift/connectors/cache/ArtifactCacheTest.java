package io.nightshift.connectors.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nightshift.connectors.TestHttpServer;
import io.nightshift.connectors.fetch.AddressPolicy;
import io.nightshift.connectors.fetch.FetchException;
import io.nightshift.connectors.fetch.FetcherRegistry;
import io.nightshift.connectors.fetch.Fetching;
import io.nightshift.connectors.fetch.HttpFetcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactCacheTest {
    static final Fetching.Limits LIMITS = new Fetching.Limits(1 << 24, Duration.ofSeconds(5), Duration.ofSeconds(30), 3,
            Duration.ofMillis(10), Duration.ofMillis(40));

    @TempDir Path dir;
    TestHttpServer server;
    final FetcherRegistry fetchers = new FetcherRegistry(List.of(new HttpFetcher(AddressPolicy.defaults(), 3,
            Duration.ofSeconds(2), Duration.ofSeconds(5))));

    @BeforeEach
    void start() throws Exception {
        server = new TestHttpServer();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    ArtifactCache cache(long maxBytes) throws Exception {
        return new ArtifactCache(dir.resolve("cache"), maxBytes, fetchers, new Fetching(LIMITS));
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void aSecondRequestWithTheDigestIsAHitWithoutTouchingTheServer() throws Exception {
        byte[] body = "jar bytes".getBytes();
        TestHttpServer.Route route = server.serve("/app.jar", body);
        ArtifactCache cache = cache(1 << 20);
        try (ArtifactCache.Lease l = cache.get(server.url("/app.jar"), sha(body), Fetching.Progress.NONE)) {
            assertThat(l.hit()).isFalse();
            assertThat(Files.readAllBytes(l.path(false))).isEqualTo(body);
        }
        try (ArtifactCache.Lease l = cache.get(server.url("/app.jar"), sha(body), Fetching.Progress.NONE)) {
            assertThat(l.hit()).isTrue();
        }
        assertThat(route.gets() + route.heads()).isEqualTo(1);
        CacheMetrics.Snapshot m = cache.metrics().snapshot().get("http");
        assertThat(m.hits()).isEqualTo(1);
        assertThat(m.misses()).isEqualTo(1);
        assertThat(m.bytesFetched()).isEqualTo(body.length);
    }

    @Test
    void withoutADigestTheEtagFindsTheBlobAndANewEtagFetchesAgain() throws Exception {
        byte[] body = "v1".getBytes();
        TestHttpServer.Route route = server.serve("/app.jar", body).etag("e1");
        ArtifactCache cache = cache(1 << 20);
        cache.get(server.url("/app.jar"), null, Fetching.Progress.NONE).close();
        try (ArtifactCache.Lease l = cache.get(server.url("/app.jar"), null, Fetching.Progress.NONE)) {
            assertThat(l.hit()).isTrue();
            assertThat(l.sha256()).isEqualTo(sha(body));
        }
        assertThat(route.gets()).isEqualTo(1);
        assertThat(route.heads()).isEqualTo(2);
        byte[] v2 = "v2".getBytes();
        server.serve("/app.jar", v2).etag("e2");
        try (ArtifactCache.Lease l = cache.get(server.url("/app.jar"), null, Fetching.Progress.NONE)) {
            assertThat(l.hit()).isFalse();
            assertThat(l.sha256()).isEqualTo(sha(v2));
        }
    }

    @Test
    void tenConcurrentRequestsForOneUriCauseOneDownload() throws Exception {
        byte[] body = new byte[200_000];
        TestHttpServer.Route route = server.serve("/shared.jar", body).delay(300);
        ArtifactCache cache = cache(1 << 24);
        AtomicInteger downloads = new AtomicInteger();
        cache.onDownload(downloads::incrementAndGet);
        ExecutorService pool = Executors.newFixedThreadPool(10);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.add(pool.submit(() -> {
                go.await();
                try (ArtifactCache.Lease l = cache.get(server.url("/shared.jar"), null, Fetching.Progress.NONE)) {
                    return l.sha256();
                }
            }));
        }
        go.countDown();
        for (Future<String> f : all) assertThat(f.get()).isEqualTo(sha(body));
        pool.shutdown();
        assertThat(downloads.get()).isEqualTo(1);
        assertThat(route.gets()).isEqualTo(1);
    }

    @Test
    void theCacheSurvivesARestartAndAHalfDownloadIsNeverServed() throws Exception {
        byte[] body = "persistent".getBytes();
        TestHttpServer.Route route = server.serve("/app.jar", body);
        cache(1 << 20).get(server.url("/app.jar"), sha(body), Fetching.Progress.NONE).close();
        Path part = Files.writeString(dir.resolve("cache/tmp/crashed.part"), "half");
        ArtifactCache again = cache(1 << 20);
        assertThat(part).doesNotExist();
        try (ArtifactCache.Lease l = again.get(server.url("/app.jar"), sha(body), Fetching.Progress.NONE)) {
            assertThat(l.hit()).isTrue();
        }
        assertThat(route.gets()).isEqualTo(1);
    }

    @Test
    void aFailedDownloadLeavesNoBlob() throws Exception {
        byte[] body = "real".getBytes();
        server.serve("/app.jar", body);
        ArtifactCache cache = cache(1 << 20);
        FetchException e = catchThrowableOfType(FetchException.class,
                () -> cache.get(server.url("/app.jar"), "1".repeat(64), Fetching.Progress.NONE));
        assertThat(e.getMessage()).contains("checksum mismatch");
        assertThat(cache.has(sha(body))).isFalse();
        assertThat(cache.sizeBytes()).isZero();
        try (var tmp = Files.list(dir.resolve("cache/tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void leastRecentlyUsedBlobsGoFirstAndLeasedOnesStay() throws Exception {
        byte[] a = new byte[400], b = new byte[400], c = new byte[400];
        a[0] = 1;
        b[0] = 2;
        c[0] = 3;
        server.serve("/a", a);
        server.serve("/b", b);
        server.serve("/c", c);
        // each use is stamped a second after the last, so the order of use is plain whatever the file system's resolution
        java.util.concurrent.atomic.AtomicLong millis = new java.util.concurrent.atomic.AtomicLong(1_700_000_000_000L);
        java.time.Clock ticking = new java.time.Clock() {
            @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
            @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public java.time.Instant instant() { return java.time.Instant.ofEpochMilli(millis.addAndGet(1000)); }
        };
        ArtifactCache cache = new ArtifactCache(dir.resolve("cache"), 1000, fetchers, new Fetching(LIMITS), ticking);
        cache.get(server.url("/a"), sha(a), Fetching.Progress.NONE).close();
        ArtifactCache.Lease leasedB = cache.get(server.url("/b"), sha(b), Fetching.Progress.NONE);
        cache.get(server.url("/a"), sha(a), Fetching.Progress.NONE).close(); // a is now more recent than b
        cache.get(server.url("/c"), sha(c), Fetching.Progress.NONE).close(); // 1200 > 1000: evict one
        assertThat(cache.has(sha(b))).as("leased: kept").isTrue();
        assertThat(cache.has(sha(a))).as("least recently used unleased blob").isFalse();
        assertThat(cache.has(sha(c))).isTrue();
        leasedB.close();
        cache.evict();
        assertThat(cache.sizeBytes()).isLessThanOrEqualTo(1000);
    }

    @Test
    void theSameContentUnderTwoUrisIsStoredOnceAndNeverReplaced() throws Exception {
        byte[] body = "same".getBytes();
        server.serve("/a.jar", body);
        server.serve("/b.jar", body);
        ArtifactCache cache = cache(1 << 20);
        Object first, second;
        try (ArtifactCache.Lease l = cache.get(server.url("/a.jar"), null, Fetching.Progress.NONE)) {
            first = Files.readAttributes(l.path(false), "unix:ino").get("ino");
        }
        try (ArtifactCache.Lease l = cache.get(server.url("/b.jar"), null, Fetching.Progress.NONE)) {
            second = Files.readAttributes(l.path(false), "unix:ino").get("ino");
        }
        assertThat(second).as("the blob already linked into sandboxes stays the same file").isEqualTo(first);
        assertThat(cache.sizeBytes()).isEqualTo(body.length);
    }
}
