package io.nightshift.coordinator.lifecycle;

import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.Task;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.util.List;

/**
 * A run's state follows from its tasks (pure). QUEUED until an attempt has started; RUNNING while
 * any task is not terminal; then KILLED if a kill was requested or a task was killed, FAILED if
 * any task failed or was lost for good, SUCCEEDED when all finished; UPSTREAM_FAILED when no task ran because a job
 * it waits for did not end as asked. An instance stopped by a
 * scale-down (KILLED, {@code SCALED_DOWN}) counts as neither killed nor failed.
 */
public final class RunLifecycle {
    private RunLifecycle() {
    }

    public record Outcome(JobState state, Reason reason) {
    }

    public static Outcome derive(List<Task> tasks, boolean killRequested) {
        boolean allTerminal = true, started = false, anyKilled = false;
        Reason failure = null;
        for (Task t : tasks) {
            if (!t.state().isTerminal()) allTerminal = false;
            for (Attempt a : t.attempts()) if (a.startedAt() != null) started = true;
            if (t.state() == TaskState.KILLED && t.reason() != Reason.SCALED_DOWN) anyKilled = true;
            if ((t.state() == TaskState.FAILED || t.state() == TaskState.LOST) && failure == null) failure = t.reason();
        }
        if (!allTerminal) return new Outcome(started ? JobState.RUNNING : JobState.QUEUED, null);
        if (!tasks.isEmpty() && tasks.stream().allMatch(t -> t.reason() == Reason.UPSTREAM_FAILED))
            return new Outcome(JobState.UPSTREAM_FAILED, Reason.UPSTREAM_FAILED);
        if (killRequested || anyKilled) return new Outcome(JobState.KILLED, Reason.KILLED_BY_USER);
        if (failure != null) return new Outcome(JobState.FAILED, failure);
        return new Outcome(JobState.SUCCEEDED, null);
    }
}
