package io.nightshift.agent;

import io.nightshift.agent.process.LaunchException;
import io.nightshift.agent.process.ProcTable;
import io.nightshift.agent.process.ProcessPlan;
import io.nightshift.agent.process.SupervisedProcess;
import io.nightshift.agent.process.Supervisor;
import io.nightshift.agent.runner.Runners;
import io.nightshift.agent.runner.TaskContext;
import io.nightshift.agent.sandbox.Checkpoint;
import io.nightshift.agent.sandbox.Sandbox;
import io.nightshift.api.spec.ArtifactSpec;
import io.nightshift.connectors.fetch.FetchException;
import io.nightshift.connectors.stage.ArtifactStager;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attempts this agent knows, and each one's lifecycle:
 * <pre>
 *   launch ─▶ STAGING (sandbox made) ─▶ FETCHING (artifacts staged) ─▶ RUNNING (leader started)
 *                │                          │                                │
 *                ├─ sandbox/runner/exec ────┴─▶ FAILED/LAUNCH_FAILED         ├─ exit 0      ─▶ FINISHED/EXIT_CODE
 *                └─ artifact not fetched/unpacked ─▶ FAILED/FETCH_FAILED     │
 *                   failure                                                  ├─ exit N      ─▶ FAILED/EXIT_CODE
 *                                                                            ├─ max runtime ─▶ FAILED/TIMEOUT
 *                                                                            ├─ kill(R)     ─▶ KILLED/R
 *                                                                            └─ exit status ─▶ LOST/AGENT_LOST
 *                                                                               unknown (see Outcome)
 *
 *   agent start (recover): every sandbox whose checkpoint is not terminal
 *     leader alive, same start time ─▶ re-attached: RUNNING again (max runtime from the original start,
 *                                      a kill in progress resumed with what is left of its grace)
 *     leader gone                    ─▶ leftovers killed, then the terminal state from the exit file
 *     never started, was FETCHING    ─▶ leftovers killed, the fetch step again (staged artifacts kept, a
 *       (no pid, no exit file)          download in progress resumed from its bytes on disk), then on as usual
 *     never started (no pid)         ─▶ leftovers killed, then LOST/AGENT_LOST (or the exit file's verdict)
 * </pre>
 * When the leader exits, whatever is left of its tree is killed before the terminal state is
 * reported, so a reported terminal attempt holds no process and no cgroup. Launch is idempotent on
 * the attempt id, across restarts too. Each attempt keeps a {@link Checkpoint} in its sandbox: written
 * when the sandbox is made, once the leader runs (pid, start time) before RUNNING is reported, after
 * RUNNING is reported, when a kill is requested, and after the terminal update is journaled (so a
 * terminal checkpoint means "reported"). All blocking work runs on the {@code scheduler}; every public
 * method but {@link #recover()} returns at once.
 */
public final class Attempts {
    private static final Logger LOG = LoggerFactory.getLogger(Attempts.class);
    /** Threads of the fetch step (I/O-bound; shared by every Attempts in the JVM, at most 32 at once). */
    private static final java.util.concurrent.ThreadPoolExecutor FETCHES = new java.util.concurrent.ThreadPoolExecutor(32, 32,
            30, TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "nightshift-fetch");
                t.setDaemon(true);
                return t;
            });

    static {
        FETCHES.allowCoreThreadTimeOut(true);
    }

    private final Path sandboxesRoot;
    private final Runners runners;
    private final Supervisor supervisor;
    private final StatusSink sink;
    private final ScheduledExecutorService scheduler;
    private final Map<String, String> agentEnv;
    private final Path agentJavaHome;
    private final Clock clock;
    private final ArtifactStager stager;
    private final ConcurrentHashMap<String, Attempt> attempts = new ConcurrentHashMap<>();
    /** Attempts that had ended (and been reported) before this agent started: id → terminal state. */
    private final ConcurrentHashMap<String, TaskState> endedBefore = new ConcurrentHashMap<>();
    private volatile boolean shuttingDown;
    /** Told first when an attempt's leader exited, before its terminal state is reported (the last progress). */
    private volatile java.util.function.Function<ActiveSandbox, String> onLeaderExit = a -> null;

    public Attempts(Path sandboxesRoot, Runners runners, Supervisor supervisor, StatusSink sink,
                    ScheduledExecutorService scheduler, Map<String, String> agentEnv, Path agentJavaHome) {
        this(sandboxesRoot, runners, supervisor, sink, scheduler, agentEnv, agentJavaHome, Clock.systemUTC());
    }

    /** {@code clock}: wall-clock time for checkpoints (max runtime and kill deadlines across restarts). */
    public Attempts(Path sandboxesRoot, Runners runners, Supervisor supervisor, StatusSink sink,
                    ScheduledExecutorService scheduler, Map<String, String> agentEnv, Path agentJavaHome, Clock clock) {
        this(sandboxesRoot, runners, supervisor, sink, scheduler, agentEnv, agentJavaHome, clock, null);
    }

    /** {@code stager}: puts artifacts into sandboxes; null when this agent fetches none (a job with artifacts fails). */
    public Attempts(Path sandboxesRoot, Runners runners, Supervisor supervisor, StatusSink sink,
                    ScheduledExecutorService scheduler, Map<String, String> agentEnv, Path agentJavaHome, Clock clock,
                    ArtifactStager stager) {
        this.stager = stager;
        this.sandboxesRoot = sandboxesRoot;
        this.runners = runners;
        this.supervisor = supervisor;
        this.sink = sink;
        this.scheduler = scheduler;
        this.agentEnv = Map.copyOf(agentEnv);
        this.agentJavaHome = agentJavaHome;
        this.clock = clock;
    }

    private static final class Attempt {
        final Launch launch;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile TaskState state = TaskState.STAGING;
        // guarded by this:
        Sandbox sandbox;
        Reason killReason;
        Duration killGrace;
        Instant killDeadline;
        Instant startedAt;
        SupervisedProcess process;
        boolean exited;
        ScheduledFuture<?> timeout;
        /** The thread staging artifacts, while it does: a kill interrupts it. */
        Thread fetching;
        /** What a launcher library told about the running application (Spark: app id, UI URL); reported on RUNNING. */
        volatile io.nightshift.api.model.AppInfo info;
        /** Set for an attempt recovered with its leader gone: goes in front of the outcome's message. */
        String recoveryContext;

        Attempt(Launch launch) {
            this.launch = launch;
        }

        String id() {
            return launch.attemptId();
        }
    }

    /** Starts an attempt; false (and nothing happens) when the attempt id is already known. */
    public boolean launch(Launch launch) {
        String problem = launch.attemptId() == null ? "it has no attempt id"
                : !Sandbox.isValidAttemptId(launch.attemptId()) ? "invalid attempt id: must match " + Sandbox.ATTEMPT_ID.pattern()
                : launch.spec() == null ? "it has no job spec" : null;
        if (problem != null) {
            LOG.warn("launch refused (task {}): {}", launch.taskId(), problem);
            if (launch.attemptId() != null && !attempts.containsKey(launch.attemptId())) {
                Runnable refuse = () -> sink.report(launch.taskId(), launch.attemptId(), TaskState.FAILED,
                        Reason.LAUNCH_FAILED, null, "launch refused: " + problem);
                try {
                    scheduler.execute(refuse); // the journal writes to disk: keep it off the caller's (event-loop) thread
                } catch (RuntimeException e) {
                    refuse.run();
                }
            }
            return false;
        }
        TaskState before = endedBefore.get(launch.attemptId());
        if (before != null) {
            LOG.info("attempt {}: duplicate launch ignored (it ended {} before this agent started)", launch.attemptId(), before);
            return false;
        }
        Attempt a = new Attempt(launch);
        if (attempts.putIfAbsent(launch.attemptId(), a) != null) {
            LOG.info("attempt {}: duplicate launch ignored", launch.attemptId());
            return false;
        }
        LOG.info("attempt {}: launch (task {}, type {})", a.id(), launch.taskId(), launch.spec().type().wire());
        if (shuttingDown) {
            finish(a, TaskState.KILLED, Reason.AGENT_SHUTDOWN, null, "the agent is shutting down");
            return true;
        }
        try {
            scheduler.execute(() -> run(a));
        } catch (RuntimeException e) {
            finish(a, TaskState.KILLED, Reason.AGENT_SHUTDOWN, null, "the agent is shutting down");
        }
        return true;
    }

    /**
     * Kills an attempt's process tree: SIGTERM, {@code grace} (null: the job's kill grace period),
     * SIGKILL. False when the attempt is unknown or already ending.
     */
    public boolean kill(String attemptId, Duration grace, Reason reason) {
        Attempt a = attemptId == null ? null : attempts.get(attemptId);
        if (a == null) return false;
        return requestKill(a, grace, reason == null ? Reason.KILLED_BY_USER : reason);
    }

    private boolean requestKill(Attempt a, Duration grace, Reason reason) {
        Duration g = grace == null ? a.launch.spec().killGracePeriod() : grace;
        SupervisedProcess p;
        synchronized (a) {
            if (a.exited || a.state.isTerminal()) return false;
            if (a.killReason == null) {
                a.killReason = reason;
                a.killGrace = g;
                a.killDeadline = clock.instant().plus(g.isNegative() ? Duration.ZERO : g);
            }
            p = a.process;
            if (a.fetching != null) a.fetching.interrupt();
        }
        LOG.info("attempt {}: kill requested ({}, grace {})", a.id(), reason, g);
        if (reason == Reason.REVOKED) revoking(a, clock.instant().plus(g.isNegative() ? Duration.ZERO : g));
        checkpointLater(a);
        if (p != null) killTree(a, p, g);
        return true;
    }

    /**
     * A revoked attempt learns its deadline before the SIGTERM: {@code NIGHTSHIFT_REVOKE_DEADLINE=<instant>} is
     * written to the file its environment names ({@code NIGHTSHIFT_REVOKE_DEADLINE_FILE}), then its runner's hook runs.
     */
    private void revoking(Attempt a, Instant deadline) {
        Sandbox sb;
        synchronized (a) {
            sb = a.sandbox;
        }
        if (sb == null) return;
        java.nio.file.Path f = sb.dir().resolve(io.nightshift.agent.runner.TaskEnvironment.REVOKE_DEADLINE_FILE);
        try {
            java.nio.file.Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            Files.writeString(tmp, "NIGHTSHIFT_REVOKE_DEADLINE=" + deadline + "\n");
            Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            LOG.warn("attempt {}: cannot write its revoke deadline: {}", a.id(), e.toString());
        }
        try {
            runners.forType(a.launch.spec().type()).revoke(a.launch, sb.dir(), deadline);
        } catch (LaunchException | RuntimeException e) {
            LOG.warn("attempt {}: the runner's revoke hook failed: {}", a.id(), e.toString());
        }
    }

    private static void killTree(Attempt a, SupervisedProcess p, Duration grace) {
        p.killTree(grace).exceptionally(e -> {
            LOG.error("attempt {}: kill failed: {}", a.id(), e.toString());
            return 0;
        });
    }

    /** The attempt's last known state; empty when this agent does not know it. */
    public Optional<TaskState> state(String attemptId) {
        if (attemptId == null) return Optional.empty();
        Attempt a = attempts.get(attemptId);
        return a != null ? Optional.of(a.state) : Optional.ofNullable(endedBefore.get(attemptId));
    }

    /** Ids of attempts not yet in a terminal state. */
    public Set<String> active() {
        return attempts.values().stream().filter(a -> !a.state.isTerminal()).map(Attempt::id)
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Called on the scheduler once an attempt's leader exited and before its terminal state is reported, so what
     * the task wrote last (a kafka task's final progress) goes out ahead of its end. It may return why the task
     * failed in its own words (null: nothing to add), which goes at the end of the attempt's message. Must not
     * block for long.
     */
    public void onLeaderExit(java.util.function.Function<ActiveSandbox, String> hook) {
        this.onLeaderExit = hook;
    }

    /**
     * Pids of the living processes of every attempt not yet terminal (stale at once): from ONE reading of
     * {@code /proc} shared by all of them (a reading per attempt cost the agent about a sixth of its CPU under a
     * burst of short tasks), taken only when some attempt without cgroup members needs it (with cgroups, their
     * members: {@link SupervisedProcess#accountedMembers}).
     */
    public Set<Long> taskPids() {
        Set<Long> out = new java.util.HashSet<>();
        ProcTable.Snapshot[] shared = new ProcTable.Snapshot[1];
        for (Attempt a : attempts.values()) {
            if (a.state.isTerminal()) continue;
            SupervisedProcess p;
            synchronized (a) {
                p = a.process;
            }
            if (p == null) continue;
            out.addAll(p.accountedMembers(() -> shared[0] == null ? shared[0] = supervisor.freshSnapshot() : shared[0]));
        }
        return out;
    }

    /** A running attempt's task, job type and sandbox directory (for the progress reporter). */
    public record ActiveSandbox(String taskId, String attemptId, io.nightshift.api.spec.JobType type, Path dir) {
    }

    /** The attempts not yet terminal that have a sandbox. */
    public List<ActiveSandbox> activeSandboxes() {
        List<ActiveSandbox> out = new ArrayList<>();
        for (Attempt a : attempts.values()) {
            if (a.state.isTerminal()) continue;
            Sandbox sb;
            synchronized (a) {
                sb = a.sandbox;
            }
            if (sb != null) out.add(new ActiveSandbox(a.launch.taskId(), a.launch.attemptId(), a.launch.spec().type(), sb.dir()));
        }
        return out;
    }

    /** Completes when the attempt has reported its terminal state (at once for an unknown id). */
    public CompletableFuture<Void> done(String attemptId) {
        Attempt a = attempts.get(attemptId);
        return a == null ? CompletableFuture.completedFuture(null) : a.done;
    }

    /**
     * Refuses new launches and kills every active attempt with {@code reason}, each with its job's
     * kill grace period but at most {@code maxGrace}; completes when all have ended.
     */
    public CompletableFuture<Void> killAll(Reason reason, Duration maxGrace) {
        shuttingDown = true;
        List<Attempt> active = attempts.values().stream().filter(a -> !a.state.isTerminal()).toList();
        for (Attempt a : active) {
            Duration g = a.launch.spec().killGracePeriod();
            requestKill(a, g.compareTo(maxGrace) > 0 ? maxGrace : g, reason);
        }
        return CompletableFuture.allOf(active.stream().map(a -> a.done).toArray(CompletableFuture[]::new));
    }

    /**
     * Refuses new launches and stops supervising without touching any process: running attempts
     * keep running (their checkpoints say so) for the next agent on this work dir to re-attach.
     * Returns the ids of the attempts left running.
     */
    public Set<String> detach() {
        shuttingDown = true;
        Set<String> left = new TreeSet<>();
        for (Attempt a : attempts.values()) {
            synchronized (a) {
                if (a.timeout != null) a.timeout.cancel(false);
            }
            if (!a.state.isTerminal()) left.add(a.id());
        }
        return left;
    }

    /** Drops a finished attempt (its sandbox was garbage-collected). Active attempts are kept. */
    public void forget(String attemptId) {
        attempts.computeIfPresent(attemptId, (k, a) -> a.state.isTerminal() ? null : a);
        endedBefore.remove(attemptId);
    }

    // ---------------------------------------------------------------- recovery after an agent restart

    /**
     * Finds the attempts an earlier run of this agent left behind (sandboxes whose checkpoint is not
     * terminal) and takes them over: re-attaches to living leaders, collects the exit status of
     * those that ended meanwhile, cleans up after those that never started. Call once, before the
     * first launch and before registering (so {@code Register.running} and {@code reported} are
     * right). Blocks for the scan; the returned future completes once every attempt found ended has
     * reported its terminal state.
     */
    public CompletableFuture<Void> recover() {
        List<CompletableFuture<Void>> ending = new ArrayList<>();
        if (!Files.isDirectory(sandboxesRoot)) return CompletableFuture.completedFuture(null);
        int reattached = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(sandboxesRoot)) {
            for (Path dir : ds) {
                String id = dir.getFileName().toString();
                Optional<Sandbox> sb = Sandbox.open(sandboxesRoot, id);
                if (sb.isEmpty()) continue;
                try {
                    Attempt a = recover(sb.get());
                    if (a == null) continue;
                    if (a.recoveryContext != null) ending.add(a.done);
                    else reattached++;
                } catch (IOException | RuntimeException e) {
                    LOG.error("attempt {}: cannot recover it after the restart: {}", id, e.toString());
                }
            }
        } catch (IOException e) {
            LOG.error("cannot scan {} for attempts to recover: {}", sandboxesRoot, e.toString());
        }
        if (reattached + ending.size() > 0)
            LOG.info("recovery: re-attached {} running attempt(s); {} ended while the agent was down", reattached,
                    ending.size());
        return CompletableFuture.allOf(ending.toArray(CompletableFuture[]::new));
    }

    /** One sandbox; returns the attempt taken over, or null when there is nothing to do. */
    private Attempt recover(Sandbox sb) throws IOException {
        Optional<Checkpoint> found = sb.readCheckpoint();
        if (found.isEmpty()) return null; // made but never checkpointed: no process was started
        Checkpoint cp = found.get();
        if (cp.state().isTerminal()) {
            endedBefore.put(cp.attemptId(), cp.state());
            return null;
        }
        Launch launch;
        try {
            launch = sb.readLaunch();
        } catch (IOException | RuntimeException e) {
            // Without the launch there is no task id to report under: kill what is left and let the
            // coordinator's reconciliation call it LOST (it is neither running nor reported here).
            LOG.error("attempt {}: task.json unreadable ({}); killing what is left of it", cp.attemptId(), e.toString());
            SupervisedProcess p = supervisor.gone(cp.attemptId(), cp.pid(), cp.startTime());
            p.killTree(Duration.ZERO).thenCompose(n -> p.releaseCgroups()).whenComplete((ok, err) -> {
                try {
                    sb.writeCheckpoint(cp.withState(TaskState.LOST));
                } catch (IOException ex) {
                    LOG.warn("attempt {}: cannot write its checkpoint: {}", cp.attemptId(), ex.toString());
                }
            });
            return null;
        }
        Attempt a = new Attempt(launch);
        synchronized (a) {
            a.sandbox = sb;
            a.state = cp.state();
            a.startedAt = cp.startedAt();
            a.killReason = cp.killReason();
            a.killDeadline = cp.killDeadline();
            if (cp.killReason() != null) a.killGrace = remaining(cp.killDeadline());
        }
        if (attempts.putIfAbsent(a.id(), a) != null) return null;

        Optional<SupervisedProcess> alive = cp.started()
                ? supervisor.reattach(a.id(), cp.pid(), cp.startTime()) : Optional.empty();
        if (alive.isPresent()) {
            SupervisedProcess p = alive.get();
            synchronized (a) {
                a.process = p;
            }
            if (cp.state() != TaskState.RUNNING) {
                report(a, TaskState.RUNNING, "pid " + p.pid() + " (re-attached after an agent restart)");
                checkpoint(a);
            } else {
                a.state = TaskState.RUNNING;
                LOG.info("attempt {}: RUNNING again (re-attached to pid {} after an agent restart)", a.id(), p.pid());
            }
            armMaxRuntime(a);
            if (cp.killReason() != null) {
                Duration left = remaining(cp.killDeadline());
                LOG.info("attempt {}: resuming the kill ({}) begun before the restart; {} of grace left", a.id(),
                        cp.killReason(), left);
                killTree(a, p, left);
            }
            p.exit().whenCompleteAsync((code, err) -> onExit(a, p, sb, err == null ? code : null), scheduler);
        } else if (!cp.started() && cp.killReason() == null && !shuttingDown && sb.exitCode().isEmpty()
                && (cp.state() == TaskState.STAGING || cp.state() == TaskState.FETCHING)
                && !launch.spec().artifacts().isEmpty()) {
            // Killed while fetching: it is listed as running at registration, so the coordinator keeps it
            // (or kills it, if it is no longer wanted), and the fetch goes on from the bytes already on disk.
            SupervisedProcess leftovers = supervisor.gone(a.id(), cp.pid(), cp.startTime());
            LOG.info("attempt {}: was {} when the agent stopped; resuming the fetch", a.id(), cp.state());
            leftovers.killTree(Duration.ZERO).exceptionally(e -> 0).thenCompose(n -> leftovers.releaseCgroups())
                    .whenComplete((ok, err) -> fetchThenStart(a, sb));
        } else {
            SupervisedProcess p = supervisor.gone(a.id(), cp.pid(), cp.startTime());
            synchronized (a) {
                a.process = p;
                a.recoveryContext = cp.started() ? "ended while the agent was down"
                        : "the agent restarted while starting it";
            }
            LOG.info("attempt {}: {} (pid {}); collecting its exit status", a.id(), a.recoveryContext, cp.pid());
            scheduler.execute(() -> onExit(a, p, sb, null));
        }
        return a;
    }

    private Duration remaining(Instant deadline) {
        if (deadline == null) return Duration.ZERO;
        Duration d = Duration.between(clock.instant(), deadline);
        return d.isNegative() ? Duration.ZERO : d;
    }

    // ---------------------------------------------------------------- one attempt's run

    /**
     * The launch, as steps in order; each is safe to repeat (the sandbox is re-used, staged artifacts
     * are skipped, the plan is pure, start happens once per attempt), and each ends the attempt
     * itself when it fails (returning null/false).
     */
    private void run(Attempt a) {
        try {
            Sandbox sb = sandboxStep(a);
            if (sb == null) return;
            if (a.launch.spec().artifacts().isEmpty()) {
                if (fetchStep(a, sb)) planAndStart(a, sb);
                return;
            }
            fetchThenStart(a, sb);
        } catch (RuntimeException e) {
            failUnexpectedly(a, e);
        }
    }

    /**
     * Fetches on the fetch threads (they wait on the network for minutes, not the launch threads), then plans and
     * starts on the scheduler; an agent shutting down meanwhile ends the attempt KILLED.
     */
    private void fetchThenStart(Attempt a, Sandbox sb) {
        try {
            FETCHES.execute(() -> {
                if (!fetchStep(a, sb)) return;
                try {
                    scheduler.execute(() -> planAndStart(a, sb));
                } catch (RejectedExecutionException e) {
                    finish(a, TaskState.KILLED, Reason.AGENT_SHUTDOWN, null, "the agent is shutting down");
                }
            });
        } catch (RejectedExecutionException e) {
            finish(a, TaskState.KILLED, Reason.AGENT_SHUTDOWN, null, "the agent is shutting down");
        }
    }

    private void planAndStart(Attempt a, Sandbox sb) {
        try {
            ProcessPlan plan = planStep(a, sb);
            if (plan != null) startStep(a, sb, plan);
        } catch (RuntimeException e) {
            failUnexpectedly(a, e);
        }
    }

    private void failUnexpectedly(Attempt a, RuntimeException e) {
        LOG.error("attempt {}: launch failed unexpectedly: {}", a.id(), e.toString(), e);
        synchronized (a) {
            if (a.process != null) return; // the exit path reports
        }
        finish(a, TaskState.FAILED, Reason.LAUNCH_FAILED, null, "internal error: " + e);
    }

    /** Step 1, STAGING: the sandbox (created, or re-used when it exists) and its first checkpoint. */
    private Sandbox sandboxStep(Attempt a) {
        Sandbox sb;
        try {
            sb = Sandbox.create(sandboxesRoot, a.launch);
        } catch (IOException | RuntimeException e) {
            finish(a, TaskState.FAILED, Reason.LAUNCH_FAILED, null, "cannot create the sandbox: " + e.getMessage());
            return null;
        }
        synchronized (a) {
            a.sandbox = sb;
        }
        checkpoint(a);
        report(a, TaskState.STAGING, "sandbox " + sb.dir());
        return sb;
    }

    /** Step 2, FETCHING: every artifact into the sandbox (cache, checksum, safe extraction); FETCH_FAILED when one cannot be. */
    private boolean fetchStep(Attempt a, Sandbox sb) {
        List<ArtifactSpec> artifacts = a.launch.spec().artifacts();
        if (artifacts.isEmpty()) {
            report(a, TaskState.FETCHING, "no artifacts to fetch");
            return true;
        }
        FetchProgress progress = new FetchProgress(a);
        a.state = TaskState.FETCHING;
        String what = "fetching %d artifact%s".formatted(artifacts.size(), artifacts.size() == 1 ? "" : "s");
        LOG.info("attempt {}: {} ({})", a.id(), TaskState.FETCHING, what);
        sink.report(a.launch.taskId(), a.id(), TaskState.FETCHING, what, progress.snapshot());
        checkpoint(a);
        if (stager == null) {
            finish(a, TaskState.FAILED, Reason.FETCH_FAILED, null, "this agent is not set up to fetch artifacts");
            return false;
        }
        long t0 = System.nanoTime();
        FetchException failed = null;
        synchronized (a) {
            if (a.killReason == null) a.fetching = Thread.currentThread();
        }
        try {
            if (a.fetching != null) stager.stage(artifacts, sb.dir(), progress);
        } catch (FetchException e) {
            failed = e;
        } finally {
            synchronized (a) {
                a.fetching = null;
                Thread.interrupted(); // a kill's interrupt must not leak into the pool's next task
            }
        }
        synchronized (a) {
            if (failed != null && a.killReason == null) {
                finish(a, TaskState.FAILED, Reason.FETCH_FAILED, null, "cannot fetch " + failed.getMessage());
                return false;
            }
        }
        if (failed == null) {
            LOG.info("attempt {}: {} artifact(s) staged in {} ms", a.id(), artifacts.size(),
                    (System.nanoTime() - t0) / 1_000_000);
            synchronized (a) {
                if (a.killReason == null) progress.finished();
            }
        }
        synchronized (a) {
            if (a.killReason != null) {
                a.exited = true;
                Reason r = a.killReason;
                finish(a, r == Reason.TIMEOUT ? TaskState.FAILED : TaskState.KILLED, r, null, "killed while fetching");
                return false;
            }
        }
        return true;
    }

    /**
     * Progress of the fetch step, as FETCHING updates at most every 2 s ("app.jar (1/2): 12.0 of 200.0 MiB")
     * carrying the bytes done and total per artifact and overall ({@link io.nightshift.api.model.FetchProgress}),
     * and one last update once every artifact is in place.
     */
    private final class FetchProgress implements ArtifactStager.Progress {
        private final Attempt a;
        private final io.nightshift.api.model.FetchProgress.Artifact[] artifacts;
        private long lastNanos = System.nanoTime();

        FetchProgress(Attempt a) {
            this.a = a;
            List<ArtifactSpec> specs = a.launch.spec().artifacts();
            artifacts = new io.nightshift.api.model.FetchProgress.Artifact[specs.size()];
            for (int i = 0; i < artifacts.length; i++)
                artifacts[i] = new io.nightshift.api.model.FetchProgress.Artifact(specs.get(i).target(),
                        io.nightshift.api.spec.ArtifactRules.redact(specs.get(i).uri()), "waiting", 0, -1);
        }

        synchronized io.nightshift.api.model.FetchProgress snapshot() {
            return io.nightshift.api.model.FetchProgress.of(List.of(artifacts));
        }

        @Override
        public void update(int index, int count, String target, long done, long total) {
            synchronized (this) {
                var old = artifacts[index];
                artifacts[index] = new io.nightshift.api.model.FetchProgress.Artifact(old.target(), old.uri(), "fetching",
                        done, total);
            }
            long now = System.nanoTime();
            if (now - lastNanos < 2_000_000_000L) return;
            lastNanos = now;
            String of = total >= 0 ? " of %.1f MiB".formatted(total / 1048576.0) : "";
            sink.report(a.launch.taskId(), a.id(), TaskState.FETCHING,
                    "fetching %s (%d/%d): %.1f MiB%s".formatted(target, index + 1, count, done / 1048576.0, of), snapshot());
        }

        @Override
        public void staged(int index, int count, String target, long bytes, boolean downloaded) {
            synchronized (this) {
                var old = artifacts[index];
                long b = Math.max(0, bytes);
                artifacts[index] = new io.nightshift.api.model.FetchProgress.Artifact(old.target(), old.uri(),
                        downloaded ? "done" : "cached", b, b);
            }
        }

        /** The last FETCHING update: everything is in place. */
        void finished() {
            io.nightshift.api.model.FetchProgress p = snapshot();
            sink.report(a.launch.taskId(), a.id(), TaskState.FETCHING, "fetched %d artifact%s (%.1f MiB)".formatted(
                    artifacts.length, artifacts.length == 1 ? "" : "s", p.bytesDone() / 1048576.0), p);
        }
    }

    /** Step 3: the process plan of the job's type (pure; no side effects). */
    private ProcessPlan planStep(Attempt a, Sandbox sb) {
        try {
            return runners.forType(a.launch.spec().type()).plan(a.launch, new TaskContext(sb.dir(), agentEnv, agentJavaHome));
        } catch (LaunchException e) {
            finish(a, TaskState.FAILED, Reason.LAUNCH_FAILED, null, e.getMessage());
            return null;
        }
    }

    /** Step 4, RUNNING: starts the leader once (not when a kill came first), checkpoints it, then reports it. */
    private void startStep(Attempt a, Sandbox sb, ProcessPlan plan) {
        Launch l = a.launch;
        SupervisedProcess p;
        try {
            synchronized (a) {
                if (a.killReason != null) {
                    a.exited = true;
                } else if (a.process == null) {
                    io.nightshift.agent.runner.Runner runner = runners.forType(l.spec().type());
                    if (runner instanceof io.nightshift.agent.runner.LaunchingRunner lr) {
                        TaskContext ctx = new TaskContext(sb.dir(), agentEnv, agentJavaHome);
                        a.process = supervisor.startExternal(a.id(), l.spec().resources(), (procs, setsid) ->
                                lr.start(l, ctx, plan, sb.stdout(), sb.stderr(), procs, setsid, info -> info(a, info)));
                    } else {
                        a.process = supervisor.start(a.id(), plan, l.spec().resources(), sb.stdout(), sb.stderr(),
                                sb.exitFile());
                    }
                    a.startedAt = clock.instant();
                }
                p = a.process;
            }
        } catch (LaunchException e) {
            finish(a, TaskState.FAILED, Reason.LAUNCH_FAILED, null, e.getMessage());
            return;
        }
        if (p == null) {
            Reason r = a.killReason;
            finish(a, r == Reason.TIMEOUT ? TaskState.FAILED : TaskState.KILLED, r, null, "killed before it started");
            return;
        }
        checkpoint(a); // pid and start time on disk before anyone hears of RUNNING
        report(a, TaskState.RUNNING, "pid " + p.pid());
        io.nightshift.api.model.AppInfo info = a.info;
        if (info != null) sink.report(l.taskId(), a.id(), info.describe(), info);
        checkpoint(a);
        armMaxRuntime(a);
        try {
            runners.forType(l.spec().type()).watch(l, sb.stdout(), sb.stderr(), p.exit(), app -> info(a, app));
        } catch (LaunchException e) {
            // the runner was there a moment ago
        }
        p.exit().whenCompleteAsync((code, err) -> onExit(a, p, sb, err == null ? code : null), scheduler);
    }

    /** Schedules the max-runtime kill, counting from the leader's original start (also after a restart). */
    private void armMaxRuntime(Attempt a) {
        Duration maxRuntime = a.launch.spec().maxRuntime();
        if (maxRuntime == null || maxRuntime.isZero() || maxRuntime.isNegative()) return;
        synchronized (a) {
            Instant start = a.startedAt != null ? a.startedAt : clock.instant();
            long left = Math.max(0, Duration.between(clock.instant(), start.plus(maxRuntime)).toMillis());
            try {
                a.timeout = scheduler.schedule(() -> {
                    LOG.info("attempt {}: max runtime {} exceeded", a.id(), maxRuntime);
                    requestKill(a, null, Reason.TIMEOUT);
                }, left, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // stopping
            }
        }
    }

    /**
     * The leader ended. {@code exitCode}: what the JDK reported when we are its parent, else null
     * (then the exit file written by the wrapper tells, if it is there).
     */
    private void onExit(Attempt a, SupervisedProcess p, Sandbox sb, Integer exitCode) {
        Duration grace;
        synchronized (a) {
            a.exited = true;
            if (a.timeout != null) a.timeout.cancel(false);
            grace = a.killGrace != null ? a.killGrace : a.launch.spec().killGracePeriod();
        }
        OptionalInt recorded = sb.exitCode();
        Integer code = exitCode != null ? exitCode : recorded.isPresent() ? recorded.getAsInt() : null;
        LOG.info("attempt {}: leader pid {} ended with {}", a.id(), p.pid(), code == null ? "an unknown status" : code);
        String said = null;
        try {
            said = onLeaderExit.apply(new ActiveSandbox(a.launch.taskId(), a.launch.attemptId(), a.launch.spec().type(),
                    sb.dir()));
        } catch (RuntimeException e) {
            LOG.warn("attempt {}: after-exit hook failed: {}", a.id(), e.toString());
        }
        String taskSaid = said;
        try {
            io.nightshift.api.model.AppInfo last = runners.forType(a.launch.spec().type()).atExit(a.launch, sb.stdout(), sb.stderr());
            io.nightshift.api.model.AppInfo known = a.info;
            io.nightshift.api.model.AppInfo merged = known == null ? last : known.merge(last);
            if (merged != null && !merged.isEmpty() && !merged.equals(known)) info(a, merged);
        } catch (LaunchException | RuntimeException e) {
            LOG.warn("attempt {}: cannot read its log after the exit: {}", a.id(), e.toString());
        }
        if (code != null && recorded.isEmpty()) {
            try {
                sb.writeExitCode(code); // the wrapper was SIGKILLed before it could
            } catch (IOException e) {
                LOG.warn("attempt {}: cannot write the exit file: {}", a.id(), e.toString());
            }
        }
        // Nothing of the attempt may outlive its leader: kill leftovers (or join a kill in progress).
        p.killTree(grace)
                .exceptionally(e -> 0)
                .thenCompose(n -> {
                    boolean oom = p.oomKilled();
                    return p.releaseCgroups().exceptionally(e -> false).thenApply(released -> oom);
                })
                .whenComplete((oom, err) -> {
                    Reason cause;
                    String context;
                    synchronized (a) {
                        cause = a.killReason;
                        context = a.recoveryContext;
                    }
                    Outcome o = Outcome.of(code, cause, Boolean.TRUE.equals(oom));
                    if (context != null) o = o.in(context);
                    if (taskSaid != null && o.state() != TaskState.FINISHED) o = o.saying(taskSaid);
                    finish(a, o.state(), o.reason(), o.exitCode(), o.message());
                });
    }

    /** A fact about the running application: reported as a RUNNING update's message (kept until RUNNING is). */
    private void info(Attempt a, io.nightshift.api.model.AppInfo app) {
        a.info = app;
        LOG.info("attempt {}: {}", a.id(), app.describe());
        if (a.state == TaskState.RUNNING) sink.report(a.launch.taskId(), a.id(), app.describe(), app);
    }

    private void report(Attempt a, TaskState state, String message) {
        message = io.nightshift.api.spec.Redaction.scrub(message, a.launch.secrets().values());
        a.state = state;
        LOG.info("attempt {}: {} ({})", a.id(), state, message);
        sink.report(a.launch.taskId(), a.id(), state, null, null, message);
    }

    private void finish(Attempt a, TaskState state, Reason reason, Integer exitCode, String message) {
        message = io.nightshift.api.spec.Redaction.scrub(message, a.launch.secrets().values());
        synchronized (a) {
            a.exited = true;
            if (a.state.isTerminal()) return;
            a.state = state;
        }
        LOG.info("attempt {}: {} {} ({})", a.id(), state, reason, message);
        try {
            sink.report(a.launch.taskId(), a.id(), state, reason, exitCode, message);
            checkpoint(a); // only once the terminal update is journaled: a terminal checkpoint means "reported"
        } catch (RuntimeException e) {
            // Not journaled (disk full, agent stopping): the checkpoint stays non-terminal, so the next
            // agent start finds the attempt again and reports it then.
            LOG.error("attempt {}: cannot record its end ({}): {}", a.id(), state, e.toString());
        } finally {
            a.done.complete(null);
        }
    }

    /** Writes the attempt's checkpoint from its current state (no-op before its sandbox exists). Blocks briefly. */
    private void checkpoint(Attempt a) {
        synchronized (a) {
            if (a.sandbox == null) return;
            SupervisedProcess p = a.process;
            Checkpoint cp = new Checkpoint(a.id(), a.state, p == null ? 0 : p.pid(), p == null ? -1 : p.startTime(),
                    a.startedAt, a.killReason, a.killDeadline);
            try {
                a.sandbox.writeCheckpoint(cp);
            } catch (IOException | RuntimeException e) {
                LOG.warn("attempt {}: cannot write its checkpoint: {}", a.id(), e.toString());
            }
        }
    }

    /** {@link #checkpoint} on the scheduler (callers may be on an event loop). */
    private void checkpointLater(Attempt a) {
        try {
            scheduler.execute(() -> checkpoint(a));
        } catch (RejectedExecutionException e) {
            checkpoint(a);
        }
    }
}
