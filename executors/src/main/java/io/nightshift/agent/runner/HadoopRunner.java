package io.nightshift.agent.runner;

import io.nightshift.agent.process.LaunchException;
import io.nightshift.agent.process.ProcessPlan;
import io.nightshift.agent.spark.SparkConfig;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.spec.HadoopSpec;
import io.nightshift.api.spec.JobType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code hadoop} jobs, launched the way {@code hadoop jar <jar> <mainClass> <args>} does it, without a Hadoop
 * installation:
 * {@code <java> -Xmx<heap>m -XX:ActiveProcessorCount=<ceil(cpus)> -Dhadoop.tmp.dir=<sandbox>/hadoop-tmp -cp [<confDir>:]<jar>:<hadoop classpath> <mainClass>
 * [-D k=v ...] <args>}.
 * <ul>
 *   <li>the Hadoop classpath: {@code agent.hadoop.classpath}, else the default Spark home's {@code jars/*} (Hadoop's
 *       shaded client, which carries the local job runner and the YARN client);</li>
 *   <li>{@code agent.hadoop.conf-dir} first on the classpath and in {@code HADOOP_CONF_DIR}: with no
 *       {@code mapreduce.framework.name} there or in {@code conf}, the job runs in this JVM (the local job runner);</li>
 *   <li>{@code conf} entries are given as generic options ({@code -D k=v}) before the arguments, which a driver built
 *       on {@code ToolRunner} applies;</li>
 *   <li>heap: {@code heapMb}, else 75 % of {@code memMb};</li>
 *   <li>Hadoop's own log at INFO on stdout ({@code -Dorg.apache.logging.log4j.level=INFO}, Log4j 2's default
 *       configuration when the job brings none), as {@code hadoop jar} shows it: the job's progress and counters,
 *       and its "Running job: job_…" line, from which the job id is reported on the task.</li>
 * </ul>
 */
public final class HadoopRunner implements Runner {
    public static final String TMP_DIR = "hadoop-tmp";
    /** Log4j 2's level for its default configuration (console, stdout), used when the classpath has no log4j2 file. */
    static final String LOG_LEVEL = "org.apache.logging.log4j.level";
    /** org.apache.hadoop.mapreduce.Job's "Running job: job_local1234_0001" (also YARN's job_1764…_0001). */
    static final java.util.regex.Pattern JOB_ID = java.util.regex.Pattern.compile("Running job: (job_[A-Za-z0-9]+_[0-9]+)");
    private final SparkConfig config;

    public HadoopRunner(SparkConfig config) {
        this.config = config;
    }

    @Override
    public JobType type() {
        return JobType.HADOOP;
    }

    @Override
    public ProcessPlan plan(Launch launch, TaskContext ctx) throws LaunchException {
        HadoopSpec h = launch.spec().hadoop();
        String hadoopCp = config.hadoopClasspath();
        if (hadoopCp == null) {
            Path home = config.home(null);
            if (home == null)
                throw new LaunchException("this agent has no Hadoop client (set agent.hadoop.classpath or agent.spark.homes)");
            hadoopCp = home.resolve("jars") + "/*";
        }
        Path javaHome = config.javaHome() != null ? config.javaHome() : ctx.agentJavaHome();
        Path java = javaHome.resolve("bin").resolve("java");
        if (!Files.isExecutable(java)) throw new LaunchException("bad java home for Hadoop drivers '" + javaHome + "'");
        Path sandbox = ctx.sandboxDir();
        Path jar = sandbox.resolve(h.jar()).normalize();
        if (!jar.startsWith(sandbox) || !Files.isRegularFile(jar))
            throw new LaunchException("hadoop.jar '" + h.jar() + "' is not a file in the sandbox");
        List<String> argv = new ArrayList<>();
        argv.add(java.toString());
        argv.add("-Xmx" + (h.heapMb() != null ? h.heapMb() : JvmRunner.heapMb(null, launch.spec().resources().memMb())) + "m");
        argv.add(JvmRunner.activeProcessors(launch.spec().resources().cpus()));
        argv.add("-Dhadoop.tmp.dir=" + sandbox.resolve(TMP_DIR));
        argv.add("-D" + LOG_LEVEL + "=INFO");
        argv.add("-cp");
        argv.add((config.hadoopConfDir() == null ? "" : config.hadoopConfDir() + ":") + jar + ":" + hadoopCp);
        argv.add(h.mainClass());
        h.conf().forEach((k, v) -> {
            argv.add("-D");
            argv.add(k + "=" + v);
        });
        argv.addAll(h.args());
        Map<String, String> env = new LinkedHashMap<>(TaskEnvironment.of(launch, ctx));
        env.put("JAVA_HOME", javaHome.toString());
        if (config.hadoopConfDir() != null) env.put("HADOOP_CONF_DIR", config.hadoopConfDir().toString());
        return new ProcessPlan(argv, env, sandbox);
    }

    /** Reports the MapReduce job id once the driver logs it (the first job of a driver that runs several). */
    @Override
    public void watch(Launch launch, Path stdout, Path stderr, java.util.concurrent.CompletableFuture<?> ended,
                      java.util.function.Consumer<io.nightshift.api.model.AppInfo> info) {
        LogWatch.follow(stdout, ended, text -> {
            String id = jobId(text);
            if (id != null) info.accept(io.nightshift.api.model.AppInfo.hadoop(id));
            return id != null;
        });
    }

    /** The job id from the driver's whole log once it exited: a job that ends within the watch's first look keeps it. */
    @Override
    public io.nightshift.api.model.AppInfo atExit(Launch launch, Path stdout, Path stderr) {
        String id = jobIdIn(stdout);
        return id == null ? null : io.nightshift.api.model.AppInfo.hadoop(id);
    }

    /** The first job id in a log file, reading at most {@link LogWatch#MAX_BYTES}; null when none or unreadable. */
    static String jobIdIn(Path log) {
        try (java.io.BufferedReader in = Files.newBufferedReader(log, java.nio.charset.StandardCharsets.UTF_8)) {
            long read = 0;
            for (String line = in.readLine(); line != null && read < LogWatch.MAX_BYTES; line = in.readLine()) {
                read += line.length() + 1;
                if (line.contains("Running job: ")) {
                    String id = jobId(line);
                    if (id != null) return id;
                }
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // no log (never started) or not text: nothing to tell
        }
        return null;
    }

    /** The job id in driver log text, or null. Pure. */
    static String jobId(String log) {
        java.util.regex.Matcher m = JOB_ID.matcher(log);
        return m.find() ? m.group(1) : null;
    }
}
