package io.nightshift.coordinator.scheduling;

/**
 * Finds an agent for one task: the {@link AgentIndex} reports agents with room, in id order from the
 * shape's cursor, the {@link PlacementStack} admits or vetoes each, the first
 * {@link SchedulingPolicy#placementCandidates()} admitted go to the {@link BestFit} ranker. Records the
 * placement in the {@link Ledger} and the {@link Decisions}.
 */
final class Placer {

    private final Ledger ledger;
    private final PlacementStack stack;
    private final Decisions decisions;
    private final int[] found;
    private final AgentIndex.Accept acceptor = this::accept;
    private PendingTask searching;
    private Shape searchingShape;

    Placer(Ledger ledger, PlacementStack stack, Decisions decisions, SchedulingPolicy policy) {
        this.ledger = ledger;
        this.stack = stack;
        this.decisions = decisions;
        this.found = new int[policy.placementCandidates()];
    }

    /** The best of the first few admitted agents for {@code t}, or -1. Moves the shape's cursor. */
    int search(PendingTask t, Shape shape) {
        searching = t;
        searchingShape = shape;
        int count = ledger.index.find(t.resources(), shape.cursor, found, acceptor);
        searching = null;
        searchingShape = null;
        if (count == 0) {
            shape.cursor = ledger.n;
            return -1;
        }
        shape.cursor = found[0];
        return BestFit.pick(ledger, found, count, t.resources());
    }

    private boolean accept(int agent) {
        return stack.admits(searching, searchingShape, agent);
    }

    Placement place(PendingTask t, QueueState q, int agent) {
        Placement p = ledger.place(t, q, agent);
        decisions.placements.add(p);
        return p;
    }
}
