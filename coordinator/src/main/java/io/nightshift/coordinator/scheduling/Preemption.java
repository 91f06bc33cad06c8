package io.nightshift.coordinator.scheduling;

import java.util.Objects;

/**
 * Stop running task {@code taskId} on {@code agentId} to make room for pending task {@code forTaskId}.
 * The shell sends SIGTERM with the task's kill grace period, then re-queues it counted as preempted
 * (not failed), and passes it as {@link RunningTask#terminating()} (see {@link RunningTask#asTerminating()}) until it has exited.
 *
 * @param code   {@code preempted.fair-share}, {@code preempted.guarantee} or {@code preempted.priority}
 * @param reason a sentence for people, e.g. why the victim's queue is above its fair share
 */
public record Preemption(String taskId, String jobId, String queue, String agentId, String forTaskId, String code,
                         String reason) {

    public Preemption {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(forTaskId, "forTaskId");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(reason, "reason");
    }
}
