package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.util.Objects;

/** Task {@code taskId} goes onto {@code agentId}, taking {@code resources} out of offer {@code offerId}. */
public record Placement(String taskId, String jobId, String agentId, String offerId, Resources resources) {

    public Placement {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(offerId, "offerId");
        Objects.requireNonNull(resources, "resources");
    }
}
