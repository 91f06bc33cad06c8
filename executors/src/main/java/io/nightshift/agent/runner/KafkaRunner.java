package io.nightshift.agent.runner;

import io.nightshift.agent.fetch.FetchConfig;
import io.nightshift.agent.process.LaunchException;
import io.nightshift.agent.process.ProcessPlan;
import io.nightshift.api.json.Json;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.spec.JobType;
import io.nightshift.api.spec.KafkaSpec;
import io.nightshift.connectors.sink.SinkTargets;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kafka} jobs: the consumer harness in a JVM of its own,
 * {@code <agent java> -Xmx<heap>m -cp <harness>:<kafka.classpath> io.nightshift.harness.kafka.HarnessMain}.
 * kafka-clients and the user's handler run in that task JVM only; the agent never loads them.
 * <ul>
 *   <li>harness: the agent setting {@code agent.kafka.harness-classpath}, else the harness this agent was built with
 *       (resource {@value #HARNESS_CLASSPATH_RESOURCE}, written by the kafka-harness module, plus the location of that
 *       resource itself);</li>
 *   <li>{@code kafka.classpath}: where the handler is, entries absolute or relative to the sandbox (a fetched
 *       artifact is one more entry);</li>
 *   <li>heap: {@code kafka.heapMb}, else 75 % of {@code memMb};</li>
 *   <li>environment: the task's, plus {@code NIGHTSHIFT_KAFKA_SPEC} (the kafka section as JSON),
 *       {@code NIGHTSHIFT_INSTANCE} and {@code NIGHTSHIFT_KILL_GRACE_MS} (what the harness has to commit and leave);
 *       for a sink on HDFS or S3 also the agent's clusters or store ({@code NIGHTSHIFT_SINK_*}, see
 *       {@link SinkTargets}; credentials only there, never in the spec).</li>
 * </ul>
 */
public final class KafkaRunner implements Runner {
    public static final String MAIN_CLASS = "io.nightshift.harness.kafka.HarnessMain";
    public static final String HARNESS_CLASSPATH_RESOURCE = "io/nightshift/harness/kafka/harness.classpath";

    private final String harnessClasspath;
    private final FetchConfig stores;

    private KafkaRunner(String harnessClasspath, FetchConfig stores) {
        this.harnessClasspath = harnessClasspath;
        this.stores = stores;
    }

    /** {@code configured} when set, else the harness on this agent's classpath, else none (launches fail clearly). */
    public static KafkaRunner withHarness(String configured) {
        return withHarness(configured, FetchConfig.DEFAULTS);
    }

    /**
     * As {@link #withHarness(String)}; a sink on {@code hdfs://} or {@code s3://} reaches the HDFS clusters and the S3
     * store (with its credentials) of {@code stores}, the agent's own settings ({@code agent.fetch.hdfs.*},
     * {@code agent.fetch.s3.*}).
     */
    public static KafkaRunner withHarness(String configured, FetchConfig stores) {
        return new KafkaRunner(configured != null && !configured.isBlank() ? configured : builtInHarness(), stores);
    }

    /** The harness classpath this runner puts first on a kafka task's command line; null when there is none. */
    public String harnessClasspath() {
        return harnessClasspath;
    }

    @Override
    public JobType type() {
        return JobType.KAFKA;
    }

    @Override
    public ProcessPlan plan(Launch launch, TaskContext ctx) throws LaunchException {
        if (harnessClasspath == null)
            throw new LaunchException("this agent has no Kafka harness: set agent.kafka.harness-classpath to the "
                    + "kafka-harness jar and its dependencies");
        KafkaSpec kafka = launch.spec().kafka();
        Path java = ctx.agentJavaHome().resolve("bin").resolve("java");
        Map<String, String> env = new LinkedHashMap<>(TaskEnvironment.of(launch, ctx));
        env.put("JAVA_HOME", ctx.agentJavaHome().toString());
        env.put("NIGHTSHIFT_KAFKA_SPEC", Json.write(kafka));
        env.put("NIGHTSHIFT_INSTANCE", String.valueOf(instanceOf(launch.taskId())));
        env.put("NIGHTSHIFT_KILL_GRACE_MS", String.valueOf(launch.spec().killGracePeriod().toMillis()));
        // only what the sink's scheme needs, from the agent's settings (never from the spec)
        env.putAll(SinkTargets.environment(kafka.sink(), stores.s3(), stores.hdfsConfDirs(), stores.hdfsUser()));
        return new ProcessPlan(argv(java, harnessClasspath, kafka, launch.spec().resources().memMb(), ctx.sandboxDir()),
                env, ctx.sandboxDir());
    }

    /** The full command line. Pure. */
    static List<String> argv(Path java, String harnessClasspath, KafkaSpec kafka, long memMb, Path sandbox) {
        List<String> argv = new ArrayList<>();
        argv.add(java.toString());
        argv.add("-Xmx" + JvmRunner.heapMb(kafka.heapMb(), memMb) + "m");
        argv.add("-Dlogback.configurationFile=io/nightshift/harness/kafka/logback.xml");
        argv.add("-cp");
        String user = kafka.classpath().isEmpty() ? "" : ":" + JvmRunner.classpath(kafka.classpath(), sandbox);
        argv.add(harnessClasspath + user);
        argv.add(MAIN_CLASS);
        return argv;
    }

    /** {@code <runId>.<instance>} → instance. */
    static int instanceOf(String taskId) {
        int dot = taskId == null ? -1 : taskId.lastIndexOf('.');
        try {
            return dot < 0 ? 0 : Integer.parseInt(taskId.substring(dot + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The harness jar (where the resource is) followed by its dependencies (the resource's content); null if absent. */
    static String builtInHarness() {
        ClassLoader cl = KafkaRunner.class.getClassLoader();
        URL url = cl.getResource(HARNESS_CLASSPATH_RESOURCE);
        if (url == null) return null;
        try (InputStream in = url.openStream()) {
            String deps = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return codeLocation(url) + (deps.isEmpty() ? "" : ":" + deps);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** jar:file:/x/h.jar!/io/... → /x/h.jar; file:/x/classes/io/... → /x/classes. */
    static String codeLocation(URL resource) {
        String s = resource.toString();
        try {
            if (s.startsWith("jar:")) {
                String jar = s.substring(4, s.indexOf("!/"));
                return Path.of(new java.net.URI(jar)).toString();
            }
            Path p = Path.of(resource.toURI());
            int depth = Path.of(HARNESS_CLASSPATH_RESOURCE).getNameCount();
            for (int i = 0; i < depth; i++) p = p.getParent();
            return p.toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the kafka harness from " + s, e);
        }
    }
}
