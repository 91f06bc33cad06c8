package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nightshift.connectors.fetch.FetchException;
import io.nightshift.connectors.fetch.Fetcher;
import io.nightshift.connectors.fetch.Fetching;
import io.nightshift.connectors.fetch.S3Fetcher;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The s3 fetcher against a real S3-compatible server (S3Proxy in its own process), one per class. */
class S3FetchIT {
    @TempDir static Path data;
    static S3Server s3;
    static final byte[] BODY = new byte[1_500_000];

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start(data.resolve("s3"));
        s3.createBucket("jobs");
        new Random(3).nextBytes(BODY);
        s3.put("jobs", "lib/app 1.jar", BODY);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) s3.close();
    }

    static S3Fetcher fetcher(String secret) {
        return new S3Fetcher(new S3Fetcher.Options(S3Server.REGION, s3.endpoint(), true, S3Server.ACCESS_KEY, secret,
                Duration.ofSeconds(5), Duration.ofSeconds(20)));
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void fetchesAnObjectWithItsDigestAndEtag(@TempDir Path out) throws Exception {
        try (S3Fetcher f = fetcher(S3Server.SECRET_KEY)) {
            URI uri = URI.create("s3://jobs/lib/app%201.jar");
            Fetching.Result r = new Fetching(Fetching.Limits.DEFAULTS).fetch(f, uri, out.resolve("a"), sha(BODY),
                    Fetching.Progress.NONE);
            assertThat(r.bytes()).isEqualTo(BODY.length);
            assertThat(f.version(uri)).get().asString().startsWith("etag:");
            assertThat(Files.readAllBytes(out.resolve("a"))).isEqualTo(BODY);
        }
    }

    @Test
    void resumesFromAnOffsetWithARange() throws Exception {
        try (S3Fetcher f = fetcher(S3Server.SECRET_KEY);
             Fetcher.Download d = f.open(URI.create("s3a://jobs/lib/app%201.jar"), 1_000_000)) {
            assertThat(d.from()).isEqualTo(1_000_000);
            assertThat(d.total()).isEqualTo(BODY.length);
            assertThat(d.body().readAllBytes()).hasSize(BODY.length - 1_000_000);
        }
    }

    @Test
    void aMissingKeyIsPermanent() {
        try (S3Fetcher f = fetcher(S3Server.SECRET_KEY)) {
            FetchException e = catchThrowableOfType(FetchException.class, () -> f.open(URI.create("s3://jobs/none.jar"), 0));
            assertThat(e.isTransient()).isFalse();
            assertThat(e.getMessage()).contains("s3://jobs/none.jar").contains("404");
        }
    }

    @Test
    void wrongCredentialsArePermanentAndTheSecretIsNotInTheMessage() {
        try (S3Fetcher f = fetcher("not-the-secret")) {
            FetchException e = catchThrowableOfType(FetchException.class,
                    () -> f.open(URI.create("s3://jobs/lib/app%201.jar"), 0));
            assertThat(e.isTransient()).isFalse();
            assertThat(e.getMessage()).contains("403").doesNotContain("not-the-secret");
        }
    }
}
