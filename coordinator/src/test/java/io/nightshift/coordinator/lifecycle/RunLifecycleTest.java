package io.nightshift.coordinator.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.model.Task;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunLifecycleTest {
    final JobSpec spec = JobSpec.command("true").id("j").build();

    Task finished(int code) {
        Task t = TaskLifecycleTest.runningOn("a", spec);
        return TaskLifecycle.onStatus(t, spec, false, t.currentAttempt().id(), code == 0 ? TaskState.FINISHED : TaskState.FAILED,
                Reason.EXIT_CODE, code, null, TaskLifecycleTest.T0).task();
    }

    @Test
    void queuedUntilAnAttemptStartsThenRunning() {
        assertThat(RunLifecycle.derive(List.of(TaskLifecycleTest.pendingTask()), false).state()).isEqualTo(JobState.QUEUED);
        assertThat(RunLifecycle.derive(List.of(TaskLifecycleTest.runningOn("a", spec)), false).state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void succeedsWhenAllFinishFailsWhenAnyFailsKilledWhenKillRequested() {
        assertThat(RunLifecycle.derive(List.of(finished(0), finished(0)), false).state()).isEqualTo(JobState.SUCCEEDED);
        RunLifecycle.Outcome failed = RunLifecycle.derive(List.of(finished(0), finished(2)), false);
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.reason()).isEqualTo(Reason.EXIT_CODE);
        assertThat(RunLifecycle.derive(List.of(finished(2)), true).state()).isEqualTo(JobState.KILLED);
    }

    @Test
    void anInstanceStoppedByAScaleDownIsNeitherAKillNorAFailureOfTheRun() {
        Task running = TaskLifecycleTest.runningOn("a", spec);
        TaskLifecycle.Transition stop = TaskLifecycle.onScaledDown(running, spec);
        assertThat(stop.effects()).singleElement().isInstanceOfSatisfying(TaskLifecycle.Effect.KillAttempt.class,
                k -> assertThat(k.reason()).isEqualTo(Reason.SCALED_DOWN));
        Task stopped = TaskLifecycle.onStatus(running, spec, false, running.currentAttempt().id(), TaskState.KILLED,
                Reason.SCALED_DOWN, 0, null, TaskLifecycleTest.T0).task();
        assertThat(stopped.state()).isEqualTo(TaskState.KILLED);
        assertThat(RunLifecycle.derive(List.of(finished(0), stopped), false).state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(RunLifecycle.derive(List.of(finished(2), stopped), false).state()).isEqualTo(JobState.FAILED);

        Task pending = TaskLifecycleTest.pendingTask();
        Task gone = TaskLifecycle.onScaledDown(pending, spec).task();
        assertThat(gone.state()).isEqualTo(TaskState.KILLED);
        assertThat(gone.reason()).isEqualTo(Reason.SCALED_DOWN);
    }

    @Test
    void staysRunningWhileAnyTaskIsNotTerminal() {
        assertThat(RunLifecycle.derive(List.of(finished(0), TaskLifecycleTest.runningOn("a", spec)), false).state())
                .isEqualTo(JobState.RUNNING);
    }
}
