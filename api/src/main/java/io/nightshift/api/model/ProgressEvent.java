package io.nightshift.api.model;

/**
 * A kafka task's progress as an {@code event: progress} of {@code GET /v1/events?progress=true}: live only (no
 * {@code id}, never replayed), at most one per task every few seconds, plus the last one of each attempt
 * ({@code progress.finished}) as soon as it arrives.
 */
public record ProgressEvent(String jobId, String taskId, TaskProgress progress) {
}
