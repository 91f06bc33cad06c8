package io.nightshift.connectors.sink;

import io.nightshift.connectors.fetch.S3Fetcher;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An S3 prefix ({@code s3://bucket/prefix}, the store and its credentials from the agent's configuration). A file
 * is uploaded from the local staging directory in one PUT: S3 shows an object only once it is whole, so there is
 * no rename to make it atomic. Errors name the bucket, key and S3 status, never a credential.
 */
public final class S3SinkTarget implements SinkTarget {
    private final URI uri;
    private final Path staging;
    private final String bucket;
    private final String prefix;
    private final S3Client s3;

    public S3SinkTarget(URI uri, Path staging, S3Fetcher.Options options) throws IOException {
        this.uri = uri;
        this.staging = staging;
        this.bucket = uri.getHost();
        String p = uri.getPath() == null ? "" : uri.getPath();
        while (p.startsWith("/")) p = p.substring(1);
        this.prefix = p.isEmpty() || p.endsWith("/") ? p : p + "/";
        this.s3 = S3Fetcher.client(options, true);
        Files.createDirectories(staging);
    }

    @Override
    public Path staging() {
        return staging;
    }

    @Override
    public List<String> list(String namePrefix) throws IOException {
        List<String> names = new ArrayList<>();
        try {
            var pages = s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix + namePrefix)
                    .build());
            for (S3Object o : pages.contents()) {
                String rest = o.key().substring(prefix.length());
                if (!rest.contains("/")) names.add(rest);
            }
        } catch (SdkException e) {
            throw failure("list " + prefix + namePrefix + "*", e);
        }
        return names;
    }

    @Override
    public void delete(String name) throws IOException {
        try {
            s3.deleteObject(d -> d.bucket(bucket).key(prefix + name));
        } catch (SdkException e) {
            throw failure("delete " + prefix + name, e);
        }
    }

    @Override
    public void publish(Path local, String name) throws IOException {
        try {
            s3.putObject(p -> p.bucket(bucket).key(prefix + name), RequestBody.fromFile(local));
        } catch (SdkException e) {
            throw failure("upload " + prefix + name, e);
        }
        Files.deleteIfExists(local);
    }

    private IOException failure(String what, SdkException e) {
        String status = e instanceof S3Exception s ? " (S3 " + s.statusCode()
                + (s.awsErrorDetails() != null && s.awsErrorDetails().errorCode() != null
                        ? " " + s.awsErrorDetails().errorCode() : "") + ")" : "";
        return new IOException("S3 bucket " + bucket + ": could not " + what + status + ": "
                + e.getClass().getSimpleName(), e);
    }

    @Override
    public String location() {
        return uri.toString();
    }

    @Override
    public void close() {
        s3.close();
    }
}
