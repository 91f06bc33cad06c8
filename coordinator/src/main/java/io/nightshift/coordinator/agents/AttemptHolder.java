package io.nightshift.coordinator.agents;

import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.Task;

/** Whose word counts for an attempt: only the agent it was placed on may report its status. Pure. */
public final class AttemptHolder {
    private AttemptHolder() {
    }

    /** False when {@code task} has attempt {@code attemptId} and it was placed on another agent than {@code agentId}. */
    public static boolean mayReport(Task task, String attemptId, String agentId) {
        for (Attempt a : task.attempts()) {
            if (a.id().equals(attemptId)) return a.agentId() == null || a.agentId().equals(agentId);
        }
        return true; // an attempt the task does not have changes nothing (the lifecycle ignores it)
    }
}
