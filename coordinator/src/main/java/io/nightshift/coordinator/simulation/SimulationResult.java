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
 * @param jobs          jobs submitted (a gang job counts once; {@code submitted} counts its tasks)
 * @param skipped       trace jobs left out because they are wider than the whole cluster
 * @param figures       per started job: time-weighted cpu utilization, wait (submit to start) and bounded
 *                      slowdown {@code max(1, (wait + run) / max(run, 10 s))} as mean, p50, p90, p99; the same
 *                      waits for gang jobs only
 * @param recorded      for a trace with recorded waits (SWF field 3): the same figures from those, what that
 *                      machine's own scheduler did; null otherwise
 * @param wallSeconds   wall-clock time of the whole run (for information)
 * @param refused       jobs refused on arrival because their queue already held
 *                      {@code coordinator.queue.max-queued} waiting jobs (the coordinator answers such a submit 429)
 */
public record SimulationResult(long seed, double simulatedSeconds, long cycles, int agents, long submitted,
                               long started, long finished, long preemptions, long pendingAtEnd, long runningAtEnd,
                               Map<String, Double> utilization, Map<String, Double> waitSeconds,
                               Map<String, QueueSummary> queues, Map<String, Double> cycleMillis, List<String> charts,
                               long jobs, long skipped, Figures figures, Figures recorded, double wallSeconds,
                               long refused) {

    /** A run without job figures (tests of tools around the simulator). */
    public SimulationResult(long seed, double simulatedSeconds, long cycles, int agents, long submitted, long started,
            long finished, long preemptions, long pendingAtEnd, long runningAtEnd, Map<String, Double> utilization,
            Map<String, Double> waitSeconds, Map<String, QueueSummary> queues, Map<String, Double> cycleMillis,
            List<String> charts) {
        this(seed, simulatedSeconds, cycles, agents, submitted, started, finished, preemptions, pendingAtEnd, runningAtEnd,
                utilization, waitSeconds, queues, cycleMillis, charts, 0, 0, null, null, 0, 0);
    }

    /**
     * Scheduling outcome over a set of jobs.
     *
     * @param jobs            how many jobs the figures are over
     * @param utilization     cpu-seconds held over the cluster's cpu-seconds, in [0, 1]
     * @param waitSeconds     mean, p50, p90, p99 of submit-to-start
     * @param boundedSlowdown mean, p50, p90, p99 of {@code max(1, (wait + run) / max(run, 10 s))}
     * @param gangJobs        how many of the jobs are gangs (wider than one agent)
     * @param gangWaitSeconds mean, p50, p90, p99 of the gangs' waits
     */
    public record Figures(long jobs, double utilization, Map<String, Double> waitSeconds, Map<String, Double> boundedSlowdown,
                          long gangJobs, Map<String, Double> gangWaitSeconds) {
    }

    /**
     * @param meanShare     mean dominant share over the samples after warm-up
     * @param meanIdeal     mean of DRF's ideal share (weighted max-min fair, given the demand) over the same samples
     * @param relativeError |meanShare - meanIdeal| / meanIdeal (0 when the ideal is 0)
     * @param waitMean      mean wait of the queue's started jobs (s); waitP50/P90/P99 their percentiles
     * @param boundedSlowdown mean bounded slowdown of the queue's started jobs
     * @param utilization   the queue's cpu-seconds over the cluster's, time-weighted over the run
     */
    public record QueueSummary(double weight, double meanShare, double meanIdeal, double relativeError, long started,
                               long finished, long preempted, double waitP50, double waitP99, double waitMean, double waitP90,
                               double boundedSlowdown, double utilization) {
    }

    public String toJson() {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
