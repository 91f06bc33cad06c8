package io.nightshift.connectors.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nightshift.connectors.TestHttpServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP fetcher and the shared fetch rules, against a real local server that misbehaves on demand. */
class HttpFetchTest {
    static final Fetching.Limits FAST = new Fetching.Limits(1 << 24, Duration.ofMillis(500), Duration.ofSeconds(30), 4,
            Duration.ofMillis(10), Duration.ofMillis(40));

    @TempDir Path dir;
    TestHttpServer server;
    HttpFetcher http = new HttpFetcher(AddressPolicy.defaults(), 3, Duration.ofSeconds(2), Duration.ofSeconds(5));
    Fetching fetching = new Fetching(FAST);
    byte[] body = new byte[300_000];

    @BeforeEach
    void start() throws Exception {
        server = new TestHttpServer();
        new Random(7).nextBytes(body);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private Fetching.Result fetch(String url, String sha) throws FetchException {
        return fetching.fetch(http, URI.create(url), dir.resolve("out"), sha, Fetching.Progress.NONE);
    }

    @Test
    void fetchesTheBodyAndComputesItsDigest() throws Exception {
        server.serve("/app.jar", body);
        Fetching.Result r = fetch(server.url("/app.jar"), null);
        assertThat(r.sha256()).isEqualTo(sha(body));
        assertThat(r.bytes()).isEqualTo(body.length);
        assertThat(Files.readAllBytes(dir.resolve("out"))).isEqualTo(body);
    }

    @Test
    void retriesServerErrorsWithBackoffThenSucceeds() throws Exception {
        TestHttpServer.Route route = server.serve("/app.jar", body).status(503, 2);
        Fetching.Result r = fetch(server.url("/app.jar"), sha(body));
        assertThat(r.tries()).isEqualTo(3);
        assertThat(route.gets()).isEqualTo(3);
    }

    @Test
    void givesUpOnPersistentServerErrorsAsTransient() {
        server.serve("/app.jar", body).status(500, 100);
        FetchException e = catchThrowableOfType(FetchException.class, () -> fetch(server.url("/app.jar"), null));
        assertThat(e.isTransient()).isTrue();
        assertThat(e.getMessage()).contains("gave up after 4 tries").contains("HTTP 500");
    }

    @Test
    void notFoundIsPermanentAtOnce() {
        FetchException e = catchThrowableOfType(FetchException.class, () -> fetch(server.url("/missing.jar"), null));
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).contains("/missing.jar").contains("HTTP 404 (not found)");
    }

