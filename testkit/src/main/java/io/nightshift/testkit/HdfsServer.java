package io.nightshift.testkit;

import io.nightshift.api.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real HDFS: Hadoop's shaded mini-cluster (one namenode, one datanode; from Maven Central) in a JVM
 * of its own, classpath from {@code servers/hdfs}, namenode on 127.0.0.1 and a free port (asked for
 * with port 0, read back from the details file the cluster writes). {@link #confDir()} holds a
 * {@code core-site.xml} naming it, for {@code agent.fetch.hdfs.conf-dirs}.
 */
public final class HdfsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HdfsServer.class);

    private final Process process;
    private final URI uri;
    private final Path confDir;
    private final FileSystem fs;

    private HdfsServer(Process process, URI uri, Path confDir) throws IOException {
        this.process = process;
        this.uri = uri;
        this.confDir = confDir;
        Configuration conf = new Configuration();
        conf.addResource(new org.apache.hadoop.fs.Path(confDir.resolve("core-site.xml").toUri()));
        this.fs = FileSystem.newInstance(uri, conf);
    }

    static String classpath() throws IOException {
        try (InputStream in = HdfsServer.class.getResourceAsStream("/io/nightshift/servers/hdfs.classpath")) {
            if (in == null) throw new IOException("io/nightshift/servers/hdfs.classpath is not on the classpath: "
                    + "build the servers/hdfs module");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    /** Starts the mini-cluster with its data under {@code dataDir}; returns once the namenode answers. */
    public static HdfsServer start(Path dataDir) throws IOException {
        Path data = Files.createDirectories(dataDir.toAbsolutePath().resolve("data"));
        Path details = dataDir.toAbsolutePath().resolve("details.json");
        Files.deleteIfExists(details);
        Path log = dataDir.toAbsolutePath().resolve("hdfs.log");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-XX:TieredStopAtLevel=1", "-Dtest.build.data=" + data, "-cp", classpath(),
                "org.apache.hadoop.test.MiniDFSClusterManager", "-datanodes", "1", "-nnport", "0", "-format",
                "-writeDetails", details.toString());
        Process p = new ProcessBuilder(cmd).directory(dataDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        try {
            while (!Files.exists(details) || Files.size(details) == 0) {
                if (!p.isAlive()) throw new IOException("the HDFS mini-cluster exited; see " + log);
                if (System.nanoTime() > deadline) throw new IOException("the HDFS mini-cluster did not start; see " + log);
                Thread.sleep(200);
            }
            int port = Json.mapper().readTree(Files.readString(details)).path("namenode_port").asInt();
            URI uri = URI.create("hdfs://127.0.0.1:" + port);
            Path conf = Files.createDirectories(dataDir.toAbsolutePath().resolve("conf"));
            Files.writeString(conf.resolve("core-site.xml"), """
                    <?xml version="1.0"?>
                    <configuration>
                      <property><name>fs.defaultFS</name><value>%s</value></property>
                      <property><name>dfs.client.use.datanode.hostname</name><value>false</value></property>
                    </configuration>
                    """.formatted(uri));
            LOG.info("HDFS mini-cluster (pid {}) at {}, data in {}", p.pid(), uri, data);
            return new HdfsServer(p, uri, conf);
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw e instanceof IOException io ? io : new IOException(e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** {@code hdfs://127.0.0.1:<port>} */
    public URI uri() {
        return uri;
    }

    /** A directory with the core-site.xml of this cluster. */
    public Path confDir() {
        return confDir;
    }

    /** A client of this cluster (closed with it), to read what jobs wrote. */
    public org.apache.hadoop.fs.FileSystem fileSystem() {
        return fs;
    }

    public void put(String path, byte[] content) throws IOException {
        try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(path), true)) {
            out.write(content);
        }
    }

    public void put(String path, Path file) throws IOException {
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(file.toUri()), new org.apache.hadoop.fs.Path(path));
    }

    @Override
    public void close() {
        try {
            fs.close();
        } catch (IOException e) {
            // stopping
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
