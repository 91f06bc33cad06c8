package io.nightshift.coordinator.scheduling;

import io.nightshift.api.model.PendingReason;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the steps of one cycle decided so far; {@link OfferCycle} turns it into the {@link Plan}. */
final class Decisions {
    final Instant now;
    final List<Placement> placements = new ArrayList<>();
    final Map<String, List<PendingReason>> reasons = new LinkedHashMap<>();
    final Map<String, Instant> etas = new LinkedHashMap<>();
    final List<Preemption> preemptions = new ArrayList<>();
    final List<String> expired = new ArrayList<>();
    final List<String> rescinded = new ArrayList<>();
    final List<DeclineFilter> keptFilters = new ArrayList<>();
    final List<DeclineFilter> newFilters = new ArrayList<>();
    Instant nextWakeUp;

    Decisions(Instant now) {
        this.now = now;
    }

    /** The plan should wake the shell at {@code t} (if later than now and earlier than any wake-up so far). */
    void wakeAt(Instant t) {
        if (t != null && t.isAfter(now) && (nextWakeUp == null || t.isBefore(nextWakeUp))) nextWakeUp = t;
    }

    void reason(PendingTask t, List<PendingReason> why) {
        reasons.put(t.taskId(), why);
    }

    static PendingReason reason(Veto veto, int agents) {
        return new PendingReason(veto.code().wire(), agents, veto.message());
    }

    static PendingReason reason(VetoCode code, String message) {
        return new PendingReason(code.wire(), 0, message);
    }
}
