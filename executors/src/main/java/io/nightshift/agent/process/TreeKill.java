package io.nightshift.agent.process;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills one attempt's whole process tree. Runs as a chain of short steps on a scheduler (no step
 * sleeps or blocks for long):
 * <pre>
 *   TERM:  [freeze] scan → SIGTERM each → [thaw]         deadline = now + grace
 *   WAIT:  scan every 100 ms; empty → DONE; past deadline → KILL
 *   KILL:  [freeze] scan → SIGKILL each → [thaw]; re-scan after 20 ms; repeat until empty → DONE
 * </pre>
 * Freezing the attempt's freezer cgroup (when there is one) before each scan means a forking tree
 * cannot add a process between the scan and the signal. Signals go through {@link ProcessHandle},
 * which on Linux signals any process (not only the agent's children) and checks its start time, so
 * a recycled pid is never hit. {@link #done()} completes with the number of processes signalled.
 */
final class TreeKill {
    private static final Logger LOG = LoggerFactory.getLogger(TreeKill.class);
    private static final long FREEZE_POLL_MS = 5;
    private static final long FREEZE_TIMEOUT_MS = 1000;
    private static final long WAIT_POLL_MS = 100;
    private static final long KILL_RECHECK_MS = 20;
    private static final int MAX_KILL_ROUNDS = 250;

    private final ProcessTree tree;
    private final CgroupV1.Group group;
    private final ScheduledExecutorService scheduler;
    private final Duration grace;
    private final CompletableFuture<Integer> done = new CompletableFuture<>();
    private long deadlineNanos;
    private int signalled;
    private int killRounds;
    private boolean finished;
    /** True between a successful freeze() of this kill and its thaw. */
    private boolean holdsFreeze;

    TreeKill(ProcessTree tree, CgroupV1.Group group, ScheduledExecutorService scheduler, Duration grace) {
        this.tree = tree;
        this.group = group;
        this.scheduler = scheduler;
        this.grace = grace.isNegative() ? Duration.ZERO : grace;
    }

    CompletableFuture<Integer> start() {
        scheduler.execute(() -> step(() -> frozen(this::term)));
        return done;
    }

    CompletableFuture<Integer> done() {
        return done;
    }

    private void term() {
        Set<Long> pids = tree.livingMembers();
        if (pids.isEmpty()) {
            finish();
            return;
        }
        pids.forEach(pid -> signal(pid, false));
        signalled += pids.size();
        LOG.info("attempt {}: SIGTERM to {} process(es) {}, grace {}", tree.attemptId(), pids.size(), pids, grace);
        deadlineNanos = System.nanoTime() + grace.toNanos();
        after(Math.min(WAIT_POLL_MS, Math.max(1, grace.toMillis())), this::await);
    }

    private void await() {
        if (tree.livingMembers().isEmpty()) {
            finish();
        } else if (System.nanoTime() - deadlineNanos >= 0) {
            frozen(this::kill);
        } else {
            after(WAIT_POLL_MS, this::await);
        }
    }

    private void kill() {
        Set<Long> pids = tree.livingMembers();
        if (pids.isEmpty()) {
            finish();
            return;
        }
        pids.forEach(pid -> signal(pid, true));
        signalled += pids.size();
        killRounds++;
        if (killRounds == 1) LOG.info("attempt {}: SIGKILL to {} process(es) {}", tree.attemptId(), pids.size(), pids);
        if (killRounds >= MAX_KILL_ROUNDS) {
            LOG.warn("attempt {}: {} process(es) {} survive {} SIGKILL rounds; giving up", tree.attemptId(), pids.size(),
                    pids, killRounds);
            finish();
            return;
        }
        after(KILL_RECHECK_MS, () -> {
            if (tree.livingMembers().isEmpty()) finish();
            else frozen(this::kill);
        });
    }

    /** Marks the kill complete; {@link #step} completes {@link #done()} once the current step (and its thaw) returned. */
    private void finish() {
        finished = true;
    }

    /** Freezes the group (if it has a freezer), runs {@code action} once frozen (or after a timeout), then thaws. */
    private void frozen(Runnable action) {
        if (group == null || !group.hasFreezer() || !group.freeze()) {
            action.run();
            return;
        }
        holdsFreeze = true;
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FREEZE_TIMEOUT_MS);
        awaitFrozen(until, action);
    }

    private void awaitFrozen(long until, Runnable action) {
        if (group.frozen() || System.nanoTime() - until >= 0) {
            try {
                action.run();
            } finally {
                thaw();
            }
        } else {
            after(FREEZE_POLL_MS, () -> awaitFrozen(until, action));
        }
    }

    private void after(long millis, Runnable r) {
        try {
            scheduler.schedule(() -> step(r), millis, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            thaw(); // the scheduler is shutting down: never leave the group frozen behind us
            done.completeExceptionally(e);
        }
    }

    /** Thaws the group if this kill froze it; a group left FROZEN would stop any process that joins it later. */
    private void thaw() {
        if (holdsFreeze) {
            holdsFreeze = false;
            group.thaw();
        }
    }

    private void step(Runnable r) {
        if (done.isDone()) {
            thaw();
            return;
        }
        try {
            r.run();
            if (finished) done.complete(signalled);
        } catch (RuntimeException e) {
            LOG.error("attempt {}: killing the process tree failed: {}", tree.attemptId(), e.toString(), e);
            if (group != null) group.thaw();
            holdsFreeze = false;
            done.completeExceptionally(e);
        }
    }

    /** SIGTERM ({@code force=false}) or SIGKILL; a process that is already gone is ignored. */
    static void signal(long pid, boolean force) {
        if (pid == ProcessHandle.current().pid()) return;
        ProcessHandle.of(pid).ifPresent(h -> {
            if (force) h.destroyForcibly();
            else h.destroy();
        });
    }
}
