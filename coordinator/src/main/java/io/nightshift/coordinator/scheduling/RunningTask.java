package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.time.Instant;
import java.util.Objects;

/**
 * A task that holds resources on an agent now (staging, fetching or running). The core uses it for
 * queue shares, limits, constraint counts and preemption; the agent's {@code free} in the snapshot
 * already has it subtracted.
 *
 * @param runId       the run it belongs to (gang group); defaults to {@code jobId}
 * @param startedAt   when it was placed; among equal priorities the youngest is preempted first
 * @param preemptions how often tasks of this run were preempted so far; at the policy's budget the task
 *                    is not preempted again
 * @param terminating it is already being killed (preempted, revoked): its resources count as soon free,
 *                    it is never chosen as a victim again
 * @param expectedEnd nullable: when it ends at the latest (start + the job's {@code maxRuntime}); only tasks
 *                    with one free room for a {@link Reservation}
 */
public record RunningTask(String taskId, String jobId, String runId, String queue, String agentId, Resources resources,
                          int priority, Instant startedAt, int preemptions, boolean terminating, Instant expectedEnd) {

    public RunningTask {
        if (taskId == null || taskId.isBlank()) throw new IllegalArgumentException("taskId must not be blank");
        Objects.requireNonNull(jobId, () -> "jobId of running task " + taskId);
        runId = runId == null ? jobId : runId;
        queue = queue == null ? PendingTask.DEFAULT_QUEUE : queue;
        Objects.requireNonNull(agentId, () -> "agentId of running task " + taskId);
        Objects.requireNonNull(resources, () -> "resources of running task " + taskId);
        Objects.requireNonNull(startedAt, () -> "startedAt of running task " + taskId);
        if (preemptions < 0) throw new IllegalArgumentException("preemptions must not be negative: " + taskId);
    }

    /** A task without an expected end. */
    public RunningTask(String taskId, String jobId, String runId, String queue, String agentId, Resources resources,
            int priority, Instant startedAt, int preemptions, boolean terminating) {
        this(taskId, jobId, runId, queue, agentId, resources, priority, startedAt, preemptions, terminating, null);
    }

    public RunningTask(String taskId, String jobId, String queue, String agentId, Resources resources, int priority,
            Instant startedAt) {
        this(taskId, jobId, jobId, queue, agentId, resources, priority, startedAt, 0, false);
    }

    public RunningTask withPreemptions(int v) {
        return new RunningTask(taskId, jobId, runId, queue, agentId, resources, priority, startedAt, v, terminating, expectedEnd);
    }

    public RunningTask withRunId(String v) {
        return new RunningTask(taskId, jobId, v, queue, agentId, resources, priority, startedAt, preemptions, terminating, expectedEnd);
    }

    public RunningTask withExpectedEnd(Instant v) {
        return new RunningTask(taskId, jobId, runId, queue, agentId, resources, priority, startedAt, preemptions, terminating, v);
    }

    public RunningTask asTerminating() {
        return new RunningTask(taskId, jobId, runId, queue, agentId, resources, priority, startedAt, preemptions, true, expectedEnd);
    }
}