    @Test
    void accessDeniedIsPermanent() {
        TestHttpServer.Route route = server.serve("/secret.jar", body).status(403, 100);
        FetchException e = catchThrowableOfType(FetchException.class, () -> fetch(server.url("/secret.jar"), null));
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).contains("access denied");
        assertThat(route.gets()).isEqualTo(1);
    }

    @Test
    void aDroppedConnectionIsResumedWithARange() throws Exception {
        TestHttpServer.Route route = server.serve("/big.bin", body).etag("v1").dropAfter(100_000, 1);
        Fetching.Result r = fetch(server.url("/big.bin"), sha(body));
        assertThat(r.tries()).isEqualTo(2);
        assertThat(route.gets()).isEqualTo(2);
        assertThat(route.rangedGets()).as("the second GET asked for the rest only").isEqualTo(1);
        assertThat(Files.readAllBytes(dir.resolve("out"))).isEqualTo(body);
    }

    @Test
    void bytesLeftOnDiskByAKilledDownloadAreResumedWhenTheVersionIsTheSame() throws Exception {
        TestHttpServer.Route route = server.serve("/big.bin", body).etag("\"v1\"");
        Path part = dir.resolve("out");
        Files.write(part, java.util.Arrays.copyOf(body, 120_000)); // what the killed agent had written
        Files.writeString(Fetching.versionFile(part), "etag:\"v1\"");
        Fetching.Result r = fetching.fetch(http, URI.create(server.url("/big.bin")), part, null, Fetching.Progress.NONE, true);
        assertThat(route.rangedGets()).as("only the rest was asked for").isEqualTo(1);
        assertThat(r.sha256()).as("the digest covers the bytes from disk too").isEqualTo(sha(body));
        assertThat(Files.readAllBytes(part)).isEqualTo(body);
    }

    @Test
    void bytesOnDiskOfAnotherVersionOrOfUnknownOriginAreDiscarded() throws Exception {
        TestHttpServer.Route route = server.serve("/big.bin", body).etag("\"v2\"");
        Path part = dir.resolve("out");
        Files.write(part, new byte[120_000]);
        Files.writeString(Fetching.versionFile(part), "etag:\"v1\"");
        Fetching.Result r = fetching.fetch(http, URI.create(server.url("/big.bin")), part, null, Fetching.Progress.NONE, true);
        assertThat(r.sha256()).isEqualTo(sha(body));
        assertThat(Files.readAllBytes(part)).isEqualTo(body);
        Files.write(part, new byte[120_000]);
        Files.delete(Fetching.versionFile(part));
        int ranged = route.rangedGets();
        fetching.fetch(http, URI.create(server.url("/big.bin")), part, null, Fetching.Progress.NONE, true);
        assertThat(route.rangedGets()).as("no version, no digest: nothing to trust").isEqualTo(ranged);
        assertThat(Files.readAllBytes(part)).isEqualTo(body);
    }

    @Test
    void aResumedDownloadWhoseDigestIsWrongStartsOverOnce() throws Exception {
        server.serve("/big.bin", body); // no ETag: only the expected digest vouches for the bytes on disk
        Path part = dir.resolve("out");
        Files.write(part, new byte[120_000]); // not the body's first bytes
        Fetching.Result r = fetching.fetch(http, URI.create(server.url("/big.bin")), part, sha(body), Fetching.Progress.NONE, true);
        assertThat(r.sha256()).isEqualTo(sha(body));
        assertThat(Files.readAllBytes(part)).isEqualTo(body);
    }

    @Test
    void withoutRangeSupportADroppedDownloadStartsOver() throws Exception {
        server.serve("/big.bin", body).noRanges().dropAfter(100_000, 1);
        Fetching.Result r = fetch(server.url("/big.bin"), sha(body));
        assertThat(r.bytes()).isEqualTo(body.length);
        assertThat(Files.readAllBytes(dir.resolve("out"))).isEqualTo(body);
    }

    @Test
    void aServerLyingAboutTheLengthIsRetried() throws Exception {
        TestHttpServer.Route route = server.serve("/liar.bin", body).noRanges().lieAboutLength(1);
        Fetching.Result r = fetch(server.url("/liar.bin"), sha(body));
        assertThat(route.gets()).isEqualTo(2);
        assertThat(r.sha256()).isEqualTo(sha(body));
    }

    @Test
    void aStalledBodyTimesOutAndIsResumed() throws Exception {
        TestHttpServer.Route route = server.serve("/slow.bin", body).stall(50_000, 1);
        Fetching.Result r = fetch(server.url("/slow.bin"), sha(body));
        assertThat(r.tries()).isEqualTo(2);
        assertThat(route.rangedGets()).isEqualTo(1);
        assertThat(Files.readAllBytes(dir.resolve("out"))).isEqualTo(body);
    }

    @Test
    void aWrongChecksumIsPermanentAndNamesBothDigests() throws Exception {
        server.serve("/app.jar", body);
        String wrong = "0".repeat(64);
        FetchException e = catchThrowableOfType(FetchException.class, () -> fetch(server.url("/app.jar"), wrong));
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).contains("checksum mismatch").contains(wrong).contains(sha(body));
    }

    @Test
    void aBodyOverTheSizeCapIsRefused() {
        server.serve("/huge.bin", new byte[(1 << 24) + 1]);
        FetchException e = catchThrowableOfType(FetchException.class, () -> fetch(server.url("/huge.bin"), null));
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).contains("more than the limit");
    }

    @Test
    void redirectsAreFollowedButBounded() throws Exception {
        server.serve("/app.jar", body);
        server.serve("/old.jar", new byte[0]).redirect(server.url("/app.jar"));
        assertThat(fetch(server.url("/old.jar"), sha(body)).bytes()).isEqualTo(body.length);
        server.serve("/loop", new byte[0]).redirect("/loop");
        FetchException e = catchThrowableOfType(FetchException.class, () -> fetch(server.url("/loop"), null));
        assertThat(e.getMessage()).contains("more than 3 redirects");
    }

    @Test
    void aRedirectToTheMetadataServiceOrAnotherSchemeIsRefused() {
        server.serve("/meta", new byte[0]).redirect("http://169.254.169.254/latest/meta-data/");
        FetchException e = catchThrowableOfType(FetchException.class, () -> fetch(server.url("/meta"), null));
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).contains("169.254.169.254").contains("link-local or cloud-metadata");
        server.serve("/file", new byte[0]).redirect("file:///etc/passwd");
        e = catchThrowableOfType(FetchException.class, () -> fetch(server.url("/file"), null));
        assertThat(e.getMessage()).contains("refused a redirect to scheme 'file'");
        server.serve("/creds", new byte[0]).redirect("http://user:pw@127.0.0.1/x.jar");
        e = catchThrowableOfType(FetchException.class, () -> fetch(server.url("/creds"), null));
        assertThat(e.getMessage()).contains("credentials").doesNotContain("pw@");
    }

    @Test
    void linkLocalAndMetadataAddressesAreRefusedUnlessAllowListed() throws Exception {
        for (String u : new String[]{"http://169.254.169.254/x", "http://[fd00:ec2::254]/x", "http://[fe80::1]/x"}) {
            FetchException e = catchThrowableOfType(FetchException.class, () -> AddressPolicy.defaults().check(URI.create(u)));
            assertThat(e).as(u).isNotNull();
            assertThat(e.isTransient()).isFalse();
        }
        new AddressPolicy(Set.of("169.254.169.254")).check(URI.create("http://169.254.169.254/x"));
        AddressPolicy.defaults().check(URI.create(server.url("/x")));
    }

    @Test
    void messagesRedactQueryValues() {
        FetchException e = catchThrowableOfType(FetchException.class,
                () -> fetch(server.url("/missing.jar?X-Amz-Signature=topsecret"), null));
        assertThat(e.getMessage()).doesNotContain("topsecret").contains("X-Amz-Signature=***");
    }

    @Test
    void connectionRefusedIsTransient() throws Exception {
        // port 1 of loopback: nothing listens there, and no test server can take it (ports 0 pick ephemeral ones),
        // unlike the port of a server closed a moment ago, which another test's server may be given
        FetchException e = catchThrowableOfType(FetchException.class, () -> fetch("http://127.0.0.1:1/app.jar", null));
        assertThat(e.isTransient()).as(e.getMessage()).isTrue();
    }

    @Test
    void versionIsTheEtag() throws Exception {
        server.serve("/app.jar", body).etag("abc");
        assertThat(http.version(URI.create(server.url("/app.jar")))).contains("etag:\"abc\"");
    }
}
