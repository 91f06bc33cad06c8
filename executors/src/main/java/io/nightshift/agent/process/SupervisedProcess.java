package io.nightshift.agent.process;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A supervised attempt: its leader process (the wrapper, session leader, {@code pid()}, identified
 * with its {@code startTime()}), its process tree and its cgroups. The leader is either our child
 * ({@link Supervisor#start}) or one re-attached after an agent restart ({@link Supervisor#reattach});
 * either way it is killed, watched and cleaned up the same way. Thread-safe.
 */
public final class SupervisedProcess {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisedProcess.class);

    private final String attemptId;
    private final long pid;
    private final long startTime;
    private final ProcessTree tree;
    private final CgroupV1.Group group;
    private final ScheduledExecutorService scheduler;
    private final CompletableFuture<Integer> exit;
    private final GracefulStop gracefulStop;
    private TreeKill kill; // guarded by this

    SupervisedProcess(String attemptId, long pid, long startTime, ProcessTree tree, CgroupV1.Group group,
                      ScheduledExecutorService scheduler, CompletableFuture<Integer> exit) {
        this(attemptId, pid, startTime, tree, group, scheduler, exit, null);
    }

    SupervisedProcess(String attemptId, long pid, long startTime, ProcessTree tree, CgroupV1.Group group,
                      ScheduledExecutorService scheduler, CompletableFuture<Integer> exit, GracefulStop gracefulStop) {
        this.gracefulStop = gracefulStop;
        this.attemptId = attemptId;
        this.pid = pid;
        this.startTime = startTime;
        this.tree = tree;
        this.group = group;
        this.scheduler = scheduler;
        this.exit = exit;
    }

    public String attemptId() {
        return attemptId;
    }

    /** The leader's pid; it is also the attempt's session id and process group id. */
    public long pid() {
        return pid;
    }

    /** The leader's start time (field 22 of {@code /proc/<pid>/stat}, clock ticks since boot); -1 when unknown. */
    public long startTime() {
        return startTime;
    }

    /**
     * Completes when the leader has ended, with its exit code (its status, or 128+N when signal N
     * killed it) when this agent is its parent, or {@code null} when it is not (re-attached, or gone
     * before the agent started): then the status is whatever the wrapper wrote to the exit file.
     * May complete on the JDK's process reaper thread; hop to an executor of your own before doing work.
     */
    public CompletableFuture<Integer> exit() {
        return exit;
    }

    /** Living processes of the attempt, leader included while it runs. */
    public Set<Long> members() {
        return tree.livingMembers();
    }

    /** The processes the owner-load accounting counts as the attempt's (cheap with cgroups: {@link ProcessTree#accountedMembers}). */
    public Set<Long> accountedMembers() {
        return tree.accountedMembers();
    }

    /** {@link #accountedMembers()} with a {@code /proc} reading shared with other attempts as the fallback. */
    public Set<Long> accountedMembers(java.util.function.Supplier<ProcTable.Snapshot> fallback) {
        return tree.accountedMembers(fallback);
    }

    /**
     * SIGTERM to the whole tree, {@code grace}, then SIGKILL until nothing is left. While a kill is
     * in progress another call joins it; after one finished a new one starts (and finds nothing when
     * the tree is gone). Completes with the number of processes signalled.
     */
    public synchronized CompletableFuture<Integer> killTree(Duration grace) {
        if (kill != null && !kill.done().isDone()) return kill.done();
        if (gracefulStop == null || exit.isDone() || !askToStop()) {
            kill = new TreeKill(tree, group, scheduler, grace);
            return kill.start();
        }
        // Launched through a library (SparkLauncher): it was asked to stop; after the grace (or as soon as the
        // leader is gone) its forced kill, then the tree kill for whatever is left, without a second grace.
        TreeKill k = new TreeKill(tree, group, scheduler, Duration.ZERO);
        kill = k;
        java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable force = () -> {
            if (!once.compareAndSet(false, true)) return;
            try {
                gracefulStop.kill();
            } catch (RuntimeException e) {
                LOG.info("attempt {}: the launcher's kill failed ({}); killing the process tree", attemptId, e.toString());
            }
            k.start();
        };
        exit.whenComplete((code, err) -> force.run());
        try {
            scheduler.schedule(force, Math.max(0, grace.toMillis()), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            force.run();
        }
        return k.done();
    }

    private boolean askToStop() {
        try {
            boolean asked = gracefulStop.stop();
            if (asked) LOG.info("attempt {}: asked the application to stop", attemptId);
            return asked;
        } catch (RuntimeException e) {
            LOG.info("attempt {}: cannot ask the application to stop ({}); sending SIGTERM", attemptId, e.toString());
            return false;
        }
    }

    /** True when the kernel's OOM killer killed a process of the attempt. */
    public boolean oomKilled() {
        return group != null && group.oomKilled();
    }

    /**
     * Removes the attempt's cgroups. The kernel refuses while a member is still exiting, so this
     * retries a few times on the scheduler; the future completes with true when they are gone.
     */
    public CompletableFuture<Boolean> releaseCgroups() {
        CompletableFuture<Boolean> released = new CompletableFuture<>();
        if (group == null) {
            released.complete(true);
        } else {
            tryRelease(released, 0);
        }
        return released;
    }

    private void tryRelease(CompletableFuture<Boolean> released, int tries) {
        if (group.remove()) {
            released.complete(true);
        } else if (tries >= 50) {
            LOG.warn("attempt {}: cgroups not removable after {} tries; left for the next clean-up", attemptId, tries);
            released.complete(false);
        } else {
            scheduler.schedule(() -> tryRelease(released, tries + 1), 100, TimeUnit.MILLISECONDS);
        }
    }
}
