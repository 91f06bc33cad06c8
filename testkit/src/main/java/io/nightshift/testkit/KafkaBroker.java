package io.nightshift.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker (the 4.x line, KRaft, one node that is both broker and controller, no ZooKeeper,
 * no Docker) in a child JVM of its own, started from Kafka's own server classes from Maven Central.
 *
 * <p>The child's classpath is the one {@code testkit-kafka} wrote at build time (resource
 * {@value #CLASSPATH_RESOURCE}), so Scala and the broker never load into the calling JVM. Start-up is the
 * one Kafka documents: {@code kafka.tools.StorageTool format --standalone} on a fresh directory with a new
 * cluster id, then {@code kafka.Kafka server.properties}. Both listeners bind 127.0.0.1 on ports the OS
 * handed out just before (a KRaft controller's address must be known when the storage is formatted, so
 * literal port 0 is not possible); a start that loses that race is retried on new ports.
 *
 * <p>Layout of {@code dir}: {@code server.properties}, {@code logback.xml}, {@code data/} (the log
 * directory), {@code broker.log} (the broker's own log), {@code console.log} (its stdout/stderr).
 */
public final class KafkaBroker implements AutoCloseable {
    public static final String CLASSPATH_RESOURCE = "io/nightshift/testkit/kafka/broker.classpath";
    private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final int ATTEMPTS = 3;

    private final Process process;
    private final String bootstrapServers;
    private final Path dir;

    private KafkaBroker(Process process, String bootstrapServers, Path dir) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.dir = dir;
    }

    /** Formats storage under {@code dir} (created; must be empty or absent) and starts the broker; returns once it serves. */
    public static KafkaBroker start(Path dir) {
        String classpath = classpath();
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Path d = attempt == 1 ? dir : dir.resolveSibling(dir.getFileName() + "-" + attempt);
            try {
                return startOnce(d, classpath);
            } catch (IllegalStateException e) {
                last = e;
                log.warn("kafka broker start {} of {} in {} failed: {}", attempt, ATTEMPTS, d, e.getMessage());
            }
        }
        throw last;
    }

    /** {@code host:port} of the PLAINTEXT listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Path dir() {
        return dir;
    }

    public long pid() {
        return process.pid();
    }

    /** An admin client on this broker with short, bounded timeouts. Close it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    /**
     * Creates a topic with {@code partitions} partitions (replication factor 1) and waits (30 s at most) until every
     * partition has a leader, so the first produce is not refused.
     */
    public void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                var d = admin.describeTopics(List.of(name)).allTopicNames().get(30, TimeUnit.SECONDS).get(name);
                if (d.partitions().size() == partitions && d.partitions().stream().allMatch(p -> p.leader() != null
                        && !p.leader().isEmpty())) break;
                if (System.nanoTime() > deadline) throw new TimeoutException("partitions of " + name + " have no leader");
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create topic " + name + ": " + e, e);
        }
    }

    /** SIGTERM (a controlled shutdown), then kill -9 after 20 s. */
    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    // ---- start-up ----------------------------------------------------------------------------

    /** The broker's classpath as written at build time. */
    static String classpath() {
        try (InputStream in = KafkaBroker.class.getClassLoader().getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + CLASSPATH_RESOURCE + " is missing: build the "
                        + "testkit-kafka module (./mvnw -pl testkit -am package) so the broker's classpath is known");
            }
            String cp = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            if (cp.isEmpty()) throw new IllegalStateException("resource " + CLASSPATH_RESOURCE + " is empty");
            return cp;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KafkaBroker startOnce(Path dir, String classpath) {
        try {
            Files.createDirectories(dir);
            int brokerPort = freePort(), controllerPort = freePort();
            while (controllerPort == brokerPort) controllerPort = freePort();
            Path props = dir.resolve("server.properties");
            Files.writeString(props, serverProperties(dir.resolve("data"), brokerPort, controllerPort));
            Path logback = dir.resolve("logback.xml");
            Files.writeString(logback, logbackXml(dir.resolve("broker.log")));
            Path console = dir.resolve("console.log");

            String clusterId = Uuid.randomUuid().toString();
            Process format = new ProcessBuilder(java(classpath, logback, "256m", "kafka.tools.StorageTool",
                    "format", "--standalone", "--ignore-formatted", "-t", clusterId, "-c", props.toString()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile())).start();
            if (!format.waitFor(60, TimeUnit.SECONDS)) {
                format.destroyForcibly();
                throw new IllegalStateException("formatting the broker's storage took more than 60 s; see " + console);
            }
            if (format.exitValue() != 0)
                throw new IllegalStateException("formatting the broker's storage failed (exit " + format.exitValue() + "); see " + console);

            Process p = new ProcessBuilder(java(classpath, logback, "768m", "kafka.Kafka", props.toString()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile())).start();
            String bootstrap = "127.0.0.1:" + brokerPort;
            KafkaBroker broker = new KafkaBroker(p, bootstrap, dir);
            try {
                broker.awaitReady();
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
            log.info("kafka broker ready bootstrap={} pid={} dir={}", bootstrap, p.pid(), dir);
            return broker;
        } catch (IOException e) {
            throw new IllegalStateException("could not start a kafka broker in " + dir + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting a kafka broker", e);
        }
    }

    /** Ready = the broker answers a metadata request listing itself. Bounded by {@link #START_TIMEOUT}. */
    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the kafka broker exited with " + process.exitValue()
                            + " while starting; see " + dir.resolve("broker.log"));
                }
                try {
                    if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) return;
                } catch (ExecutionException | TimeoutException e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline)
                    throw new IllegalStateException("the kafka broker did not serve within " + START_TIMEOUT + "; see "
                            + dir.resolve("broker.log"));
                Thread.sleep(200);
            }
        }
    }

    private static List<String> java(String classpath, Path logback, String heap, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=" + logback,
                // Kafka registers a log4j MBean through log4j-api; without log4j-core it would complain on stderr.
                "-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory",
                "-cp", classpath, mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static String serverProperties(Path dataDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.setProperty("log.dirs", dataDir.toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        // Tests form groups all the time: no 3 s wait for more members before the first assignment.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        StringBuilder sb = new StringBuilder("# written by Nightshift's testkit KafkaBroker\n");
        p.stringPropertyNames().stream().sorted().forEach(k -> sb.append(k).append('=').append(p.getProperty(k)).append('\n'));
        return sb.toString();
    }

    private static String logbackXml(Path file) {
        return """
                <configuration>
                  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
                    <file>%s</file>
                    <encoder><pattern>%%d{HH:mm:ss.SSS} %%-5level %%logger{36} - %%msg%%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="FILE"/></root>
                </configuration>
                """.formatted(file);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
