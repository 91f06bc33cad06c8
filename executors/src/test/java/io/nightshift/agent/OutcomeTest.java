package io.nightshift.agent;

import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OutcomeTest {

    @Test
    void exitZeroWithoutKillFinishes() {
        assertThat(Outcome.of(0, null, false)).isEqualTo(new Outcome(TaskState.FINISHED, Reason.EXIT_CODE, 0, "exited with code 0"));
    }

    @Test
    void nonZeroExitFailsWithTheExitCode() {
        Outcome o = Outcome.of(3, null, false);
        assertThat(o.state()).isEqualTo(TaskState.FAILED);
        assertThat(o.reason()).isEqualTo(Reason.EXIT_CODE);
        assertThat(o.exitCode()).isEqualTo(3);
    }

    @Test
    void deathBySignalIsAFailureNamedAfterTheSignal() {
        assertThat(Outcome.of(137, null, false).message()).contains("signal 9").contains("137");
        assertThat(Outcome.of(137, null, true).message()).contains("OOM");
    }

    @Test
    void timeoutIsAFailureWhateverTheExitCode() {
        Outcome o = Outcome.of(143, Reason.TIMEOUT, false);
        assertThat(o.state()).isEqualTo(TaskState.FAILED);
        assertThat(o.reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(o.exitCode()).isEqualTo(143);
    }

    @Test
    void aRequestedKillIsKilledWithItsReasonEvenIfTheTaskExitedZeroOnTerm() {
        assertThat(Outcome.of(0, Reason.KILLED_BY_USER, false).state()).isEqualTo(TaskState.KILLED);
        assertThat(Outcome.of(137, Reason.AGENT_SHUTDOWN, false).reason()).isEqualTo(Reason.AGENT_SHUTDOWN);
    }

    @Test
    void aRevokedAttemptEndsRevokedNotKilledWhateverItsExit() {
        Outcome o = Outcome.of(143, Reason.REVOKED, false);
        assertThat(o.state()).isEqualTo(TaskState.REVOKED);
        assertThat(o.reason()).isEqualTo(Reason.REVOKED);
        assertThat(Outcome.of(0, Reason.REVOKED, false).state()).isEqualTo(TaskState.REVOKED);
    }
}
