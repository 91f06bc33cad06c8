package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.nightshift.agent.Agent;
import io.nightshift.agent.AgentConfig;
import io.nightshift.agent.AgentSettings;
import io.nightshift.api.config.Config;
import io.nightshift.connectors.cache.CacheMetrics;
import io.nightshift.connectors.fetch.FetchException;
import io.nightshift.connectors.fetch.Fetcher;
import io.nightshift.connectors.fetch.HdfsFetcher;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the coordinator's API and a real agent: jobs whose code comes from HTTP and S3
 * (a real S3Proxy process), checksums, one download for ten concurrent tasks, the cache across an
 * agent restart, hostile archives. One S3 server and one cluster for the class.
 */
class ArtifactsIT {
    @TempDir static Path dir;
    static LocalCluster cluster;
    static Config agentConfig;
    static Agent agent;
    static Api api;
    static S3Server s3;
    static HdfsServer hdfs;
    static HttpServer http;
    static final Map<String, byte[]> files = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> gets = new ConcurrentHashMap<>();
    static byte[] jar;

    @BeforeAll
    static void start() throws Exception {
        jar = helloJar(dir.resolve("build"));
        s3 = S3Server.start(dir.resolve("s3"));
        s3.createBucket("jobs");
        s3.put("jobs", "hello/hello.jar", jar);
        hdfs = HdfsServer.start(dir.resolve("hdfs"));
        hdfs.put("/apps/hello/hello.jar", jar);
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", ex -> {
            byte[] body = files.get(ex.getRequestURI().getPath());
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                boolean get = ex.getRequestMethod().equals("GET");
                if (get) gets.computeIfAbsent(ex.getRequestURI().getPath(), k -> new AtomicInteger()).incrementAndGet();
                ex.getResponseHeaders().add("ETag", "\"" + sha(body) + "\"");
                ex.sendResponseHeaders(200, get ? body.length : -1);
                try (OutputStream out = ex.getResponseBody()) {
                    if (get) out.write(body);
                }
            }
            ex.close();
        });
        http.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        http.start();
        files.put("/hello.jar", jar);
        files.put("/shared.jar", jar);
        files.put("/evil.tgz", tgz("../../../escaped.txt"));

        Config base = LocalCluster.testConfig(dir).with(AgentSettings.CPUS, "8").with(AgentSettings.MEM_MB, "8192");
        base = ArtifactServices.reach(base, s3, hdfs);
        cluster = LocalCluster.start(base, 0);
        agentConfig = base.with(AgentSettings.COORDINATOR, cluster.url().toString()).with(AgentSettings.ID, "fetcher")
                .with(AgentSettings.TOKEN, cluster.adminToken());
        agent = Agent.start(AgentConfig.from(agentConfig));
        api = new Api(cluster);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.json("/v1/agents").path("agents").size() == 1
                && api.json("/v1/agents").path("agents").get(0).path("status").asText().equals("ACTIVE"));
    }

    @AfterAll
    static void stop() {
        if (agent != null) agent.stop(true);
        if (cluster != null) cluster.close();
        if (s3 != null) s3.close();
        if (hdfs != null) hdfs.close();
        if (http != null) http.stop(0);
        Procs.killAll("NIGHTSHIFT_SANDBOX=" + dir);
    }

    static String url(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A jar whose main class prints "hello from <args>". */
    static byte[] helloJar(Path build) {
        return TestJars.jar(build, "Hello", "public class Hello { public static void main(String[] a) {"
                + " System.out.println(\"hello from \" + String.join(\" \", a)); } }");
    }

    static byte[] tgz(String name) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream z = new GzipCompressorOutputStream(bytes); TarArchiveOutputStream t = new TarArchiveOutputStream(z)) {
            byte[] b = "gotcha".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(b.length);
            t.putArchiveEntry(e);
            t.write(b);
            t.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    static String jvmJob(String id, String artifacts, String args, String extra) {
        return "{\"id\":\"" + id + "\",\"type\":\"jvm\",\"jvm\":{\"mainClass\":\"Hello\",\"classpath\":[\"lib/hello.jar\"]},"
                + "\"args\":[" + args + "],\"resources\":{\"cpus\":0.2,\"memMb\":128},\"artifacts\":" + artifacts
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    static String awaitEnd(String id) {
        await().atMost(Duration.ofSeconds(90)).until(() -> api.jobState(id).matches("SUCCEEDED|FAILED|KILLED"));
        return api.jobState(id);
    }

    @Test
    void aJobWhoseJarComesFromHttpRuns() {
        String id = api.submit(jvmJob("from-http", "[{\"uri\":\"" + url("/hello.jar") + "\",\"sha256\":\"" + sha(jar)
                + "\",\"destination\":\"lib/hello.jar\"}]", "\"http\"", ""));
        assertThat(awaitEnd(id)).isEqualTo("SUCCEEDED");
        assertThat(api.log(api.task(id).path("id").asText(), "stdout")).contains("hello from http");
        var fetch = api.task(id).path("attempts").path(0).path("fetch");
        assertThat(fetch.path("bytesDone").asLong()).as(fetch.toString()).isEqualTo(jar.length);
        assertThat(fetch.path("bytesTotal").asLong()).isEqualTo(jar.length);
        assertThat(fetch.path("artifacts").path(0).path("target").asText()).isEqualTo("lib/hello.jar");
        assertThat(fetch.path("artifacts").path(0).path("state").asText()).isIn("done", "cached");
    }

    @Test
    void aJobWhoseJarComesFromS3Runs() {
        String id = api.submit(jvmJob("from-s3", "[{\"uri\":\"s3://jobs/hello/hello.jar\",\"destination\":\"lib/hello.jar\"}]",
                "\"s3\"", ""));
        assertThat(awaitEnd(id)).isEqualTo("SUCCEEDED");
        assertThat(api.log(api.task(id).path("id").asText(), "stdout")).contains("hello from s3");
    }

    @Test
    void aJobWhoseJarComesFromHdfsRuns() {
        String id = api.submit(jvmJob("from-hdfs", "[{\"uri\":\"hdfs:///apps/hello/hello.jar\",\"sha256\":\"" + sha(jar)
                + "\",\"destination\":\"lib/hello.jar\"}]", "\"hdfs\"", ""));
        assertThat(awaitEnd(id)).isEqualTo("SUCCEEDED");
        assertThat(api.log(api.task(id).path("id").asText(), "stdout")).contains("hello from hdfs");
    }

    @Test
    void hdfsFetcherResumesFromAnOffsetAndAMissingFileIsPermanent() throws Exception {
        try (HdfsFetcher f = new HdfsFetcher(java.util.List.of(hdfs.confDir()), null)) {
            try (Fetcher.Download d = f.open(java.net.URI.create(hdfs.uri() + "/apps/hello/hello.jar"), 10)) {
                assertThat(d.from()).isEqualTo(10);
                assertThat(d.total()).isEqualTo(jar.length);
                assertThat(d.body().readAllBytes()).hasSize(jar.length - 10);
            }
            FetchException e = org.assertj.core.api.Assertions.catchThrowableOfType(FetchException.class,
                    () -> f.open(java.net.URI.create("hdfs:///apps/none.jar"), 0));
            assertThat(e.isTransient()).isFalse();
            assertThat(e.getMessage()).contains("no such file");
            FetchException other = org.assertj.core.api.Assertions.catchThrowableOfType(FetchException.class,
                    () -> f.open(java.net.URI.create("hdfs://elsewhere:8020/x.jar"), 0));
            assertThat(other.getMessage()).contains("no HDFS cluster 'elsewhere:8020' is configured");
        }
    }

    @Test
    void aWrongChecksumFailsWithFetchFailed() {
        String id = api.submit(jvmJob("bad-sum", "[{\"uri\":\"" + url("/hello.jar") + "\",\"sha256\":\"" + "0".repeat(64)
                + "\",\"destination\":\"lib/hello.jar\"}]", "", ""));
        assertThat(awaitEnd(id)).isEqualTo("FAILED");
        JsonNode attempt = api.task(id).path("attempts").get(0);
        assertThat(attempt.path("reason").asText()).isEqualTo("FETCH_FAILED");
        assertThat(attempt.path("message").asText()).contains("/hello.jar").contains("checksum mismatch");
    }

    @Test
    void aHostileArchiveIsRefused() {
        String id = api.submit(ClusterIT.shellJob("evil-archive", "true", "\"artifacts\":[{\"uri\":\"" + url("/evil.tgz") + "\"}]"));
        assertThat(awaitEnd(id)).isEqualTo("FAILED");
        JsonNode attempt = api.task(id).path("attempts").get(0);
        assertThat(attempt.path("reason").asText()).isEqualTo("FETCH_FAILED");
        assertThat(attempt.path("message").asText()).contains("refused archive");
        assertThat(dir.resolve("escaped.txt")).doesNotExist();
    }

    @Test
    void aBadArtifactIsRefusedAtSubmitNamingTheField() {
        var r = api.post("/v1/jobs", jvmJob("bad-uri", "[{\"uri\":\"ftp://h/x.jar\"},{\"uri\":\"https://u:pw@h/y.jar\"}]", "", ""));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("/artifacts/0/uri").contains("allowed schemes").contains("/artifacts/1/uri")
                .doesNotContain("pw@");
    }

    @Test
    void tenConcurrentTasksWithOneArtifactCauseOneDownloadAndARestartKeepsTheCache() {
        String artifact = "[{\"uri\":\"" + url("/shared.jar") + "\",\"destination\":\"lib/hello.jar\"}]";
        String id = api.submit(jvmJob("ten", artifact, "\"ten\"", "\"instances\":10"));
        assertThat(awaitEnd(id)).isEqualTo("SUCCEEDED");
        assertThat(gets.get("/shared.jar").get()).as("GETs of the shared jar").isEqualTo(1);

        // the agent restarts on the same work dir: the cache is still there, nothing is downloaded again
        agent.stop(false);
        agent = Agent.start(AgentConfig.from(agentConfig));
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.connected());
        String again = api.submit(jvmJob("after-restart", artifact, "\"again\"", ""));
        assertThat(awaitEnd(again)).isEqualTo("SUCCEEDED");
        assertThat(gets.get("/shared.jar").get()).isEqualTo(1);
        CacheMetrics.Snapshot m = agent.artifacts().cache().metrics().total();
        assertThat(m.hits()).isEqualTo(1);
        assertThat(m.misses()).isZero();
    }
}
