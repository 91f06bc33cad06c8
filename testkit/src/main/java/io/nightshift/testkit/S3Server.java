package io.nightshift.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server: S3Proxy (from Maven Central) with its filesystem backend, in a JVM
 * of its own (its Jetty and Netty 4.1 stay out of ours; the classpath comes from
 * {@code servers/s3proxy}), bound to 127.0.0.1 on a free port (port 0; the port is read from its
 * log), with AWS signature v2/v4 authentication and a fixed local key pair.
 */
public final class S3Server implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(S3Server.class);
    public static final String ACCESS_KEY = "nightshift-local";
    public static final String SECRET_KEY = "nightshift-local-secret";
    public static final String REGION = "us-east-1";
    private static final Pattern STARTED = Pattern.compile("Started ServerConnector@\\S+\\{[^}]*}\\{127\\.0\\.0\\.1:(\\d+)}");

    private final Process process;
    private final URI endpoint;
    private final S3Client client;

    private S3Server(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
        this.client = S3Client.builder().region(Region.of(REGION)).endpointOverride(endpoint).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
                        .chunkedEncodingEnabled(false).build())
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    /** The classpath of S3Proxy and its dependencies, as written at build time. */
    static String classpath() throws IOException {
        try (InputStream in = S3Server.class.getResourceAsStream("/io/nightshift/servers/s3proxy.classpath")) {
            if (in == null) throw new IOException("io/nightshift/servers/s3proxy.classpath is not on the classpath: "
                    + "build the servers/s3proxy module");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    /** Starts S3Proxy storing its buckets under {@code dataDir}; returns once it listens. */
    public static S3Server start(Path dataDir) throws IOException {
        Files.createDirectories(dataDir.resolve("blobs"));
        Path props = dataDir.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:0",
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.v4-max-non-chunked-request-size=" + (8L << 30), // single PUTs of big test artifacts
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.identity=" + ACCESS_KEY,
                "jclouds.credential=" + SECRET_KEY,
                "jclouds.filesystem.basedir=" + dataDir.resolve("blobs").toAbsolutePath(), ""));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", classpath(), "org.gaul.s3proxy.Main", "--properties",
                props.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Path log = dataDir.resolve("s3proxy.log");
        Thread drain = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 var out = Files.newBufferedWriter(log)) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.write(line);
                    out.newLine();
                    Matcher m = STARTED.matcher(line);
                    if (m.find()) port.complete(Integer.parseInt(m.group(1)));
                }
            } catch (IOException e) {
                // the process ended
            }
            port.completeExceptionally(new IOException("S3Proxy exited before it listened; see " + log));
        }, "s3proxy-output");
        drain.setDaemon(true);
        drain.start();
        try {
            int actual = port.get(Duration.ofMinutes(2).toSeconds(), TimeUnit.SECONDS);
            URI endpoint = URI.create("http://127.0.0.1:" + actual);
            LOG.info("S3Proxy (pid {}) on {}, data in {}", p.pid(), endpoint, dataDir);
            return new S3Server(p, endpoint);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IOException("S3Proxy did not start: " + e.getMessage() + " (log: " + log + ")", e);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    public long pid() {
        return process.pid();
    }

    /** A client of this server with its key pair, to read what jobs wrote. */
    public S3Client client() {
        return client;
    }

    public void createBucket(String bucket) {
        client.createBucket(b -> b.bucket(bucket));
    }

    public void put(String bucket, String key, byte[] content) {
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }

    public void put(String bucket, String key, Path file) {
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
    }

    @Override
    public void close() {
        client.close();
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
