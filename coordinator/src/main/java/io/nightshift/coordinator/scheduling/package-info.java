/**
 * The scheduling core: a pure function from a {@link io.nightshift.coordinator.scheduling.ClusterSnapshot}
 * to a {@link io.nightshift.coordinator.scheduling.Plan} (Nomad's scheduler, Aurora's SchedulingFilter,
 * Mesos' DRF allocator).
 *
 * <p>Contract for everything in this package: no clock (time comes in the snapshot), no network, no
 * files, no randomness, no Vert.x, no Hazelcast, no logging of decisions (decisions are data in the
 * plan). What must outlive a cycle (offers, decline filters, gang holds) goes out in the plan and comes
 * back in the next snapshot. The same core drives the coordinator and the simulator
 * ({@code io.nightshift.coordinator.simulation}). {@code ArchitectureTest} enforces the imports.
 *
 * <p>Pieces:
 * <ul>
 *   <li>{@link io.nightshift.coordinator.scheduling.OrderingPolicy} — which task is tried next:
 *       {@link io.nightshift.coordinator.scheduling.DrfOrdering} (weighted DRF over queues, guarantees
 *       first; priority, deadline, age inside a queue), re-ranked after each placement;</li>
 *   <li>{@link io.nightshift.coordinator.scheduling.SchedulingFilter} — may this task go on this agent,
 *       and if not, why ({@link io.nightshift.coordinator.scheduling.Veto}s): resources
 *       ({@link io.nightshift.coordinator.scheduling.ResourceFilter}) and placement constraints
 *       ({@link io.nightshift.coordinator.scheduling.ConstraintFilter});</li>
 *   <li>{@link io.nightshift.coordinator.scheduling.OfferCycle} — the allocator: offers to one queue at a
 *       time, placement through an index of free capacity, gangs, preemption, decline filters, why
 *       pending; its knobs in {@link io.nightshift.coordinator.scheduling.SchedulingPolicy};</li>
 *   <li>{@link io.nightshift.coordinator.scheduling.Drf} — the share arithmetic and the water-filled
 *       fair shares.</li>
 * </ul>
 */
package io.nightshift.coordinator.scheduling;
