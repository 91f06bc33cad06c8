package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.queue.QueueSpec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One queue during a cycle: what it holds, what it still wants, its fair share. Part of the {@link Ledger}. */
final class QueueState {
    final int idx;
    final String name;
    final QueueSpec spec;
    final double weight;
    double cpus;
    long mem, disk;
    double gpus;
    int running;
    int pendingLeft;
    Instant newestQueuedAt;
    /** Unplaced demand that waits for capacity (not for back-off, limits or an unknown queue). */
    boolean wanting;
    double minCpus = Double.POSITIVE_INFINITY;
    long minMem = Long.MAX_VALUE, minDisk = Long.MAX_VALUE;
    int minGpus = Integer.MAX_VALUE;
    double wantCpus, wantMem, wantGpus;
    /** Tasks of this queue waiting for capacity so far this cycle (the ETA counts them). */
    int waiting;
    /** Unplaced tasks that are not gang members, in the order they were tried (the preemptor's input). */
    final List<PendingTask> unplaced = new ArrayList<>();
    /** Water-filled fair share (dominant), set once placement is over. */
    double fair;

    QueueState(int idx, QueueSpec spec) {
        this.idx = idx;
        this.name = spec.name();
        this.spec = spec;
        this.weight = spec.weight();
    }

    void add(Resources r, int sign) {
        cpus += sign * r.cpus();
        mem += sign * r.memMb();
        disk += sign * r.diskMb();
        gpus += sign * r.gpus();
    }

    Resources allocated() {
        return new Resources(Math.max(0, Math.round(cpus * 10_000d) / 10_000d), Math.max(0, mem), Math.max(0, disk),
                (int) Math.max(0, gpus));
    }

    /** Would {@code c, m, d, g} more stay within the limit? */
    boolean withinLimit(double c, long m, long d, double g) {
        Resources l = spec.limit();
        return l == null || (cpus + c <= l.cpus() + Veto.EPS && mem + m <= l.memMb() && disk + d <= l.diskMb()
                && gpus + g <= l.gpus());
    }

    boolean atMaxRunning(int more) {
        return spec.maxRunning() != null && running + more > spec.maxRunning();
    }

    void want(PendingTask t) {
        Resources r = t.resources();
        wanting = true;
        minCpus = Math.min(minCpus, r.cpus());
        minMem = Math.min(minMem, r.memMb());
        minDisk = Math.min(minDisk, r.diskMb());
        minGpus = Math.min(minGpus, r.gpus());
        wantCpus += r.cpus();
        wantMem += r.memMb();
        wantGpus += r.gpus();
        waiting++;
    }

    /** Could what agent {@code agent} has free take the smallest of this queue's waiting tasks, by resources? */
    boolean wants(AgentIndex index, int agent) {
        return wanting && minCpus <= index.cpus[agent] + Veto.EPS && minMem <= index.memMb[agent]
                && minDisk <= index.diskMb[agent] && minGpus <= index.gpus[agent];
    }

    double share(Drf.Totals totals) {
        return Drf.dominantShare(cpus, mem, gpus, totals);
    }

    boolean belowGuarantee() {
        return DrfOrdering.coverage(cpus, mem, gpus, spec.guarantee()) < 1;
    }
}
