package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.model.PendingReason;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * After placement: a pending task of a queue below its guarantee or its fair share, or of higher
 * priority, may preempt running tasks of queues above their fair share: lowest priority, youngest first,
 * no more than it needs, never a run past its preemption budget, never so many that the victim's queue
 * falls below its fair share, and for fairness only while the preemptor stays within its own (no
 * ping-pong). Queues are visited in {@link QueueOrder}. The task waits for its victims to exit.
 */
final class Preemptor {

    private static final double SHARE_EPS = 1e-9;

    private final Ledger ledger;
    private final Decisions decisions;
    private final SchedulingPolicy policy;
    private final ConstraintFilter constraints;
    private final int n;
    // projected allocation per queue index: what each queue holds once chosen victims exit
    private final double[] projCpus, projMem, projGpus;
    private final double[] removedCpus, removedMem, removedGpus;
    // per agent: what is already being freed there (terminating tasks, chosen victims)
    private final double[] soonCpus;
    private final long[] soonMem, soonDisk;
    private final int[] soonGpus;
    private List<RunningTask>[] victims;
    private final Set<String> taken = new HashSet<>();
    /** The lowest priority of any candidate victim (each agent's list is sorted, lowest first); asked per unplaced task. */
    private int lowestVictimPriority = Integer.MAX_VALUE;

    Preemptor(Ledger ledger, Decisions decisions, SchedulingPolicy policy) {
        this.ledger = ledger;
        this.decisions = decisions;
        this.policy = policy;
        this.constraints = new ConstraintFilter(ledger.runs);
        this.n = ledger.n;
        int m = ledger.queues.length;
        projCpus = new double[m];
        projMem = new double[m];
        projGpus = new double[m];
        removedCpus = new double[m];
        removedMem = new double[m];
        removedGpus = new double[m];
        soonCpus = new double[n];
        soonMem = new long[n];
        soonDisk = new long[n];
        soonGpus = new int[n];
    }

    private double projShare(QueueState q) {
        return Drf.dominantShare(projCpus[q.idx], projMem[q.idx], projGpus[q.idx], ledger.totals);
    }

    private boolean projBelowGuarantee(QueueState q) {
        return DrfOrdering.coverage(projCpus[q.idx], projMem[q.idx], projGpus[q.idx], q.spec.guarantee()) < 1;
    }

    @SuppressWarnings("unchecked")
    void run() {
        for (QueueState q : ledger.queues) {
            projCpus[q.idx] = q.cpus;
            projMem[q.idx] = q.mem;
            projGpus[q.idx] = q.gpus;
        }
        List<QueueState> order = new ArrayList<>();
        for (QueueState q : ledger.queues) if (!q.unplaced.isEmpty()) order.add(q);
        if (order.isEmpty()) return;
        order.sort(QueueOrder.byAllocation(ledger.totals));
        victims = new List[n];
        for (RunningTask r : ledger.snap.running()) {
            Integer i = ledger.indexOf(r.agentId());
            if (i == null) continue;
            if (r.terminating()) {
                soonCpus[i] += r.resources().cpus();
                soonMem[i] += r.resources().memMb();
                soonDisk[i] += r.resources().diskMb();
                soonGpus[i] += r.resources().gpus();
            } else if (r.preemptions() < policy.maxPreemptionsPerRun() && ledger.queueByName.containsKey(r.queue())) {
                if (victims[i] == null) victims[i] = new ArrayList<>(4);
                victims[i].add(r);
            }
        }
        Comparator<RunningTask> victimOrder = Comparator.comparingInt(RunningTask::priority)
                .thenComparing(RunningTask::startedAt, Comparator.reverseOrder()).thenComparing(RunningTask::taskId);
        for (List<RunningTask> l : victims) {
            if (l == null) continue;
            if (l.size() > 1) l.sort(victimOrder);
            lowestVictimPriority = Math.min(lowestVictimPriority, l.get(0).priority());   // the lists only get sorted
        }
        int considered = 0;
        for (QueueState q : order) {
            for (PendingTask t : q.unplaced) {
                if (considered >= policy.maxPreemptorsPerCycle()) return;
                boolean byShare = projBelowGuarantee(q)
                        || projShare(q) < q.fair * (1 - policy.preemptionTolerance()) - SHARE_EPS;
                if (!byShare && !anyLowerPriority(t)) continue;
                considered++;
                preemptFor(t, q, byShare);
            }
        }
    }

