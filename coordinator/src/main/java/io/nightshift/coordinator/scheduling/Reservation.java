package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Room promised to a waiting gang (or wide task) from the earliest time enough of it frees up: EASY backfill's
 * reservation (Slurm's backfill, YuniKorn's placeholders). Computed afresh every cycle from the running tasks'
 * expected ends ({@link RunningTask#expectedEnd()}); tasks without one are taken to run forever. Smaller work
 * may use the reserved agents only when it ends before {@code start} or takes only what the reservation
 * leaves over there, so backfill never moves {@code start} later.
 *
 * @param runId     the run the reservation is for (a gang's run, or a single task's)
 * @param jobId     its job
 * @param queue     its queue
 * @param instances how many instances it reserves room for
 * @param start     the earliest time all instances fit, from the running tasks' expected ends
 * @param agents    agent id → the room reserved there (whole instances), in id order
 */
public record Reservation(String runId, String jobId, String queue, int instances, Instant start,
                          Map<String, Resources> agents) {

    public Reservation {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(start, "start");
        agents = java.util.Collections.unmodifiableMap(new TreeMap<>(agents));
    }
}
