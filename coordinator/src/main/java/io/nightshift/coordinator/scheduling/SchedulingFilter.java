package io.nightshift.coordinator.scheduling;

import java.util.ArrayList;
import java.util.List;

/**
 * One check of the placement stack: may {@code task} go onto agent {@code agent}, given this cycle's
 * {@link Ledger} (what is free, claimed, declined, where the task's run already is)? Aurora's
 * {@code SchedulingFilter}, Nomad's feasibility checkers: pure, vetoes as data; no veto means yes.
 *
 * <p>The {@link PlacementStack} walks its checks in order for every (task, agent) pair it considers
 * ({@link #check}, the fast path, allocation-free), and again, with {@link #explain}, for every agent
 * when a task fit nowhere: placement and "why pending" walk the same list, so they cannot disagree.
 * A new check is one class implementing this plus one line in {@link PlacementStack}, or an extra filter
 * handed to {@link OfferCycle}.
 *
 * <p>Contracts: {@link #check} is null exactly when {@link #filter} is empty, and STATIC exactly when one
 * of its vetoes is; {@link #explain} reports what {@link #filter} returns. Within a cycle a check is
 * monotone (an agent it vetoed stays vetoed as the cycle places), and decides from the task's shape
 * (queue, resources, constraints, run) unless {@link #shapeKey} names what else it reads: tasks of one
 * shape share cached outcomes, and a STATIC veto is remembered for the shape for the rest of the cycle.
 */
@FunctionalInterface
public interface SchedulingFilter {

    /** Vetoes against placing {@code task} on agent {@code agent}; empty when it may go. */
    List<Veto> filter(PendingTask task, int agent, Ledger ledger);

    /** Fast path: null when the check admits; otherwise STATIC if a veto is static, else DYNAMIC. */
    default Veto.Kind check(PendingTask task, int agent, Ledger ledger) {
        List<Veto> vetoes = filter(task, agent, ledger);
        if (vetoes.isEmpty()) return null;
        for (Veto v : vetoes) {
            if (v.isStatic()) return Veto.Kind.STATIC;
        }
        return Veto.Kind.DYNAMIC;
    }

    /**
     * Reports {@link #filter}'s vetoes to {@code sink}; override to report without building them. Indexed, not
     * for-each: the explainer calls this for every agent and check, and an iterator over the (usually empty)
     * list was most of what an explanation allocated.
     */
    default void explain(PendingTask task, int agent, Ledger ledger, VetoSink sink) {
        List<Veto> vetoes = filter(task, agent, ledger);
        for (int i = 0, n = vetoes.size(); i < n; i++) {
            sink.add(vetoes.get(i));
        }
    }

    /**
     * What this check reads of a task beyond its shape, or null (the default) when it reads nothing
     * more. Tasks whose keys differ do not share cached outcomes.
     */
    default Object shapeKey(PendingTask task) {
        return null;
    }

    /** {@link #explain}'s vetoes as a list. */
    static List<Veto> vetoes(SchedulingFilter f, PendingTask task, int agent, Ledger ledger) {
        List<Veto> out = new ArrayList<>(2);
        f.explain(task, agent, ledger, out::add);
        return out;
    }

    /** Where {@link #explain} reports vetoes; the explainer summarizes them over agents. */
    interface VetoSink {
        void add(Veto veto);

        /**
         * Same as {@code add(Veto.insufficient(resource, asked, available, total))} (or the 3-argument
         * form when {@code total} is NaN, i.e. unknown), for sinks that can take it without the veto.
         */
        default void insufficient(String resource, double asked, double available, double total) {
            add(Double.isNaN(total) ? Veto.insufficient(resource, asked, available)
                    : Veto.insufficient(resource, asked, available, total));
        }
    }
}