    private boolean anyLowerPriority(PendingTask t) {
        return lowestVictimPriority < t.priority();
    }

    private void preemptFor(PendingTask t, QueueState q, boolean byShare) {
        Resources asked = t.resources();
        AgentIndex index = ledger.index;
        int bestAgent = -1;
        List<RunningTask> bestSet = null;
        int bestMaxPriority = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            List<RunningTask> here = victims[i];
            boolean soon = soonCpus[i] > 0 || soonMem[i] > 0 || soonDisk[i] > 0 || soonGpus[i] > 0;
            if (here == null && !soon) continue;
            if (!t.constraints().isEmpty() && !constraints.admits(t, ledger.agents[i])) continue;
            double c = index.cpus[i] + soonCpus[i];
            long m = index.memMb[i] + soonMem[i], d = index.diskMb[i] + soonDisk[i];
            int g = index.gpus[i] + soonGpus[i];
            if (fits(asked, c, m, d, g)) {   // what is already being freed is enough: wait for it
                bestAgent = i;
                bestSet = List.of();
                break;
            }
            if (here == null) continue;
            List<RunningTask> chosen = new ArrayList<>();
            Arrays.fill(removedCpus, 0);
            Arrays.fill(removedMem, 0);
            Arrays.fill(removedGpus, 0);
            for (RunningTask v : here) {
                if (taken.contains(v.taskId()) || !mayPreempt(t, q, byShare, v)) continue;
                QueueState vq = ledger.queueByName.get(v.queue());
                removedCpus[vq.idx] += v.resources().cpus();
                removedMem[vq.idx] += v.resources().memMb();
                removedGpus[vq.idx] += v.resources().gpus();
                chosen.add(v);
                c += v.resources().cpus();
                m += v.resources().memMb();
                d += v.resources().diskMb();
                g += v.resources().gpus();
                if (fits(asked, c, m, d, g)) break;
            }
            if (!fits(asked, c, m, d, g)) continue;
            for (int k = chosen.size() - 1; k >= 0; k--) {   // no more than needed
                Resources r = chosen.get(k).resources();
                if (fits(asked, c - r.cpus(), m - r.memMb(), d - r.diskMb(), g - r.gpus())) {
                    c -= r.cpus();
                    m -= r.memMb();
                    d -= r.diskMb();
                    g -= r.gpus();
                    chosen.remove(k);
                }
            }
            int maxPriority = chosen.stream().mapToInt(RunningTask::priority).max().orElse(Integer.MIN_VALUE);
            if (bestSet == null || chosen.size() < bestSet.size()
                    || (chosen.size() == bestSet.size() && maxPriority < bestMaxPriority)) {
                bestAgent = i;
                bestSet = chosen;
                bestMaxPriority = maxPriority;
            }
        }
        if (bestAgent < 0) return;
        int i = bestAgent;
        String agentId = ledger.agents[i].agentId();
        Drf.Totals totals = ledger.totals;
        for (RunningTask v : bestSet) {
            taken.add(v.taskId());
            QueueState r = ledger.queueByName.get(v.queue());
            projCpus[r.idx] -= v.resources().cpus();
            projMem[r.idx] -= v.resources().memMb();
            projGpus[r.idx] -= v.resources().gpus();
            soonCpus[i] += v.resources().cpus();
            soonMem[i] += v.resources().memMb();
            soonDisk[i] += v.resources().diskMb();
            soonGpus[i] += v.resources().gpus();
            String code;
            String why;
            if (byShare && r != q && projBelowGuarantee(q)) {
                code = "preempted.guarantee";
                why = "queue %s is below its guarantee; queue %s is above its fair share (%s > %s)".formatted(q.name,
                        r.name, pct(r.share(totals)), pct(r.fair));
            } else if (byShare && r != q) {
                code = "preempted.fair-share";
                why = "queue %s is below its fair share (%s < %s); queue %s is above its own (%s > %s)".formatted(q.name,
                        pct(q.share(totals)), pct(q.fair), r.name, pct(r.share(totals)), pct(r.fair));
            } else {
                code = "preempted.priority";
                why = "task %s has priority %d > %d, and queue %s is above its fair share".formatted(t.taskId(),
                        t.priority(), v.priority(), r.name);
            }
            decisions.preemptions.add(new Preemption(v.taskId(), v.jobId(), v.queue(), agentId, t.taskId(), code, why));
        }
        // promise what is being freed on that agent to t
        soonCpus[i] = Math.max(0, soonCpus[i] - Math.max(0, asked.cpus() - index.cpus[i]));
        soonMem[i] = Math.max(0, soonMem[i] - Math.max(0, asked.memMb() - index.memMb[i]));
        soonDisk[i] = Math.max(0, soonDisk[i] - Math.max(0, asked.diskMb() - index.diskMb[i]));
        soonGpus[i] = Math.max(0, soonGpus[i] - Math.max(0, asked.gpus() - index.gpus[i]));
        projCpus[q.idx] += asked.cpus();
        projMem[q.idx] += asked.memMb();
        projGpus[q.idx] += asked.gpus();
        List<PendingReason> why = new ArrayList<>();
        why.add(bestSet.isEmpty()
                ? Decisions.reason(VetoCode.PREEMPTION_PENDING, "waiting for preempted tasks to exit on agent " + agentId)
                : Decisions.reason(VetoCode.PREEMPTION_PENDING, "preempting %d task%s on agent %s; placed once they exit"
                        .formatted(bestSet.size(), bestSet.size() == 1 ? "" : "s", agentId)));
        why.addAll(decisions.reasons.getOrDefault(t.taskId(), List.of()));
        decisions.reasons.put(t.taskId(), why);
    }

    /**
     * May {@code t} of queue {@code q} preempt {@code v}, given the victims already chosen for it
     * ({@code removed*})? Only tasks of a queue above its fair share; never so many that the victim's
     * queue falls below its fair share or its guarantee; for fairness (not priority) only while the
     * preemptor stays at or below its own fair share and above the victim's normalized share (no
     * ping-pong); a higher priority may displace work of its own queue.
     */
    private boolean mayPreempt(PendingTask t, QueueState q, boolean byShare, RunningTask v) {
        QueueState r = ledger.queueByName.get(v.queue());
        if (r == null || projShare(r) <= r.fair + SHARE_EPS) return false;   // only from queues above their fair share
        Resources vr = v.resources();
        double rc = projCpus[r.idx] - removedCpus[r.idx] - vr.cpus(), rm = projMem[r.idx] - removedMem[r.idx] - vr.memMb();
        double rg = projGpus[r.idx] - removedGpus[r.idx] - vr.gpus();
        if (r == q) return t.priority() > v.priority();
        Drf.Totals totals = ledger.totals;
        double rAfter = Drf.dominantShare(rc, rm, rg, totals);
        if (rAfter < r.fair - SHARE_EPS) return false;                           // not below the victim's fair share
        if (DrfOrdering.coverage(rc, rm, rg, r.spec.guarantee()) < 1) return false;   // nor below its guarantee
        if (t.priority() > v.priority()) return true;
        if (!byShare) return false;
        if (projBelowGuarantee(q)) return true;
        Resources a = t.resources();
        double qAfter = Drf.dominantShare(projCpus[q.idx] + a.cpus(), projMem[q.idx] + a.memMb(),
                projGpus[q.idx] + a.gpus(), totals);
        return qAfter <= q.fair + SHARE_EPS && rAfter / r.weight >= qAfter / q.weight - SHARE_EPS;
    }

    private static boolean fits(Resources asked, double c, long m, long d, int g) {
        return asked.cpus() <= c + Veto.EPS && asked.memMb() <= m && asked.diskMb() <= d && asked.gpus() <= g;
    }

    private static String pct(double share) {
        return Veto.number(Math.round(share * 1000) / 10.0) + "%";
    }
}
