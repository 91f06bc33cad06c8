package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.util.Objects;

/**
 * Task {@code taskId} goes onto {@code agentId}, taking {@code resources} out of offer {@code offerId}, for
 * queue {@code queue}.
 */
public record Placement(String taskId, String jobId, String agentId, String offerId, Resources resources,
                        String queue) {

    public Placement {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(offerId, "offerId");
        Objects.requireNonNull(resources, "resources");
        queue = queue == null ? PendingTask.DEFAULT_QUEUE : queue;
    }

    /** A placement for the default queue. */
    public Placement(String taskId, String jobId, String agentId, String offerId, Resources resources) {
        this(taskId, jobId, agentId, offerId, resources, PendingTask.DEFAULT_QUEUE);
    }
}
