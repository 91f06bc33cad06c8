package io.nightshift.coordinator.scheduling;

import java.util.List;

/**
 * Vetoes an agent that an unexpired offer carried over from an earlier cycle reserves for another queue
 * ({@link VetoCode#OFFER_OTHER_QUEUE}, DYNAMIC: the offer expires or is declined). The first check of the
 * stack.
 */
final class ReservedOfferFilter implements SchedulingFilter {

    static final ReservedOfferFilter INSTANCE = new ReservedOfferFilter();
    private static final Veto OTHER_QUEUE = Veto.of(VetoCode.OFFER_OTHER_QUEUE, Veto.Kind.DYNAMIC,
            "the agent is offered to another queue until that offer expires or is declined");

    private ReservedOfferFilter() {
    }

    @Override
    public Veto.Kind check(PendingTask task, int agent, Ledger ledger) {
        int claim = ledger.claimedBy[agent];
        return claim >= 0 && claim != ledger.queueIndex(task.queue()) ? Veto.Kind.DYNAMIC : null;
    }

    @Override
    public List<Veto> filter(PendingTask task, int agent, Ledger ledger) {
        return check(task, agent, ledger) == null ? List.of() : List.of(OTHER_QUEUE);
    }

    @Override
    public void explain(PendingTask task, int agent, Ledger ledger, VetoSink sink) {
        if (check(task, agent, ledger) != null) sink.add(OTHER_QUEUE);
    }

    @Override
    public String toString() {
        return "ReservedOfferFilter";
    }
}
