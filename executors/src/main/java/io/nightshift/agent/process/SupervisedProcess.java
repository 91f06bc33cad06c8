package io.nightshift.agent.process;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started attempt: its leader process (the session leader, {@code pid()}), its process tree and its
 * cgroups. Thread-safe.
 */
public final class SupervisedProcess {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisedProcess.class);

    private final String attemptId;
    private final Process leader;
    private final ProcessTree tree;
    private final CgroupV1.Group group;
    private final ScheduledExecutorService scheduler;
    private final CompletableFuture<Integer> exit;
    private TreeKill kill; // guarded by this

    SupervisedProcess(String attemptId, Process leader, ProcessTree tree, CgroupV1.Group group,
                      ScheduledExecutorService scheduler) {
        this.attemptId = attemptId;
        this.leader = leader;
        this.tree = tree;
        this.group = group;
        this.scheduler = scheduler;
        this.exit = leader.onExit().thenApply(Process::exitValue);
    }

    public String attemptId() {
        return attemptId;
    }

    /** The leader's pid; it is also the attempt's session id and process group id. */
    public long pid() {
        return leader.pid();
    }

    /**
     * The leader's exit code: its status, or 128+N when signal N killed it. Completes on the JDK's
     * process reaper thread; hop to an executor of your own before doing work.
     */
    public CompletableFuture<Integer> exit() {
        return exit;
    }

    /** Living processes of the attempt, leader included while it runs. */
    public Set<Long> members() {
        return tree.livingMembers();
    }

    /**
     * SIGTERM to the whole tree, {@code grace}, then SIGKILL until nothing is left. While a kill is
     * in progress another call joins it; after one finished a new one starts (and finds nothing when
     * the tree is gone). Completes with the number of processes signalled.
     */
    public synchronized CompletableFuture<Integer> killTree(Duration grace) {
        if (kill != null && !kill.done().isDone()) return kill.done();
        kill = new TreeKill(tree, group, scheduler, grace);
        return kill.start();
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
