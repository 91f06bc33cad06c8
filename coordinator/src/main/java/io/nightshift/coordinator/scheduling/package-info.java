/**
 * The scheduling core: a pure function from a {@link io.nightshift.coordinator.scheduling.ClusterSnapshot}
 * to a {@link io.nightshift.coordinator.scheduling.Plan} (Nomad's scheduler, Aurora's SchedulingFilter).
 *
 * <p>Contract for everything in this package: no clock (time comes in the snapshot), no network, no
 * files, no Vert.x, no Hazelcast, no logging of decisions (decisions are data in the plan). The same
 * core drives the coordinator and the simulator. {@code ArchitectureTest} enforces the imports.
 *
 * <p>Pieces, so later issues drop in without rewriting the allocator:
 * <ul>
 *   <li>{@link io.nightshift.coordinator.scheduling.OrderingPolicy} — which task is tried next
 *       (today priority, then age; later DRF over queues, fed with each placement);</li>
 *   <li>{@link io.nightshift.coordinator.scheduling.SchedulingFilter} — may this task go on this agent,
 *       and if not, why ({@link io.nightshift.coordinator.scheduling.Veto}s; today resources, later
 *       constraints);</li>
 *   <li>{@link io.nightshift.coordinator.scheduling.OfferCycle} — the allocator: offers, best-fit
 *       placement, summarized pending reasons.</li>
 * </ul>
 */
package io.nightshift.coordinator.scheduling;
