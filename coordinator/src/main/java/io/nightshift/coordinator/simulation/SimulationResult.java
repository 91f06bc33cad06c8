package io.nightshift.coordinator.simulation;

import io.nightshift.api.json.Json;

import java.util.List;
import java.util.Map;

/**
 * The summary of a simulation, written as JSON ({@link #toJson()}) and as {@code summary.json} in the
 * output directory. Times are in seconds of simulated time; shares are dominant shares in [0, 1].
 *
 * @param utilization   mean fraction of the cluster's cpus and memory held by tasks, over the samples
 * @param waitSeconds   submit-to-first-start percentiles (p50, p90, p99, max) over the tasks that started
 * @param queues        per queue: mean share vs DRF's ideal (the water-filled fair share) after warm-up
 * @param cycleMillis   wall-clock cost of one offer cycle in this run (mean, p99, max): for information, not
 *                      part of the simulated outcome
 * @param charts        files written (PNG and SVG), empty without an output directory
 */
public record SimulationResult(long seed, double simulatedSeconds, long cycles, int agents, long submitted,
                               long started, long finished, long preemptions, long pendingAtEnd, long runningAtEnd,
                               Map<String, Double> utilization, Map<String, Double> waitSeconds,
                               Map<String, QueueSummary> queues, Map<String, Double> cycleMillis, List<String> charts) {

    /**
     * @param meanShare     mean dominant share over the samples after warm-up
     * @param meanIdeal     mean of DRF's ideal share (weighted max-min fair, given the demand) over the same samples
     * @param relativeError |meanShare - meanIdeal| / meanIdeal (0 when the ideal is 0)
     */
    public record QueueSummary(double weight, double meanShare, double meanIdeal, double relativeError, long started,
                               long finished, long preempted, double waitP50, double waitP99) {
    }

    public String toJson() {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
