package io.nightshift.connectors.fetch;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@code s3://bucket/key} (and {@code s3a://}, the Hadoop spelling) through the AWS SDK v2 with its
 * URL-connection HTTP client (no Netty, no Apache client). Region, endpoint override (an
 * S3-compatible store) and path-style access come from the agent's configuration; credentials
 * from that configuration or else the SDK's default provider chain (environment, profile, instance
 * role), never from the spec, and never logged. The SDK's own retries are off: {@link Fetching}
 * retries, resuming with a byte range.
 */
public final class S3Fetcher implements Fetcher, AutoCloseable {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    /** How to reach the store. {@code endpoint}, {@code accessKey}, {@code secretKey} may be null. */
    public record Options(String region, URI endpoint, boolean pathStyle, String accessKey, String secretKey,
                          Duration connectTimeout, Duration readTimeout) {
        @Override
        public String toString() { // never the secret
            return "S3Options[region=%s, endpoint=%s, pathStyle=%s, credentials=%s]".formatted(region, endpoint, pathStyle,
                    accessKey != null ? "configured" : "default chain");
        }
    }

    private final Options options;
    private S3Client client; // built on first use: the SDK costs agents that never fetch from S3 nothing at start

    public S3Fetcher(Options o) {
        this.options = o;
    }

    private synchronized S3Client client() {
        if (client == null) client = client(options, false);
        return client;
    }

    /**
     * A client for the store {@code o} describes: its credentials, else the SDK's default provider chain. With
     * {@code sdkRetries} false the SDK does not retry (the caller does); true keeps the SDK's standard retries.
     */
    public static S3Client client(Options o, boolean sdkRetries) {
        AwsCredentialsProvider credentials = o.accessKey() != null && o.secretKey() != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(o.accessKey(), o.secretKey()))
                : DefaultCredentialsProvider.builder().build();
        var b = S3Client.builder()
                .region(Region.of(o.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(o.pathStyle())
                // the digest is ours (sha256 while downloading); S3-compatible stores often lack the newer checksums
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(o.connectTimeout())
                        .socketTimeout(o.readTimeout()))
                // uploads (the Kafka sink) sign the whole payload: S3-compatible stores often lack aws-chunked bodies
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
                        .chunkedEncodingEnabled(false).build());
        if (!sdkRetries) b.overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (o.endpoint() != null) b.endpointOverride(o.endpoint());
        return b.build();
    }

    @Override
    public Set<String> schemes() {
        return Set.of("s3", "s3a");
    }

    private static String bucket(URI uri) {
        return uri.getHost();
    }

    private static String key(URI uri) {
        return URLDecoder.decode(uri.getRawPath().substring(1), StandardCharsets.UTF_8);
    }

    @Override
    public Optional<String> version(URI uri) throws FetchException {
        try {
            HeadObjectResponse r = client().headObject(h -> h.bucket(bucket(uri)).key(key(uri)));
            return Optional.ofNullable(r.eTag()).map(e -> "etag:" + e);
        } catch (SdkException e) {
            throw classify(uri, e);
        }
    }

    @Override
    public Download open(URI uri, long from) throws FetchException {
        GetObjectRequest.Builder req = GetObjectRequest.builder().bucket(bucket(uri)).key(key(uri));
        if (from > 0) req.range("bytes=" + from + "-");
        try {
            ResponseInputStream<GetObjectResponse> in = client().getObject(req.build());
            GetObjectResponse r = in.response();
            String version = r.eTag() == null ? null : "etag:" + r.eTag();
            if (from > 0 && r.contentRange() != null) {
                Matcher m = CONTENT_RANGE.matcher(r.contentRange());
                if (m.matches() && Long.parseLong(m.group(1)) == from) {
                    return new Download(in, from, m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3)), version);
                }
            }
            long length = r.contentLength() == null ? -1 : r.contentLength();
            return new Download(in, 0, length, version); // from 0, or a store that ignored the range: the whole object
        } catch (S3Exception e) {
            if (e.statusCode() == 416 && from > 0) return open(uri, 0);
            throw classify(uri, e);
        } catch (SdkException e) {
            throw classify(uri, e);
        }
    }

    /** 404/403 and other 4xx: permanent; 5xx, throttling, I/O: transient. The message has no credentials. */
    static FetchException classify(URI uri, SdkException e) {
        if (e instanceof S3Exception s3) {
            int status = s3.statusCode();
            String code = s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorCode() : null;
            String what = "S3 " + status + (code != null ? " " + code : "");
            if (status >= 500 || status == 429 || "SlowDown".equals(code) || "RequestTimeout".equals(code))
                return FetchException.transientError(uri.toString(), what, null);
            return FetchException.permanent(uri.toString(), what + (status == 404 ? " (no such bucket or key)"
                    : status == 403 ? " (access denied)" : ""));
        }
        if (e instanceof SdkClientException && e.getMessage() != null && e.getMessage().contains("Unable to load credentials"))
            return FetchException.permanent(uri.toString(), "no S3 credentials: set agent.fetch.s3.access-key and "
                    + "agent.fetch.s3.secret-key, or provide them to the agent's default AWS provider chain");
        return FetchException.transientError(uri.toString(), "S3 request failed: " + e.getClass().getSimpleName(), e);
    }

    @Override
    public synchronized void close() {
        if (client != null) client.close();
    }
}
