package io.nightshift.agent.process;

import io.nightshift.api.Resources;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts attempts as supervised process trees. Each attempt:
 * <ul>
 *   <li>runs in its own session and process group: the JVM's child (never a group leader) execs
 *       {@code /usr/bin/setsid}, which calls setsid(2) and execs on without forking, so
 *       {@link Process#pid()} is the session leader;</li>
 *   <li>joins its cgroups before anything else runs: a tiny {@code /bin/sh} wrapper writes its own
 *       pid into each {@code cgroup.procs} and then {@code exec}s the real command, so no child
 *       can be forked outside the groups;</li>
 *   <li>carries {@code NIGHTSHIFT_ATTEMPT_ID=<id>} in its environment, inherited by every
 *       descendant;</li>
 *   <li>writes stdout and stderr straight to the sandbox files, so logs survive the agent.</li>
 * </ul>
 */
public final class Supervisor {
    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

    /** The environment variable that marks every process of an attempt. */
    public static final String MARKER_ENV = "NIGHTSHIFT_ATTEMPT_ID";

    /** $1.. are cgroup.procs files up to "--", the rest is the command to exec. */
    static final String JOIN_SCRIPT = "while [ \"$#\" -gt 0 ] && [ \"$1\" != -- ]; do "
            + "echo $$ > \"$1\" || echo \"nightshift: could not join cgroup $1\" >&2; shift; done; shift; exec \"$@\"";

    private final Isolation isolation;
    private final ProcTable procs;
    private final ScheduledExecutorService scheduler;

    public Supervisor(Isolation isolation, ProcTable procs, ScheduledExecutorService scheduler) {
        this.isolation = isolation;
        this.procs = procs;
        this.scheduler = scheduler;
    }

    public Isolation isolation() {
        return isolation;
    }

    /**
     * Starts {@code plan} for {@code attemptId} with {@code limits} applied. Blocks briefly (process
     * creation, cgroup set-up): call it off the event loop.
     */
    public SupervisedProcess start(String attemptId, ProcessPlan plan, Resources limits, Path stdout, Path stderr)
            throws LaunchException {
        String command = plan.argv().get(0);
        if (!Executables.isRunnable(command, plan.env().get("PATH"), plan.workDir()))
            throw new LaunchException("no such executable: '" + command + "' (not an executable file"
                    + (command.contains("/") ? ")" : " on the task's PATH)"));
        CgroupV1.Group group = null;
        if (isolation.cgroups() != null) {
            try {
                group = isolation.cgroups().create(attemptId, limits);
            } catch (IOException e) {
                throw new LaunchException("cannot create the attempt's cgroups: " + e.getMessage(), e);
            }
        }
        List<String> argv = commandLine(isolation.setsid(), group == null ? List.of() : group.procsFiles(), plan.argv());
        ProcessBuilder pb = new ProcessBuilder(argv)
                .directory(plan.workDir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(plan.env());
        env.put(MARKER_ENV, attemptId);
        Process p;
        try {
            p = pb.start();
        } catch (IOException | RuntimeException e) {
            if (group != null) group.remove();
            throw new LaunchException("cannot start '" + command + "': " + e.getMessage(), e);
        }
        ProcessTree tree = new ProcessTree(procs, attemptId, p.pid(), isolation.sessions(), group);
        LOG.info("attempt {}: started pid {} ({}) in {}", attemptId, p.pid(), isolation.describe(), plan.workDir());
        return new SupervisedProcess(attemptId, p, tree, group, scheduler);
    }

    /** The argv actually executed: {@code setsid -- [cgroup wrapper] command...}. Pure. */
    static List<String> commandLine(Path setsid, List<Path> procsFiles, List<String> command) {
        List<String> argv = new ArrayList<>();
        if (setsid != null) {
            argv.add(setsid.toString());
            argv.add("--");
        }
        if (!procsFiles.isEmpty()) {
            argv.addAll(List.of("/bin/sh", "-c", JOIN_SCRIPT, "nightshift-cgroup-join"));
            procsFiles.forEach(f -> argv.add(f.toString()));
            argv.add("--");
        }
        argv.addAll(command);
        return argv;
    }

    /**
     * Removes cgroups left by a previous run of this agent: those of attempts that {@code owned}
     * accepts (the agent passes "has a sandbox in my work dir", so agents sharing a host never touch
     * each other's groups) and that are not in {@code keep}. Groups that still hold processes stay
     * (and are reported).
     */
    public void removeStaleCgroups(Set<String> keep, Predicate<String> owned) {
        CgroupV1 cg = isolation.cgroups();
        if (cg == null) return;
        for (String id : cg.attemptIds()) {
            if (keep.contains(id) || !owned.test(id)) continue;
            CgroupV1.Group g = cg.existing(id);
            if (g.remove()) LOG.info("attempt {}: removed stale cgroups", id);
            else LOG.warn("attempt {}: stale cgroups still hold processes {}", id, g.pids());
        }
    }
}
