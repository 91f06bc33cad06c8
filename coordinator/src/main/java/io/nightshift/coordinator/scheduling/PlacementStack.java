package io.nightshift.coordinator.scheduling;

import io.nightshift.api.model.PendingReason;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ordered checks a (task, agent) pair must pass, Nomad's {@code stack.go}: the reserved offer, the
 * queue's decline filters, resources, constraints, lent capacity ({@link LentCapacityFilter}), windows
 * ({@link WindowFilter}), the cycle's {@link Reservations} (EASY backfill), then the filters handed to
 * {@link OfferCycle}, in that order. Placement ({@link #admits}) and the explanation of why a task waits ({@link #explain}) walk the
 * same list. Remembers STATIC vetoes per {@link Shape}, whatever checks are installed. One per cycle.
 */
final class PlacementStack {

    private static final Veto NO_OFFER = Veto.noOffer();

    private final Ledger ledger;
    private final SchedulingFilter[] checks;
    private final SchedulingFilter[] keyed;
    private final Map<Shape, Shape> shapes = new HashMap<>();
    /** Per queue index: the shape {@link #shapeOf} returned last (tasks of one job come in a row). */
    private final Shape[] lastShape;
    /** The keyed checks' shape keys of the task being shaped (scratch, copied into a new shape only). */
    private final Object[] keys;

    PlacementStack(Ledger ledger, List<SchedulingFilter> extra) {
        this.ledger = ledger;
        List<SchedulingFilter> all = new ArrayList<>(4 + extra.size());
        all.add(ReservedOfferFilter.INSTANCE);
        all.add(DeclinedFilter.INSTANCE);
        all.add(ResourceFilter.INSTANCE);
        all.add(new ConstraintFilter(ledger.runs));
        // pools: lent capacity only for revocable tasks, windowed tasks only inside their window; then reservations
        List<SchedulingFilter> keyedChecks = new ArrayList<>(3 + extra.size());
        keyedChecks.add(LentCapacityFilter.INSTANCE);
        keyedChecks.add(WindowFilter.INSTANCE);
        keyedChecks.add(ledger.reservations);
        keyedChecks.addAll(extra);
        all.addAll(keyedChecks);
        this.checks = all.toArray(new SchedulingFilter[0]);
        this.keyed = keyedChecks.toArray(new SchedulingFilter[0]);
        this.keys = new Object[keyed.length];
        this.lastShape = new Shape[ledger.queues.length];
    }

    /** The shape of {@code t} in queue {@code queue}, with what this cycle learnt about it. */
    Shape shapeOf(PendingTask t, int queue) {
        boolean anyKey = false;
        for (int k = 0; k < keyed.length; k++) {
            Object key = keyed[k].shapeKey(t);
            keys[k] = key;
            anyKey |= key != null;
        }
        List<io.nightshift.api.spec.Constraint> cs = t.constraints();
        // the run is part of the shape only when a constraint counts what the run already placed (UNIQUE, MAX_PER,
        // GROUP_BY, CLUSTER without a value); tasks of several runs with the same LIKE/UNLIKE share one shape
        String run = cs.isEmpty() || !countsPerRun(cs) ? null : t.runId();
        Shape last = queue < lastShape.length ? lastShape[queue] : null;
        if (last != null && sameShape(last, run, t.resources(), cs, anyKey)) return last;
        Shape s = new Shape(queue, run, t.resources(), cs.isEmpty() ? List.of() : cs, anyKey ? keys.clone() : null);
        Shape known = shapes.putIfAbsent(s, s);
        Shape out = known != null ? known : s;
        if (queue < lastShape.length) lastShape[queue] = out;
        return out;
    }

    /**
     * True when a task of {@code run}, {@code resources}, {@code cs} and this call's {@link #keys} has the shape
     * {@code last}, checked without building a shape: tasks of one job come one after another, so most lookups are
     * answered here instead of by hashing a new shape and comparing its constraint list. Constraints count as the
     * same only when they are the very same list (else the map decides, as before).
     */
    private boolean sameShape(Shape last, String run, io.nightshift.api.Resources resources, List<io.nightshift.api.spec.Constraint> cs,
                              boolean anyKey) {
        if (!java.util.Objects.equals(last.run, run) || !last.resources.equals(resources)) return false;
        if (cs.isEmpty() ? !last.constraints.isEmpty() : last.constraints != cs) return false;
        if (last.extra == null) return !anyKey;
        return anyKey && java.util.Arrays.equals(last.extra, keys);
    }

    private static boolean countsPerRun(List<io.nightshift.api.spec.Constraint> cs) {
        for (int i = 0, n = cs.size(); i < n; i++) if (!ConstraintFilter.isStaticOnly(cs.get(i))) return true;
        return false;
    }

    /** Free resources grew: cached failures and search starts no longer hold (static vetoes still do). */
    void forgetDynamic() {
        for (Shape s : shapes.values()) s.forgetDynamic();
    }

    /** May {@code t} (of shape {@code s}) go on agent {@code agent}? Allocation-free. */
    boolean admits(PendingTask t, Shape s, int agent) {
        if (ledger.index.isZero(agent) || s.isStatic(agent)) return false;
        for (SchedulingFilter f : checks) {
            Veto.Kind k = f.check(t, agent, ledger);
            if (k != null) {
                if (k == Veto.Kind.STATIC) s.markStatic(agent, ledger.n);
                return false;
            }
        }
        return true;
    }

    /**
     * Why no agent took {@code t}: every agent's vetoes from every check, summarized. O(agents); agents
     * vetoed by nothing but holding nothing free say {@link VetoCode#NO_OFFER}.
     */
    List<PendingReason> explain(PendingTask t, Shape s) {
        ReasonSummary summary = new ReasonSummary(ledger.n);
        for (int i = 0; i < ledger.n; i++) {
            summary.startAgent(i);
            for (SchedulingFilter f : checks) f.explain(t, i, ledger, summary);
            if (!summary.agentVetoed() && ledger.index.isZero(i)) summary.add(NO_OFFER);
            if (summary.agentStatic()) s.markStatic(i, ledger.n);
        }
        return summary.reasons();
    }
}
