package io.nightshift.agent;

import io.nightshift.agent.process.LaunchException;
import io.nightshift.agent.process.ProcessPlan;
import io.nightshift.agent.process.SupervisedProcess;
import io.nightshift.agent.process.Supervisor;
import io.nightshift.agent.runner.Runners;
import io.nightshift.agent.runner.TaskContext;
import io.nightshift.agent.sandbox.Sandbox;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attempts this agent knows, and each one's lifecycle:
 * <pre>
 *   launch ─▶ STAGING (sandbox made) ─▶ FETCHING (artifacts; none yet) ─▶ RUNNING (leader started)
 *                │                          │                                │
 *                └─ sandbox/runner/exec ────┴─▶ FAILED/LAUNCH_FAILED         ├─ exit 0      ─▶ FINISHED/EXIT_CODE
 *                   failure                                                  ├─ exit N      ─▶ FAILED/EXIT_CODE
 *                                                                            ├─ max runtime ─▶ FAILED/TIMEOUT
 *                                                                            └─ kill(R)     ─▶ KILLED/R
 * </pre>
 * When the leader exits, whatever is left of its tree is killed before the terminal state is
 * reported, so a reported terminal attempt holds no process and no cgroup. Launch is idempotent on
 * the attempt id. All blocking work runs on the {@code scheduler}; every public method returns at once.
 */
public final class Attempts {
    private static final Logger LOG = LoggerFactory.getLogger(Attempts.class);

    private final Path sandboxesRoot;
    private final Runners runners;
    private final Supervisor supervisor;
    private final StatusSink sink;
    private final ScheduledExecutorService scheduler;
    private final Map<String, String> agentEnv;
    private final Path agentJavaHome;
    private final ConcurrentHashMap<String, Attempt> attempts = new ConcurrentHashMap<>();
    private volatile boolean shuttingDown;

    public Attempts(Path sandboxesRoot, Runners runners, Supervisor supervisor, StatusSink sink,
                    ScheduledExecutorService scheduler, Map<String, String> agentEnv, Path agentJavaHome) {
        this.sandboxesRoot = sandboxesRoot;
        this.runners = runners;
        this.supervisor = supervisor;
        this.sink = sink;
        this.scheduler = scheduler;
        this.agentEnv = Map.copyOf(agentEnv);
        this.agentJavaHome = agentJavaHome;
    }

    private static final class Attempt {
        final Launch launch;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile TaskState state = TaskState.STAGING;
        // guarded by this:
        Reason killReason;
        Duration killGrace;
        SupervisedProcess process;
        boolean exited;
        ScheduledFuture<?> timeout;

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
            }
            p = a.process;
        }
        LOG.info("attempt {}: kill requested ({}, grace {})", a.id(), reason, g);
        if (p != null) {
            p.killTree(g).exceptionally(e -> {
                LOG.error("attempt {}: kill failed: {}", a.id(), e.toString());
                return 0;
            });
        }
        return true;
    }

    /** The attempt's last known state; empty when this agent does not know it. */
    public Optional<TaskState> state(String attemptId) {
        Attempt a = attemptId == null ? null : attempts.get(attemptId);
        return a == null ? Optional.empty() : Optional.of(a.state);
    }

    /** Ids of attempts not yet in a terminal state. */
    public Set<String> active() {
        return attempts.values().stream().filter(a -> !a.state.isTerminal()).map(Attempt::id)
                .collect(Collectors.toUnmodifiableSet());
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

    /** Drops a finished attempt (its sandbox was garbage-collected). Active attempts are kept. */
    public void forget(String attemptId) {
        attempts.computeIfPresent(attemptId, (k, a) -> a.state.isTerminal() ? null : a);
    }

    private void run(Attempt a) {
        Launch l = a.launch;
        try {
            Sandbox sb;
            try {
                sb = Sandbox.create(sandboxesRoot, l);
            } catch (IOException | RuntimeException e) {
                finish(a, TaskState.FAILED, Reason.LAUNCH_FAILED, null, "cannot create the sandbox: " + e.getMessage());
                return;
            }
            report(a, TaskState.STAGING, "sandbox " + sb.dir());
            report(a, TaskState.FETCHING, "no artifacts to fetch");
            ProcessPlan plan;
            SupervisedProcess p;
            try {
                plan = runners.forType(l.spec().type()).plan(l, new TaskContext(sb.dir(), agentEnv, agentJavaHome));
                synchronized (a) {
                    if (a.killReason != null) {
                        a.exited = true;
                    } else {
                        a.process = supervisor.start(a.id(), plan, l.spec().resources(), sb.stdout(), sb.stderr());
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
            report(a, TaskState.RUNNING, "pid " + p.pid());
            Duration maxRuntime = l.spec().maxRuntime();
            if (maxRuntime != null && !maxRuntime.isZero() && !maxRuntime.isNegative()) {
                synchronized (a) {
                    a.timeout = scheduler.schedule(() -> {
                        LOG.info("attempt {}: max runtime {} exceeded", a.id(), maxRuntime);
                        requestKill(a, null, Reason.TIMEOUT);
                    }, maxRuntime.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            p.exit().whenCompleteAsync((code, err) -> onExit(a, p, sb, err == null ? code : -1), scheduler);
        } catch (RuntimeException e) {
            LOG.error("attempt {}: launch failed unexpectedly: {}", a.id(), e.toString(), e);
            synchronized (a) {
                if (a.process != null) return; // the exit path reports
            }
            finish(a, TaskState.FAILED, Reason.LAUNCH_FAILED, null, "internal error: " + e);
        }
    }

    private void onExit(Attempt a, SupervisedProcess p, Sandbox sb, int exitCode) {
        Duration grace;
        synchronized (a) {
            a.exited = true;
            if (a.timeout != null) a.timeout.cancel(false);
            grace = a.killGrace != null ? a.killGrace : a.launch.spec().killGracePeriod();
        }
        LOG.info("attempt {}: leader pid {} exited with {}", a.id(), p.pid(), exitCode);
        try {
            sb.writeExitCode(exitCode);
        } catch (IOException e) {
            LOG.warn("attempt {}: cannot write the exit file: {}", a.id(), e.toString());
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
                    synchronized (a) {
                        cause = a.killReason;
                    }
                    Outcome o = Outcome.of(exitCode, cause, Boolean.TRUE.equals(oom));
                    finish(a, o.state(), o.reason(), o.exitCode(), o.message());
                });
    }

    private void report(Attempt a, TaskState state, String message) {
        a.state = state;
        LOG.info("attempt {}: {} ({})", a.id(), state, message);
        sink.report(a.launch.taskId(), a.id(), state, null, null, message);
    }

    private void finish(Attempt a, TaskState state, Reason reason, Integer exitCode, String message) {
        synchronized (a) {
            a.exited = true;
            if (a.state.isTerminal()) return;
            a.state = state;
        }
        LOG.info("attempt {}: {} {} ({})", a.id(), state, reason, message);
        try {
            sink.report(a.launch.taskId(), a.id(), state, reason, exitCode, message);
        } finally {
            a.done.complete(null);
        }
    }
}
