package io.nightshift.agent.runner;

import io.nightshift.agent.process.LaunchException;
import io.nightshift.agent.process.ProcessPlan;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.spec.JobType;
import io.nightshift.api.spec.JvmSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code jvm} jobs:
 * {@code <javaHome>/bin/java [-Xmx<heap>m] <jvmOptions> [-cp <classpath>] <mainClass> <args>}.
 * <ul>
 *   <li>javaHome: the spec's, else the agent's own {@code java.home};</li>
 *   <li>heap: {@code heapMb} if set, else 75 % of the job's {@code memMb} (at least 16 MiB); no
 *       {@code -Xmx} is added when a jvmOption already sets it ({@code -Xmx...} or
 *       {@code -XX:MaxHeapSize=...});</li>
 *   <li>classpath: entries joined with ':'; relative entries resolve against the sandbox.</li>
 * </ul>
 * {@code JAVA_HOME} in the task's environment is the java home used.
 */
public final class JvmRunner implements Runner {
    public static final long MIN_HEAP_MB = 16;

    @Override
    public JobType type() {
        return JobType.JVM;
    }

    @Override
    public ProcessPlan plan(Launch launch, TaskContext ctx) throws LaunchException {
        JvmSpec jvm = launch.spec().jvm();
        Path javaHome = jvm.javaHome() == null ? ctx.agentJavaHome() : Path.of(jvm.javaHome());
        Path java = javaHome.resolve("bin").resolve("java");
        if (!Files.isRegularFile(java) || !Files.isExecutable(java))
            throw new LaunchException("bad java home '" + javaHome + "': " + java + " is not an executable file");
        Map<String, String> env = new java.util.LinkedHashMap<>(TaskEnvironment.of(launch, ctx));
        env.put("JAVA_HOME", javaHome.toString());
        return new ProcessPlan(argv(java, jvm, launch.spec().resources().memMb(), launch.spec().args(), ctx.sandboxDir()),
                env, ctx.sandboxDir());
    }

    /** The full command line. Pure. */
    static List<String> argv(Path java, JvmSpec jvm, long memMb, List<String> args, Path sandbox) {
        List<String> argv = new ArrayList<>();
        argv.add(java.toString());
        if (jvm.jvmOptions().stream().noneMatch(o -> o.startsWith("-Xmx") || o.startsWith("-XX:MaxHeapSize=")))
            argv.add("-Xmx" + heapMb(jvm.heapMb(), memMb) + "m");
        argv.addAll(jvm.jvmOptions());
        if (!jvm.classpath().isEmpty()) {
            argv.add("-cp");
            argv.add(classpath(jvm.classpath(), sandbox));
        }
        argv.add(jvm.mainClass());
        argv.addAll(args);
        return argv;
    }

    /** {@code heapMb} when given, else 75 % of {@code memMb}, never below {@link #MIN_HEAP_MB}. */
    static long heapMb(Long heapMb, long memMb) {
        if (heapMb != null) return heapMb;
        return Math.max(MIN_HEAP_MB, memMb * 3 / 4);
    }

    /**
     * The JVM flag that tells a driver JVM how many processors it has: {@code -XX:ActiveProcessorCount=<ceil(cpus)>}
     * (at least 1), so its GC and JIT threads and its default parallelism follow the task's cpus, not a guess from
     * the cgroup's CFS quota or the machine's core count.
     */
    static String activeProcessors(double cpus) {
        return "-XX:ActiveProcessorCount=" + (int) Math.max(1, Math.ceil(cpus));
    }

    static String classpath(List<String> entries, Path sandbox) {
        List<String> resolved = new ArrayList<>();
        for (String e : entries) resolved.add(Path.of(e).isAbsolute() ? e : sandbox.resolve(e).normalize().toString());
        return String.join(":", resolved);
    }
}
