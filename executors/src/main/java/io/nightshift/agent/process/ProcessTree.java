package io.nightshift.agent.process;

import java.util.Set;
import java.util.TreeSet;

/**
 * The living processes of one attempt: the union of
 * <ol>
 *   <li>the members of the attempt's cgroups (if any),</li>
 *   <li>processes whose session id or process group id is the leader's pid (with session isolation;
 *       the kernel does not reuse a pid while it names a live session or group; and when a process
 *       with the leader's pid is alive but has another start time than the leader's, the pid was
 *       recycled, so no member of the old session is left and this rule is skipped for that scan),</li>
 *   <li>processes whose initial environment holds {@code NIGHTSHIFT_ATTEMPT_ID=<attemptId>} (catches
 *       children that called setsid themselves and were re-parented to init); only processes that may descend
 *       from the leader are read for it: no kernel thread, none started before the leader.</li>
 * </ol>
 * Zombies are excluded (they are already dead), and so are the agent itself and pid 1.
 */
public final class ProcessTree {
    private final ProcTable procs;
    private final String attemptId;
    private final long leaderPid;
    private final long leaderStartTime;
    private final boolean sessionIsolated;
    private final CgroupV1.Group group;
    private final long self = ProcessHandle.current().pid();

    /** {@code leaderStartTime}: field 22 of the leader's stat, -1 when unknown (then the pid is trusted). */
    public ProcessTree(ProcTable procs, String attemptId, long leaderPid, long leaderStartTime, boolean sessionIsolated,
                       CgroupV1.Group group) {
        this.procs = procs;
        this.attemptId = attemptId;
        this.leaderPid = leaderPid;
        this.leaderStartTime = leaderStartTime;
        this.sessionIsolated = sessionIsolated;
        this.group = group;
    }

    /**
     * Scans now: from a reading of {@code /proc} that began after this call (shared with the attempts that
     * scan at the same moment, {@link ProcTable#freshSnapshot()}), so a process that existed when it was
     * called is in it; the result is stale as soon as it is returned (processes fork and exit).
     */
    public Set<Long> livingMembers() {
        Set<Long> inGroup = group == null ? Set.of() : group.pids();
        boolean bySession = sessionIsolated && leaderPid > 0 && !leaderPidRecycled();
        return members(procs.freshSnapshot(), inGroup, bySession);
    }

    /**
     * The members found in {@code snapshot}, a reading the caller took (and may share among the trees of
     * every attempt, as the owner-load sampling does): stale by as much as the reading is, so not for a kill,
     * which scans afresh ({@link #livingMembers()}). The cgroup's members are read now.
     */
    public Set<Long> livingMembers(ProcTable.Snapshot snapshot) {
        Set<Long> inGroup = group == null ? Set.of() : group.pids();
        boolean bySession = sessionIsolated && leaderPid > 0 && !leaderPidRecycled();
        return members(snapshot, inGroup, bySession);
    }

    private Set<Long> members(ProcTable.Snapshot snapshot, Set<Long> inGroup, boolean bySession) {
        Set<Long> members = new TreeSet<>();
        for (ProcTable.Proc p : snapshot.procs()) {
            if (p.isDead() || p.pid() == self || p.pid() == 1) continue;
            if (inGroup.contains(p.pid())
                    || (bySession && (p.session() == leaderPid || p.pgrp() == leaderPid))
                    || (mayDescend(p) && snapshot.hasEnvEntry(p.pid(), Supervisor.MARKER_ENV, attemptId))) {
                members.add(p.pid());
            }
        }
        return members;
    }

    /**
     * The attempt's processes as the owner-load accounting counts them, every sampling interval while it runs: with
     * cgroups, their members (a process leaves them only when moved), without a {@code /proc} scan, which reads the
     * stat and the environment of every process on the machine (some tens of ms of CPU per scan on a busy machine,
     * spent on the Nightshift side only while a task runs); without cgroups, or while they are empty (the leader has
     * not joined yet, or is gone), {@link #livingMembers}.
     */
    public Set<Long> accountedMembers() {
        return accountedMembers(procs::freshSnapshot);
    }

    /** {@link #accountedMembers()}, falling back to {@code fallback}'s reading (shared with other attempts) without cgroup members. */
    public Set<Long> accountedMembers(java.util.function.Supplier<ProcTable.Snapshot> fallback) {
        if (group != null) {
            Set<Long> pids = new TreeSet<>(group.pids());
            pids.remove(self);
            pids.remove(1L);
            if (!pids.isEmpty()) return pids;
        }
        return livingMembers(fallback.get());
    }

    /**
     * Whether {@code p} can be a descendant of the leader, the only processes that carry the attempt's marker:
     * not a kernel thread, and not started before the leader (start times count clock ticks since boot and a
     * child never starts before its parent; with the leader's start time unknown, every process can). Only those
     * have their {@code environ} read: on a busy host most processes are older than any attempt, and reading
     * every process's environment on every scan was the largest part of a scan's cost.
     */
    private boolean mayDescend(ProcTable.Proc p) {
        if (p.isKernelThread()) return false;
        return leaderStartTime < 0 || p.startTime() < 0 || p.startTime() >= leaderStartTime;
    }

    private boolean leaderPidRecycled() {
        if (leaderStartTime < 0) return false;
        return procs.stat(leaderPid).map(p -> p.startTime() >= 0 && p.startTime() != leaderStartTime).orElse(false);
    }

    public String attemptId() {
        return attemptId;
    }

    public long leaderPid() {
        return leaderPid;
    }
}
