package io.nightshift.coordinator.scheduling;

import io.nightshift.api.model.PendingReason;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one offer cycle decided. Immutable; the shell applies it.
 *
 * @param offers         outstanding offers after placement, with their remaining resources, by agent id;
 *                       offers used up completely are not listed
 * @param placements     in the order they were decided (the ordering policy's order)
 * @param pendingReasons taskId → why it still waits, summarized over agents; one entry per pending task
 *                       that was not placed, in the ordering policy's order
 * @param nextWakeUp     nullable: earliest {@code notBefore} among tasks in back-off, so the shell can arm
 *                       a timer and run a cycle then
 */
public record Plan(long cycle, List<Offer> offers, List<Placement> placements,
                   Map<String, List<PendingReason>> pendingReasons, Instant nextWakeUp) {

    public Plan {
        offers = List.copyOf(offers);
        placements = List.copyOf(placements);
        Map<String, List<PendingReason>> reasons = new LinkedHashMap<>();
        pendingReasons.forEach((task, rs) -> reasons.put(task, List.copyOf(rs)));
        pendingReasons = Collections.unmodifiableMap(reasons);
    }

    /** Why {@code taskId} waits; empty when it was placed or not in the snapshot. */
    public List<PendingReason> reasonsFor(String taskId) {
        return pendingReasons.getOrDefault(taskId, List.of());
    }

    /** The placement of {@code taskId}, if any. Linear scan: for tests and tools, not hot paths. */
    public Optional<Placement> placementOf(String taskId) {
        return placements.stream().filter(p -> p.taskId().equals(taskId)).findFirst();
    }

    /** The outstanding offer on {@code agentId}, if any. Linear scan. */
    public Optional<Offer> offerOn(String agentId) {
        return offers.stream().filter(o -> o.agentId().equals(agentId)).findFirst();
    }
}
