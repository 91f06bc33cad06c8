package io.nightshift.coordinator.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.model.Task;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import io.nightshift.coordinator.lifecycle.TaskLifecycle.Transition;
import org.junit.jupiter.api.Test;

class RevokedLifecycleTest {
    final JobSpec noRetry = JobSpec.command("true").id("j").revocable(true).build();

    @Test
    void aRevokedAttemptIsRequeuedAtOnceWithoutUsingARetry() {
        Task t = TaskLifecycleTest.runningOn("a1", noRetry);
        Transition tr = TaskLifecycle.onStatus(t, noRetry, false, "j.r1.0.1", TaskState.REVOKED, Reason.REVOKED, 143, null,
                TaskLifecycleTest.T0.plusSeconds(30));
        assertThat(tr.task().state()).isEqualTo(TaskState.PENDING);
        assertThat(tr.task().reason()).isEqualTo(Reason.REVOKED);
        assertThat(tr.task().notBefore()).isNull();
        assertThat(tr.task().currentAttempt().state()).isEqualTo(TaskState.REVOKED);
        // no retries were allowed, yet it runs again: a revocation is not a failure
        Task again = TaskLifecycle.placed(tr.task(), "a2", "h2", TaskLifecycleTest.T0.plusSeconds(31));
        assertThat(again.currentAttempt().number()).isEqualTo(2);
        assertThat(TaskLifecycle.countedAttempts(again)).isEqualTo(1);
    }

    @Test
    void aRevocationAfterTheUserAskedForAKillEndsTheTask() {
        Task t = TaskLifecycleTest.runningOn("a1", noRetry);
        Transition tr = TaskLifecycle.onStatus(t, noRetry, true, "j.r1.0.1", TaskState.REVOKED, Reason.REVOKED, 143, null,
                TaskLifecycleTest.T0.plusSeconds(30));
        assertThat(tr.task().state()).isEqualTo(TaskState.REVOKED);
        assertThat(tr.task().state().isTerminal()).isTrue();
    }
}
