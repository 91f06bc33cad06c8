package io.nightshift.testkit;

import io.nightshift.agent.fetch.FetchSettings;
import io.nightshift.api.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Example artifact stores for local mode and the demo: an HTTP file server (always; in this
 * process), and optionally a real S3-compatible server (S3Proxy) and a real HDFS (the mini-cluster),
 * each in a process of its own. {@link #configure} points an agent at them; {@link #publish} puts
 * one file into each under the same name.
 */
public final class ArtifactServices implements AutoCloseable {
    public static final String BUCKET = "artifacts";
    public static final String HDFS_DIR = "/artifacts";

    private final Path httpRoot;
    private final ArtifactHttpServer http;
    private final S3Server s3;
    private final HdfsServer hdfs;

    private ArtifactServices(Path httpRoot, ArtifactHttpServer http, S3Server s3, HdfsServer hdfs) {
        this.httpRoot = httpRoot;
        this.http = http;
        this.s3 = s3;
        this.hdfs = hdfs;
    }

    /** Starts the HTTP server and, when asked, S3 and HDFS (in parallel), with their data under {@code dir}. */
    public static ArtifactServices start(Path dir, boolean withS3AndHdfs) throws IOException {
        Path root = Files.createDirectories(dir.resolve("http"));
        ArtifactHttpServer http = ArtifactHttpServer.start(root);
        if (!withS3AndHdfs) return new ArtifactServices(root, http, null, null);
        var s3 = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                S3Server s = S3Server.start(dir.resolve("s3"));
                s.createBucket(BUCKET);
                return s;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            HdfsServer hdfs = HdfsServer.start(dir.resolve("hdfs"));
            return new ArtifactServices(root, http, s3.join(), hdfs);
        } catch (IOException | RuntimeException e) {
            http.close();
            s3.thenAccept(S3Server::close);
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    public boolean hasS3AndHdfs() {
        return s3 != null;
    }

    /** The HDFS, when it runs (with S3, on request); for jobs' input and output beside the artifacts. */
    public java.util.Optional<HdfsServer> hdfs() {
        return java.util.Optional.ofNullable(hdfs);
    }

    /** The agent settings that reach these stores. */
    public Config configure(Config c) {
        return s3 == null ? c : reach(c, s3, hdfs);
    }

    /** {@code c} with the agent settings that reach {@code s3} and {@code hdfs} (for tests that start their own). */
    public static Config reach(Config c, S3Server s3, HdfsServer hdfs) {
        return c.with(FetchSettings.S3_ENDPOINT, s3.endpoint().toString())
                .with(FetchSettings.S3_REGION, S3Server.REGION)
                .with(FetchSettings.S3_PATH_STYLE, "true")
                .with(FetchSettings.S3_ACCESS_KEY, S3Server.ACCESS_KEY)
                .with(FetchSettings.S3_SECRET_KEY, S3Server.SECRET_KEY)
                .with(FetchSettings.HDFS_CONF_DIRS, hdfs.confDir().toString());
    }

    /** Puts {@code content} into every store as {@code name}; returns its URIs (http, then s3 and hdfs when running). */
    public List<String> publish(String name, byte[] content) throws IOException {
        List<String> uris = new ArrayList<>();
        Files.write(httpRoot.resolve(name), content);
        uris.add(http.url(name).toString());
        if (s3 != null) {
            s3.put(BUCKET, name, content);
            uris.add("s3://" + BUCKET + "/" + name);
            hdfs.put(HDFS_DIR + "/" + name, content);
            uris.add("hdfs://" + HDFS_DIR + "/" + name);
        }
        return uris;
    }

    /** One line per store, for people. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add("HTTP artifacts: " + http.url("") + " (serving " + httpRoot + ")");
        if (s3 != null) {
            out.add("S3 (S3Proxy):   " + s3.endpoint() + " bucket '" + BUCKET + "', access key " + S3Server.ACCESS_KEY);
            out.add("HDFS:           " + hdfs.uri() + HDFS_DIR + " (core-site.xml in " + hdfs.confDir() + ")");
        }
        return out;
    }

    @Override
    public void close() {
        http.close();
        if (s3 != null) s3.close();
        if (hdfs != null) hdfs.close();
    }
}
