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
 * @param offers          outstanding offers after placement, with their remaining resources, one per agent
 *                        with anything left, in agent id order: offered to one queue, or open ({@code queue}
 *                        null) when no queue wants it; used-up offers are not listed. Pass back in the next
 *                        snapshot.
 * @param placements      in the order they were decided
 * @param pendingReasons  taskId → why it still waits, summarized over agents; one entry per pending task
 *                        that was not placed, in the order the tasks were tried
 * @param nextWakeUp      nullable: the earliest instant at which waiting alone changes a decision (a retry
 *                        back-off ends, a gang hold times out, a gang may hold again), so the shell can
 *                        arm a timer and run a cycle then
 * @param preemptions     running tasks to stop (SIGTERM with their grace period) and re-queue as preempted
 * @param declineFilters  every decline filter still in force, old and new: replace the stored set with it
 * @param gangHolds       every gang hold and gang back-off still in force: replace the stored set with it
 * @param expiredOffers   ids of snapshot offers that expired unused this cycle
 * @param rescindedOffers ids of snapshot offers whose agent is gone
 * @param etas            taskId → when it may start, estimated from its queue's recent finish rate; only
 *                        for tasks waiting for capacity and only when the snapshot gives a rate
 * @param queues          every queue's share after this cycle, in name order
 * @param unschedulable   taskId → why, for pending tasks that waited unplaced past their
 *                        {@link PendingTask#pendingDeadline()}: the shell ends their jobs UNSCHEDULABLE; the
 *                        first reason is {@code pending.timeout}, then what kept them waiting
 * @param reservations    room promised this cycle to waiting gangs or wide tasks (EASY backfill), at most one
 *                        per queue, in the order they were made
 */
public record Plan(long cycle, List<Offer> offers, List<Placement> placements,
                   Map<String, List<PendingReason>> pendingReasons, Instant nextWakeUp, List<Preemption> preemptions,
                   List<DeclineFilter> declineFilters, List<GangHold> gangHolds, List<String> expiredOffers,
                   List<String> rescindedOffers, Map<String, Instant> etas, List<QueueShare> queues,
                   Map<String, List<PendingReason>> unschedulable, List<Reservation> reservations) {

    public Plan {
        offers = List.copyOf(offers);
        placements = List.copyOf(placements);
        if (!(pendingReasons instanceof TaskMap<?> m && m.frozen())) {   // the core's own is frozen with immutable lists
            Map<String, List<PendingReason>> reasons = new LinkedHashMap<>();
            pendingReasons.forEach((task, rs) -> reasons.put(task, List.copyOf(rs)));
            pendingReasons = Collections.unmodifiableMap(reasons);
        }
        preemptions = preemptions == null ? List.of() : List.copyOf(preemptions);
        declineFilters = declineFilters == null ? List.of() : List.copyOf(declineFilters);
        gangHolds = gangHolds == null ? List.of() : List.copyOf(gangHolds);
        expiredOffers = expiredOffers == null ? List.of() : List.copyOf(expiredOffers);
        rescindedOffers = rescindedOffers == null ? List.of() : List.copyOf(rescindedOffers);
        etas = etas == null ? Map.of() : etas instanceof TaskMap<?> m && m.frozen() ? etas
                : Collections.unmodifiableMap(new LinkedHashMap<>(etas));
        queues = queues == null ? List.of() : List.copyOf(queues);
        unschedulable = unschedulable == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(unschedulable));
        reservations = reservations == null ? List.of() : List.copyOf(reservations);
    }

    /** A plan without reservations. */
    public Plan(long cycle, List<Offer> offers, List<Placement> placements, Map<String, List<PendingReason>> pendingReasons,
            Instant nextWakeUp, List<Preemption> preemptions, List<DeclineFilter> declineFilters, List<GangHold> gangHolds,
            List<String> expiredOffers, List<String> rescindedOffers, Map<String, Instant> etas, List<QueueShare> queues,
            Map<String, List<PendingReason>> unschedulable) {
        this(cycle, offers, placements, pendingReasons, nextWakeUp, preemptions, declineFilters, gangHolds, expiredOffers,
                rescindedOffers, etas, queues, unschedulable, List.of());
    }

    /** The reservation of run {@code runId} made this cycle, if any. Linear scan. */
    public Optional<Reservation> reservationOf(String runId) {
        return reservations.stream().filter(r -> r.runId().equals(runId)).findFirst();
    }

    /** A plan without unschedulable tasks. */
    public Plan(long cycle, List<Offer> offers, List<Placement> placements, Map<String, List<PendingReason>> pendingReasons,
            Instant nextWakeUp, List<Preemption> preemptions, List<DeclineFilter> declineFilters, List<GangHold> gangHolds,
            List<String> expiredOffers, List<String> rescindedOffers, Map<String, Instant> etas, List<QueueShare> queues) {
        this(cycle, offers, placements, pendingReasons, nextWakeUp, preemptions, declineFilters, gangHolds, expiredOffers,
                rescindedOffers, etas, queues, Map.of());
    }

    /** A plan of the first core: offers, placements, reasons and a wake-up only. */
    public Plan(long cycle, List<Offer> offers, List<Placement> placements, Map<String, List<PendingReason>> pendingReasons,
            Instant nextWakeUp) {
        this(cycle, offers, placements, pendingReasons, nextWakeUp, List.of(), List.of(), List.of(), List.of(), List.of(),
                Map.of(), List.of());
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

    /** The share of {@code queue} after this cycle, if it is known. Linear scan. */
    public Optional<QueueShare> queue(String queue) {
        return queues.stream().filter(q -> q.queue().equals(queue)).findFirst();
    }
}
