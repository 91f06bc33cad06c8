package io.nightshift.coordinator.scheduling;

import java.util.List;

/**
 * Vetoes an agent that the task's queue declined with a {@link DeclineFilter} still in force
 * ({@link VetoCode#OFFER_DECLINED}, DYNAMIC: the filter runs out, or the queue revives with new work).
 */
final class DeclinedFilter implements SchedulingFilter {

    static final DeclinedFilter INSTANCE = new DeclinedFilter();

    private DeclinedFilter() {
    }

    @Override
    public Veto.Kind check(PendingTask task, int agent, Ledger ledger) {
        int q = ledger.queueIndex(task.queue());
        return q >= 0 && ledger.declined(q, agent) ? Veto.Kind.DYNAMIC : null;
    }

    @Override
    public List<Veto> filter(PendingTask task, int agent, Ledger ledger) {
        return check(task, agent, ledger) == null ? List.of() : List.of(ledger.declinedVeto(ledger.queueIndex(task.queue())));
    }

    @Override
    public void explain(PendingTask task, int agent, Ledger ledger, VetoSink sink) {
        if (check(task, agent, ledger) != null) sink.add(ledger.declinedVeto(ledger.queueIndex(task.queue())));
    }

    @Override
    public String toString() {
        return "DeclinedFilter";
    }
}
