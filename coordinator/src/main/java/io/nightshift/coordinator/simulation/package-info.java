/**
 * {@code nightshift simulate}: the scheduling core ({@link io.nightshift.coordinator.scheduling.OfferCycle},
 * the very class the coordinator calls) on a virtual clock, over a synthetic or traced workload, with
 * the safety {@link io.nightshift.coordinator.simulation.Invariants} checked every tick, a JSON summary
 * ({@link io.nightshift.coordinator.simulation.SimulationResult}) and XChart plots. Entry points:
 * {@link io.nightshift.coordinator.simulation.Simulator#run(SimulationConfig)} and
 * {@link io.nightshift.coordinator.simulation.SimulationConfig#parse(java.util.Map)}.
 *
 * <p>Unlike the core, this package may read files, write charts and use a seeded {@link java.util.Random}.
 */
package io.nightshift.coordinator.simulation;
