package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.model.PendingReason;

import java.util.ArrayList;
import java.util.List;

/**
 * Why a task waits, and until when. A task that fit nowhere is explained by walking the
 * {@link PlacementStack} over every agent (once per shape and cycle; past
 * {@link SchedulingPolicy#maxExplainedShapes()} shapes, a summary from the index instead). A task left
 * waiting for capacity gets an ETA when the snapshot gives its queue's finish rate: the tasks of the queue
 * waiting so far this cycle, divided by that rate.
 */
final class PendingExplainer {

    private final Ledger ledger;
    private final PlacementStack stack;
    private final Decisions decisions;
    private final SchedulingPolicy policy;
    private int explained;
    /** Per queue index: its finish rate from the snapshot (0: none), looked up once a cycle, not once per task; NaN until then. */
    private final double[] rates;

    PendingExplainer(Ledger ledger, PlacementStack stack, Decisions decisions, SchedulingPolicy policy) {
        this.ledger = ledger;
        this.stack = stack;
        this.decisions = decisions;
        this.policy = policy;
        this.rates = new double[ledger.queues.length];
        java.util.Arrays.fill(rates, Double.NaN);
    }

    private double rate(QueueState q) {
        double r = rates[q.idx];
        if (Double.isNaN(r)) {
            Double v = ledger.snap.finishRates().get(q.name);
            r = v == null || v.isNaN() ? 0 : v;
            rates[q.idx] = r;
        }
        return r;
    }

    /** Why no agent took {@code t}; cached on its shape. */
    List<PendingReason> explain(PendingTask t, Shape shape) {
        if (shape.failed != null) return shape.failed;
        List<PendingReason> why = List.copyOf(explained++ >= policy.maxExplainedShapes() ? cheap(t) : stack.explain(t, shape));
        shape.failed = why;   // immutable: every task of the shape carries this one list into the plan
        return why;
    }

    /** {@code t} of queue {@code q} waits for capacity, for reasons {@code why}. */
    void unplaced(PendingTask t, QueueState q, List<PendingReason> why) {
        decisions.reason(t, why);
        q.want(t);
        if (!t.isGang()) q.unplaced.add(t);
        double rate = rate(q);
        if (rate > 0) {
            long seconds = (long) Math.ceil(q.waiting * 60.0 / rate);
            decisions.etas.put(t.taskId(), ledger.now.plusSeconds(seconds));
        }
        if (t.window() != null) { // a windowed task cannot start before its window's next fitting opening
            java.time.Instant opens = WindowFilter.earliestStart(t, ledger);
            java.time.Instant eta = decisions.etas.get(t.taskId());
            if (opens != null && opens.isAfter(ledger.now) && (eta == null || opens.isAfter(eta))) decisions.etas.put(t.taskId(), opens);
        }
    }

    private List<PendingReason> cheap(PendingTask t) {
        Resources largest = ledger.index.largestFree();
        Resources asked = t.resources();
        int n = ledger.n;
        List<PendingReason> out = new ArrayList<>(2);
        String tail = "; per-agent details skipped after %d explained shapes this cycle".formatted(policy.maxExplainedShapes());
        shortOf(out, n, "cpus", asked.cpus(), largest.cpus(), !(asked.cpus() <= largest.cpus() + Veto.EPS), tail);
        shortOf(out, n, "memMb", asked.memMb(), largest.memMb(), asked.memMb() > largest.memMb(), tail);
        shortOf(out, n, "diskMb", asked.diskMb(), largest.diskMb(), asked.diskMb() > largest.diskMb(), tail);
        shortOf(out, n, "gpus", asked.gpus(), largest.gpus(), asked.gpus() > largest.gpus(), tail);
        if (out.isEmpty()) {
            out.add(PendingReason.of(VetoCode.UNPLACED.wire(), PendingReason.Kind.DYNAMIC, n, "no agent with room admits the task (constraints, offers "
                    + "to other queues, decline filters or too little room on any single agent)" + tail));
        }
        return out;
    }

    private static void shortOf(List<PendingReason> out, int n, String resource, double asked, double largest, boolean isShort,
                              String tail) {
        if (isShort) {
            out.add(PendingReason.shortOf(VetoCode.insufficient(resource).wire(), PendingReason.Kind.DYNAMIC, n, resource, asked,
                    largest, "asks %s; no agent has that much free (the most is %s)%s"
                    .formatted(Veto.amount(resource, asked), Veto.number(largest), tail)));
        }
    }
}
