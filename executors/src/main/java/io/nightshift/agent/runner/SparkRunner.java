package io.nightshift.agent.runner;

import io.nightshift.agent.process.GracefulStop;
import io.nightshift.agent.process.LaunchException;
import io.nightshift.agent.process.ProcessPlan;
import io.nightshift.agent.process.Supervisor;
import io.nightshift.agent.spark.SparkConfig;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.JobType;
import io.nightshift.api.spec.SparkSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.launcher.SparkAppHandle;
import org.apache.spark.launcher.SparkLauncher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spark} jobs: the driver runs through Spark's own {@link SparkLauncher#startApplication}, from one of the
 * agent's Spark homes ({@link SparkConfig}), in client mode, in the sandbox:
 * <ul>
 *   <li>{@code appResource}, {@code jars}, {@code files}, {@code pyFiles}: sandbox paths (artifacts), or URIs as given;</li>
 *   <li>{@code master}: the spec's, else {@code local[N]} with N the task's cpus rounded up;</li>
 *   <li>driver memory: {@code driverMemory}, else 75 % of {@code memMb} (at least 16 MiB);</li>
 *   <li>the driver JVM is told the task's cpus: {@code -XX:ActiveProcessorCount=<ceil(cpus)>} first in
 *       {@code spark.driver.extraJavaOptions}, unless the job's options set it;</li>
 *   <li>{@code spark.local.dir} in the sandbox ({@code spark-local/}); with {@code spark.eventLog.enabled=true} and
 *       no {@code spark.eventLog.dir}, the event log goes to the sandbox's {@code spark-events/};
 *       {@code spark.log.structuredLogging.enabled=false} unless the job sets it (plain log lines in stderr);</li>
 *   <li>the driver's stdout and stderr are the sandbox's; its environment is the task's only (the Spark home's
 *       {@code bin/spark-submit} re-execs itself with just the variables named in {@code NIGHTSHIFT_ENV_KEYS}),
 *       it joins the attempt's cgroups and leads a session of its own, and writes its pid to
 *       {@code spark-driver.pid} in the sandbox before it execs the driver JVM (same pid).</li>
 * </ul>
 * States: the handle's RUNNING is the task's RUNNING (reported when the driver started); the application id
 * and the driver UI URL (from the driver's "started at http://…" log line) are reported on the task as they are
 * learnt. The end: the driver JVM's exit, with its real exit code (the handle's {@link Process}, see
 * {@link #childProcess}); only with a launcher whose handle hides it, the handle's final state once the driver JVM is
 * gone: FINISHED → exit code 0, FAILED or KILLED → 1, LOST → unknown.
 * A Python application ({@code .py}, {@code pyFiles}) needs a Spark home with PySpark's Python side; without it the
 * launch fails saying so (the Spark home built from Maven Central has none).
 * Kill, max-runtime timeout and revocation alike (a revoked attempt is killed with its grace period after its
 * revoke deadline is written): {@code handle.stop()}, the grace period, {@code handle.kill()}, then the process tree kill (see
 * {@link GracefulStop}).
 */
public final class SparkRunner implements LaunchingRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SparkRunner.class);
    /** The sandbox file the driver's pid is written to. */
    public static final String PID_FILE = "spark-driver.pid";
    public static final String LOCAL_DIR = "spark-local";
    public static final String EVENT_LOG_DIR = "spark-events";
    /** How long start() waits for the driver's pid before giving up on the launch. */
    static final Duration PID_WAIT = Duration.ofSeconds(60);
    /** The driver's "Bound SparkUI to 0.0.0.0, and started at http://host:4040" line (Spark 3, some 4.x logs). */
    static final Pattern UI_URL = Pattern.compile("SparkUI.{0,200}?started at (https?://[^\\s\"',]+)");
    /** Spark 4.0's "Start Jetty 127.0.0.1:0 for SparkUI" and "Successfully started service 'SparkUI' on port 46583." */
    static final Pattern UI_HOST = Pattern.compile("Start Jetty ([^\\s:]+):[0-9]+ for SparkUI");
    static final Pattern UI_PORT = Pattern.compile("started service 'SparkUI' on port ([0-9]{1,5})");
    static final String DRIVER_JAVA_OPTIONS = "spark.driver.extraJavaOptions";
    private final SparkConfig config;

    public SparkRunner(SparkConfig config) {
        this.config = config;
    }

    @Override
    public JobType type() {
        return JobType.SPARK;
    }

    /** Everything checked and resolved; what {@link #start} hands to SparkLauncher. Pure apart from file checks. */
    record Resolved(Path sparkHome, Path javaHome, String master, String driverMemory, Path appResource, String mainClass,
                    List<String> appArgs, Map<String, String> conf, List<String> jars, List<String> files,
                    List<String> pyFiles, String appName) {
    }

    Resolved resolve(Launch launch, TaskContext ctx) throws LaunchException {
        JobSpec spec = launch.spec();
        SparkSpec s = spec.spark();
        Path home = config.home(s.sparkVersion());
        if (home == null) {
            throw new LaunchException(config.homes().isEmpty() ? "this agent has no Spark home (set agent.spark.homes)"
                    : "this agent has no Spark " + s.sparkVersion() + " (it has " + String.join(", ", config.homes().keySet()) + ")");
        }
        Path javaHome = config.javaHome() != null ? config.javaHome() : ctx.agentJavaHome();
        Path java = javaHome.resolve("bin").resolve("java");
        if (!Files.isExecutable(java)) throw new LaunchException("bad java home for Spark drivers '" + javaHome + "'");
        Path sandbox = ctx.sandboxDir();
        Path app = sandbox.resolve(s.appResource()).normalize();
        if (!app.startsWith(sandbox) || !Files.isRegularFile(app))
            throw new LaunchException("spark.appResource '" + s.appResource() + "' is not a file in the sandbox");
        if (python(s) && !hasPySpark(home))
            throw new LaunchException("spark.appResource '" + s.appResource() + "' is a Python application, but this agent's"
                    + " Spark home " + home + " has no PySpark (python/lib/pyspark.zip): the Spark home Nightshift builds from"
                    + " Maven Central has none, PySpark's Python side is published on PyPI only. Run it on an agent whose"
                    + " agent.spark.homes names a Spark distribution with python/, or submit a jar");
        String master = s.master() != null ? s.master() : "local[" + (int) Math.max(1, Math.ceil(spec.resources().cpus())) + "]";
        String driverMemory = s.driverMemory() != null ? s.driverMemory()
                : JvmRunner.heapMb(null, spec.resources().memMb()) + "m";
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.local.dir", sandbox.resolve(LOCAL_DIR).toString());
        conf.put("spark.log.structuredLogging.enabled", "false");
        conf.putAll(s.conf());
        String cpus = JvmRunner.activeProcessors(spec.resources().cpus());
        String driverOpts = conf.getOrDefault(DRIVER_JAVA_OPTIONS, "");
        if (!driverOpts.contains("-XX:ActiveProcessorCount=")) conf.put(DRIVER_JAVA_OPTIONS, (cpus + " " + driverOpts).strip());
        if ("true".equalsIgnoreCase(conf.get("spark.eventLog.enabled")) && !conf.containsKey("spark.eventLog.dir"))
            conf.put("spark.eventLog.dir", sandbox.resolve(EVENT_LOG_DIR).toUri().toString());
        return new Resolved(home, javaHome, master, driverMemory, app, s.mainClass(), s.appArgs(), conf,
                inSandbox(s.jars(), sandbox), inSandbox(s.files(), sandbox), inSandbox(s.pyFiles(), sandbox),
                spec.name() == null ? launch.jobId() : spec.name());
    }

    /** A PySpark application: a {@code .py} appResource or any {@code pyFiles}. */
    static boolean python(SparkSpec s) {
        return s.appResource().endsWith(".py") || !s.pyFiles().isEmpty();
    }

    /** The Python side of Spark, as a distribution lays it out ({@code python/lib/pyspark.zip} or {@code python/pyspark/}). */
    static boolean hasPySpark(Path home) {
        return Files.isRegularFile(home.resolve("python/lib/pyspark.zip")) || Files.isDirectory(home.resolve("python/pyspark"));
    }

    private static List<String> inSandbox(List<String> entries, Path sandbox) {
        List<String> out = new ArrayList<>();
        for (String e : entries) out.add(e.matches("[A-Za-z][A-Za-z0-9+.-]*:.*") ? e : sandbox.resolve(e).normalize().toString());
        return out;
    }

    /** The equivalent spark-submit command line (for the log and the checkpoint's plan). */
    @Override
    public ProcessPlan plan(Launch launch, TaskContext ctx) throws LaunchException {
        Resolved r = resolve(launch, ctx);
        List<String> argv = new ArrayList<>(List.of(r.sparkHome().resolve("bin/spark-submit").toString(),
                "--master", r.master(), "--deploy-mode", SparkSpec.CLIENT, "--name", r.appName(),
                "--driver-memory", r.driverMemory()));
        if (r.mainClass() != null) argv.addAll(List.of("--class", r.mainClass()));
        r.conf().forEach((k, v) -> argv.addAll(List.of("--conf", k + "=" + v)));
        if (!r.jars().isEmpty()) argv.addAll(List.of("--jars", String.join(",", r.jars())));
        if (!r.files().isEmpty()) argv.addAll(List.of("--files", String.join(",", r.files())));
        if (!r.pyFiles().isEmpty()) argv.addAll(List.of("--py-files", String.join(",", r.pyFiles())));
        argv.add(r.appResource().toString());
        argv.addAll(r.appArgs());
        Map<String, String> env = new LinkedHashMap<>(TaskEnvironment.of(launch, ctx));
        env.put("JAVA_HOME", r.javaHome().toString());
        env.put("SPARK_HOME", r.sparkHome().toString());
        if (config.hadoopConfDir() != null) env.put("HADOOP_CONF_DIR", config.hadoopConfDir().toString());
        return new ProcessPlan(argv, env, ctx.sandboxDir());
    }

    @Override
    public Supervisor.Started start(Launch launch, TaskContext ctx, ProcessPlan plan, Path stdout, Path stderr,
                                    List<Path> cgroupProcs, Path setsid, Consumer<io.nightshift.api.model.AppInfo> info) throws LaunchException {
        Resolved r = resolve(launch, ctx);
        Path sandbox = ctx.sandboxDir();
        Path pidFile = sandbox.resolve(PID_FILE);
        try {
            Files.createDirectories(sandbox.resolve(LOCAL_DIR));
            if (r.conf().getOrDefault("spark.eventLog.dir", "").startsWith(sandbox.toUri().toString()))
                Files.createDirectories(sandbox.resolve(EVENT_LOG_DIR));
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new LaunchException("cannot prepare the sandbox for the Spark driver: " + e.getMessage(), e);
        }
        Map<String, String> env = new LinkedHashMap<>(plan.env());
        env.put("NIGHTSHIFT_ENV_KEYS", String.join(" ", plan.env().keySet()));
        env.put("NIGHTSHIFT_SPARK_PID_FILE", pidFile.toString());
        if (!cgroupProcs.isEmpty())
            env.put("NIGHTSHIFT_CGROUP_PROCS", String.join(":", cgroupProcs.stream().map(Path::toString).toList()));
        if (setsid != null) env.put("NIGHTSHIFT_SETSID", setsid.toString());

        SparkLauncher l = new SparkLauncher(env)
                .setSparkHome(r.sparkHome().toString())
                .setJavaHome(r.javaHome().toString())
                .setMaster(r.master())
                .setDeployMode(SparkSpec.CLIENT)
                .setAppName(r.appName())
                .setAppResource(r.appResource().toString())
                .setConf(SparkLauncher.DRIVER_MEMORY, r.driverMemory())
                .directory(sandbox.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        if (r.mainClass() != null) l.setMainClass(r.mainClass());
        r.conf().forEach(l::setConf);
        r.jars().forEach(l::addJar);
        r.files().forEach(l::addFile);
        r.pyFiles().forEach(l::addPyFile);
        if (!r.appArgs().isEmpty()) l.addAppArgs(r.appArgs().toArray(String[]::new));

        String attempt = launch.attemptId();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Facts facts = new Facts(info);
        java.util.concurrent.atomic.AtomicReference<Process> driverRef = new java.util.concurrent.atomic.AtomicReference<>();
        SparkAppHandle handle;
        try {
            handle = l.startApplication(new SparkAppHandle.Listener() {
                @Override
                public void stateChanged(SparkAppHandle h) {
                    SparkAppHandle.State s = h.getState();
                    LOG.info("attempt {}: spark application {} is {}", attempt, h.getAppId() == null ? "-" : h.getAppId(), s);
                    if (h.getAppId() != null) facts.appId(h.getAppId());
                    if (s.isFinal() && driverRef.get() == null) ended.complete(null); // else the JVM's exit ends it
                }

                @Override
                public void infoChanged(SparkAppHandle h) {
                    if (h.getAppId() != null) facts.appId(h.getAppId());
                }
            });
        } catch (IOException | RuntimeException e) {
            throw new LaunchException("cannot start spark-submit: " + e.getMessage(), e);
        }
        Process driver = childProcess(handle);
        if (driver != null) {
            driverRef.set(driver);
            driver.onExit().thenRun(() -> ended.complete(null)); // the exit itself, not the handle's last state
        }
        long pid = awaitPid(pidFile, handle);
        if (pid > 0) LogWatch.follow(stderr, ended, text -> { // the UI URL is only in the driver's log
            String url = uiUrl(facts.seen(text));
            if (url != null) facts.uiUrl(url);
            return url != null;
        });
        SparkAppHandle h = handle;
        java.util.function.Supplier<Integer> exitCode = driver != null ? () -> driver.isAlive() ? null : driver.exitValue()
                : () -> exitCode(h.getState());
        return new Supervisor.Started(pid, ended, exitCode, driver != null, new GracefulStop() {
            @Override
            public boolean stop() {
                if (h.getState() == SparkAppHandle.State.UNKNOWN || h.getState().isFinal()) return false;
                h.stop();
                return true;
            }

            @Override
            public void kill() {
                h.kill();
            }
        });
    }

    /**
     * The driver JVM's {@link Process}, which SparkLauncher's handle holds but does not expose (its
     * {@code ChildProcAppHandle.childProc}; the Spark home's spark-submit execs the driver, so it is the driver JVM):
     * its exit code is the driver's real one, and its exit is noticed at once. Null when this launcher's handle has
     * no such field (another Spark release): then the handle's final state is all that is known.
     */
    static Process childProcess(SparkAppHandle handle) {
        for (Class<?> c = handle.getClass(); c != null; c = c.getSuperclass()) {
            try {
                java.lang.reflect.Field f = c.getDeclaredField("childProc");
                if (!Process.class.isAssignableFrom(f.getType())) return null;
                f.setAccessible(true);
                return (Process) f.get(handle);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.warn("cannot read the Spark driver's process from its handle ({}): its exit code will be 0 or 1", e.toString());
                return null;
            }
        }
        return null;
    }

    /** The handle's final state as an exit code: FINISHED 0, FAILED / KILLED 1, LOST (or not final) unknown. */
    static Integer exitCode(SparkAppHandle.State s) {
        return switch (s) {
            case FINISHED -> 0;
            case FAILED, KILLED -> 1;
            default -> null;
        };
    }

    /** Waits for the pid the Spark home's spark-submit writes before exec'ing the driver; 0 when it ended first. */
    private static long awaitPid(Path pidFile, SparkAppHandle handle) throws LaunchException {
        long deadline = System.nanoTime() + PID_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Long> pid = readPid(pidFile);
            if (pid.isPresent()) return pid.get();
            if (handle.getState().isFinal()) return 0;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                handle.kill();
                throw new LaunchException("interrupted while starting the Spark driver");
            }
        }
        handle.kill();
        throw new LaunchException("the Spark home's spark-submit wrote no pid within " + PID_WAIT.toSeconds()
                + " s (is it Nightshift's spark-home, which writes $NIGHTSHIFT_SPARK_PID_FILE?)");
    }

    static Optional<Long> readPid(Path pidFile) {
        try {
            String s = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
            return s.matches("[1-9][0-9]{0,9}") ? Optional.of(Long.parseLong(s)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The driver UI's URL in driver log text: the "started at" URL, else {@code http://<bind host>:<port>} from the
     * Jetty and service lines ({@code 0.0.0.0}: this machine's name). Null when not there (yet). Pure but for the
     * host name look-up.
     */
    static String uiUrl(String log) {
        Matcher m = UI_URL.matcher(log);
        if (m.find()) return m.group(1);
        Matcher port = UI_PORT.matcher(log);
        if (!port.find()) return null;
        Matcher host = UI_HOST.matcher(log);
        String h = host.find() ? host.group(1) : "0.0.0.0";
        if (h.equals("0.0.0.0")) {
            try {
                h = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                h = "127.0.0.1";
            }
        }
        return "http://" + h + ":" + port.group(1);
    }

    /** The application id and UI URL, each reported once when first learnt. */
    private static final class Facts {
        private final Consumer<io.nightshift.api.model.AppInfo> info;
        private String appId, uiUrl;
        /** Log text read so far that may still matter (the Jetty line comes before the port line), at most 64 KiB. */
        private final StringBuilder tail = new StringBuilder();

        synchronized String seen(String text) {
            tail.append(text);
            if (tail.length() > 65536) tail.delete(0, tail.length() - 65536);
            return tail.toString();
        }

        Facts(Consumer<io.nightshift.api.model.AppInfo> info) {
            this.info = info;
        }

        synchronized void appId(String id) {
            if (id.equals(appId)) return;
            appId = id;
            publish();
        }

        synchronized void uiUrl(String url) {
            if (url.equals(uiUrl)) return;
            uiUrl = url;
            publish();
        }

        private void publish() {
            info.accept(io.nightshift.api.model.AppInfo.spark(appId, uiUrl));
        }
    }
}
