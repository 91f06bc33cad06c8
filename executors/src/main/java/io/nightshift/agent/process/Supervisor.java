package io.nightshift.agent.process;

import io.nightshift.api.Resources;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts attempts as supervised process trees, and finds them again after an agent restart. Each
 * attempt:
 * <ul>
 *   <li>runs in its own session and process group: the JVM's child (never a group leader) execs
 *       {@code /usr/bin/setsid}, which calls setsid(2) and execs on without forking, so
 *       {@link Process#pid()} is the session leader;</li>
 *   <li>is led by a tiny {@code /bin/sh} wrapper ({@link #WRAPPER_SCRIPT}, the leader): it joins the
 *       attempt's cgroups before anything else runs (writes its own pid into each
 *       {@code cgroup.procs}, so no child can be forked outside the groups), runs the real command as
 *       its only child ({@code ( exec "$@" )}: PATH lookup, never a shell builtin), waits for it, and
 *       writes the child's exit status to the sandbox's {@code exit} file before exiting with that
 *       same status: one shell redirection, no temp file and no {@code mv} (that was a fork and an
 *       exec per task). The status is one line written by one write(2) of at most four bytes; a
 *       reader ({@code Sandbox#exitCode}) accepts the file only when it holds a whole line, so a
 *       wrapper killed between the open and the write (an empty file) counts as one that wrote
 *       nothing. That file is how an agent that is not the
 *       leader's parent (it restarted) learns the exit code. The wrapper catches SIGTERM, SIGINT and
 *       SIGHUP (a caught signal is reset to the default in the child, an ignored one would not be),
 *       so a tree kill, which signals every member of the session, ends the child while the wrapper
 *       lives on to record its status; a signal that arrives before the command started skips it
 *       and records 128+N. The child is in the wrapper's session and process group. Exit statuses
 *       keep their meaning: the wrapper exits with the child's status, 128+N when signal N killed
 *       the child; a SIGKILLed wrapper writes nothing (the agent, if it is the parent, writes what
 *       the JDK reports);</li>
 *   <li>carries {@code NIGHTSHIFT_ATTEMPT_ID=<id>} in its environment, inherited by every
 *       descendant;</li>
 *   <li>writes stdout and stderr straight to the sandbox files, so logs survive the agent.</li>
 * </ul>
 * Nothing here ties a task's life to the agent's: the agent JVM can die and the tree runs on, to be
 * {@linkplain #reattach re-attached} by the next agent by pid and start time.
 */
public final class Supervisor {
    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

    /** The environment variable that marks every process of an attempt. */
    public static final String MARKER_ENV = "NIGHTSHIFT_ATTEMPT_ID";

    /**
     * The leader of every attempt. {@code $1} is the exit file; {@code $2..} are cgroup.procs files up
     * to "--"; the rest is the command. Its shell variables are prefixed {@code _ns_} (a job that sets
     * such a variable in its env only confuses its own wrapper).
     */
    static final String WRAPPER_SCRIPT = String.join("\n",
            "_ns_sig=; trap '_ns_sig=143' TERM; trap '_ns_sig=130' INT; trap '_ns_sig=129' HUP",
            "_ns_exit=$1; shift",
            "while [ \"$#\" -gt 0 ] && [ \"$1\" != -- ]; do",
            "  echo $$ > \"$1\" || echo \"nightshift: could not join cgroup $1\" >&2; shift",
            "done; shift",
            "if [ -z \"$_ns_sig\" ]; then ( exec \"$@\" ); _ns_code=$?; else _ns_code=$_ns_sig; fi",
            "printf '%s\\n' \"$_ns_code\" > \"$_ns_exit\"",
            "exit \"$_ns_code\"");
    /** {@code $0} of the wrapper, as {@code ps} shows it. */
    static final String WRAPPER_NAME = "nightshift-wrapper";
    /** How often a re-attached leader (not our child: no exit notification) is looked up in /proc. */
    static final long REATTACHED_POLL_MS = 200;

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

    /** One reading of {@code /proc} that began after this call, for {@link SupervisedProcess#members(ProcTable.Snapshot)}. */
    public ProcTable.Snapshot freshSnapshot() {
        return procs.freshSnapshot();
    }

    /**
     * Starts {@code plan} for {@code attemptId} with {@code limits} applied; the wrapper records the
     * exit status in {@code exitFile}. Blocks briefly (process creation, cgroup set-up): call it off
     * the event loop.
     */
    public SupervisedProcess start(String attemptId, ProcessPlan plan, Resources limits, Path stdout, Path stderr,
                                   Path exitFile) throws LaunchException {
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
        List<String> argv = commandLine(isolation.setsid(), exitFile, group == null ? List.of() : group.procsFiles(),
                plan.argv());
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
        // The start time is read at once: the pid cannot be recycled before the JDK reaps it. A leader
        // that is already gone gets -1, which never matches, so a restarted agent treats it as ended.
        long startTime = procs.startTimeOfLiving(p.pid()).orElse(-1);
        ProcessTree tree = new ProcessTree(procs, attemptId, p.pid(), startTime, isolation.sessions(), group);
        LOG.info("attempt {}: started pid {} ({}) in {}", attemptId, p.pid(), isolation.describe(), plan.workDir());
        return new SupervisedProcess(attemptId, p.pid(), startTime, tree, group, scheduler,
                p.onExit().thenApply(Process::exitValue));
    }

    /**
     * What an {@link ExternalStart} started: the leader's pid (0 when it ended before its pid was known), a future
     * that completes when the library says the application has ended, the exit code to report then (read once the
     * leader is gone from /proc; null when unknown), whether that code is the leader's own (read from its
     * {@link Process}, so final as soon as it is gone; otherwise the library's verdict, which may still change just
     * after the exit), and how to ask it to stop.
     */
    public record Started(long pid, CompletableFuture<?> ended, java.util.function.Supplier<Integer> exitCode,
                          boolean exitCodeOfProcess, GracefulStop gracefulStop) {
        /** With the library's verdict as the exit code. */
        public Started(long pid, CompletableFuture<?> ended, java.util.function.Supplier<Integer> exitCode,
                       GracefulStop gracefulStop) {
            this(pid, ended, exitCode, false, gracefulStop);
        }
    }

    /**
     * Starts an attempt's leader through a launcher library (SparkLauncher) instead of a {@link ProcessPlan}. It is
     * given the cgroup.procs files the leader must join before it runs anything and the setsid(1) to lead its own
     * session with (null: none); it returns once the leader's pid is known.
     */
    @FunctionalInterface
    public interface ExternalStart {
        Started start(List<Path> cgroupProcsFiles, Path setsid) throws LaunchException;
    }

    /**
     * Starts an attempt with {@code start} and supervises it like one of {@link #start}: its tree (session, cgroups,
     * marker environment), its kill, its cgroups. {@link SupervisedProcess#exit()} completes with the verdict's code
     * once the verdict is in <em>and</em> the leader is gone from /proc (a library reports an end before its
     * process has ended). Blocks while {@code start} does: call it off the event loop.
     */
    public SupervisedProcess startExternal(String attemptId, Resources limits, ExternalStart start) throws LaunchException {
        CgroupV1.Group group = null;
        if (isolation.cgroups() != null) {
            try {
                group = isolation.cgroups().create(attemptId, limits);
            } catch (IOException e) {
                throw new LaunchException("cannot create the attempt's cgroups: " + e.getMessage(), e);
            }
        }
        Started s;
        try {
            s = start.start(group == null ? List.of() : group.procsFiles(), isolation.setsid());
        } catch (LaunchException | RuntimeException e) {
            if (group != null) group.remove();
            throw e;
        }
        long startTime = s.pid() > 0 ? procs.startTimeOfLiving(s.pid()).orElse(-1) : -1;
        ProcessTree tree = new ProcessTree(procs, attemptId, s.pid(), startTime, isolation.sessions() && s.pid() > 0, group);
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        s.ended().whenComplete((v, err) -> awaitGone(s.pid(), startTime, exit, s.exitCode(), s.exitCodeOfProcess(), false));
        LOG.info("attempt {}: started pid {} through a launcher ({})", attemptId, s.pid(), isolation.describe());
        return new SupervisedProcess(attemptId, s.pid(), startTime, tree, group, scheduler, exit, s.gracefulStop());
    }

    /**
     * Polls until the leader is gone, then once more (the library notes the exit status just after reaping it),
     * unless the code is the process's own: then it is final as soon as the leader is gone.
     */
    private void awaitGone(long pid, long startTime, CompletableFuture<Integer> exit,
                           java.util.function.Supplier<Integer> code, boolean ofProcess, boolean gone) {
        boolean nowGone = gone || pid <= 0 || !procs.isSameLivingProcess(pid, startTime);
        if (gone || (nowGone && ofProcess)) {
            Integer c;
            try {
                c = code.get();
            } catch (RuntimeException e) {
                c = null;
            }
            exit.complete(c);
            return;
        }
        try {
            scheduler.schedule(() -> awaitGone(pid, startTime, exit, code, ofProcess, nowGone), REATTACHED_POLL_MS,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            exit.complete(null);
        }
    }

    /**
     * Supervises again an attempt started by an earlier run of this agent: present when {@code pid} is
     * alive (not a zombie), started at {@code startTime} (field 22 of {@code /proc/<pid>/stat}, so a
     * recycled pid never matches) and carries the attempt's marker in its environment. The leader is
     * not our child, so its end is noticed by polling {@code /proc} every {@value #REATTACHED_POLL_MS}
     * ms ({@link ProcessHandle#onExit()} would work for a non-child too, but it polls at up to 5 s
     * intervals and counts a zombie as alive; PID 1 may reap orphans late). Its
     * {@link SupervisedProcess#exit()} completes with {@code null}: the status is in the exit file.
     */
    public Optional<SupervisedProcess> reattach(String attemptId, long pid, long startTime) {
        if (pid <= 0 || !procs.isSameLivingProcess(pid, startTime) || !procs.hasEnvEntry(pid, MARKER_ENV, attemptId))
            return Optional.empty();
        CgroupV1.Group group = existingGroup(attemptId);
        ProcessTree tree = new ProcessTree(procs, attemptId, pid, startTime, isolation.sessions(), group);
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        pollLeader(pid, startTime, exit);
        LOG.info("attempt {}: re-attached to pid {} (start time {})", attemptId, pid, startTime);
        return Optional.of(new SupervisedProcess(attemptId, pid, startTime, tree, group, scheduler, exit));
    }

    /**
     * An attempt of an earlier run of this agent whose leader is gone ({@code pid} dead or recycled,
     * or {@code pid <= 0}: never started as far as the checkpoint knows). What may be left of its tree
     * (cgroup members, processes carrying its marker, its session while the session id is not reused)
     * can still be killed and its cgroups released; {@link SupervisedProcess#exit()} has completed with
     * {@code null}.
     */
    public SupervisedProcess gone(String attemptId, long pid, long startTime) {
        CgroupV1.Group group = existingGroup(attemptId);
        ProcessTree tree = new ProcessTree(procs, attemptId, pid, startTime, isolation.sessions() && pid > 0, group);
        return new SupervisedProcess(attemptId, pid, startTime, tree, group, scheduler,
                CompletableFuture.completedFuture(null));
    }

    private CgroupV1.Group existingGroup(String attemptId) {
        if (isolation.cgroups() == null) return null;
        CgroupV1.Group g = isolation.cgroups().existing(attemptId);
        return g.isEmpty() ? null : g;
    }

    private void pollLeader(long pid, long startTime, CompletableFuture<Integer> exit) {
        if (!procs.isSameLivingProcess(pid, startTime)) {
            exit.complete(null);
            return;
        }
        try {
            scheduler.schedule(() -> pollLeader(pid, startTime, exit), REATTACHED_POLL_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the agent is stopping; the next one re-attaches
        }
    }

    /** The argv actually executed: {@code setsid -- /bin/sh -c WRAPPER nightshift-wrapper exitFile [procs...] -- command...}. Pure. */
    static List<String> commandLine(Path setsid, Path exitFile, List<Path> procsFiles, List<String> command) {
        List<String> argv = new ArrayList<>();
        if (setsid != null) {
            argv.add(setsid.toString());
            argv.add("--");
        }
        argv.addAll(List.of("/bin/sh", "-c", WRAPPER_SCRIPT, WRAPPER_NAME, exitFile.toString()));
        procsFiles.forEach(f -> argv.add(f.toString()));
        argv.add("--");
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
