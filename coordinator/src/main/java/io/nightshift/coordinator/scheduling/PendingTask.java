package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.time.Instant;
import java.util.Objects;

/**
 * A task waiting for a place.
 *
 * @param priority  higher is placed first
 * @param queuedAt  when it became pending; older is placed first among equal priorities
 * @param notBefore nullable: retry back-off; the task is not placed while {@code notBefore} is after
 *                  the snapshot's {@code now}
 * @param resources what one instance needs on one agent
 */
public record PendingTask(String taskId, String jobId, int priority, Instant queuedAt, Instant notBefore,
                          Resources resources) {

    public PendingTask {
        if (taskId == null || taskId.isBlank()) {
            throw new IllegalArgumentException("taskId must not be blank");
        }
        if (jobId == null || jobId.isBlank()) {
            throw new IllegalArgumentException("jobId of task " + taskId + " must not be blank");
        }
        Objects.requireNonNull(queuedAt, () -> "queuedAt of task " + taskId);
        Objects.requireNonNull(resources, () -> "resources of task " + taskId);
    }

    /** True when the task is still in retry back-off at {@code now}. */
    public boolean backingOffAt(Instant now) {
        return notBefore != null && notBefore.isAfter(now);
    }
}
