package io.nightshift.coordinator.scheduling;

import io.nightshift.api.model.PendingReason;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What the steps of one cycle decided so far; {@link OfferCycle} turns it into the {@link Plan}. */
final class Decisions {
    final Instant now;
    final List<Placement> placements = new ArrayList<>();
    /** Task id → why it waits; one entry per unplaced task, so array-backed ({@link TaskMap}). */
    final TaskMap<List<PendingReason>> reasons;
    final TaskMap<Instant> etas;
    final List<Preemption> preemptions = new ArrayList<>();
    final List<String> expired = new ArrayList<>();
    final List<String> rescinded = new ArrayList<>();
    final List<DeclineFilter> keptFilters = new ArrayList<>();
    final List<DeclineFilter> newFilters = new ArrayList<>();
    Instant nextWakeUp;

    /** @param pending how many tasks the snapshot has waiting (the reasons get about one entry each) */
    Decisions(Instant now, int pending) {
        this.now = now;
        this.reasons = new TaskMap<>(pending);
        this.etas = new TaskMap<>(Math.min(pending, 1024));
    }

    /** The plan should wake the shell at {@code t} (if later than now and earlier than any wake-up so far). */
    void wakeAt(Instant t) {
        if (t != null && t.isAfter(now) && (nextWakeUp == null || t.isBefore(nextWakeUp))) nextWakeUp = t;
    }

    void reason(PendingTask t, List<PendingReason> why) {
        reasons.put(t.taskId(), why);
    }

    /** The reason of one veto said by {@code agents} agents (0: about the task), with its kind and numbers. */
    static PendingReason reason(Veto veto, int agents) {
        PendingReason.Kind kind = kind(veto.kind());
        return veto.resource() == null ? PendingReason.of(veto.code().wire(), kind, agents, veto.message())
                : PendingReason.shortOf(veto.code().wire(), kind, agents, veto.resource(), veto.asked(), veto.available(), veto.message());
    }

    /** A DYNAMIC reason about the task itself (its queue, gang, back-off, a preemption for it). */
    static PendingReason reason(VetoCode code, String message) {
        return reason(code, Veto.Kind.DYNAMIC, message);
    }

    /** A reason about the task itself. */
    static PendingReason reason(VetoCode code, Veto.Kind kind, String message) {
        return PendingReason.of(code.wire(), kind(kind), 0, message);
    }

    static PendingReason.Kind kind(Veto.Kind k) {
        return k == Veto.Kind.STATIC ? PendingReason.Kind.STATIC : PendingReason.Kind.DYNAMIC;
    }
}
