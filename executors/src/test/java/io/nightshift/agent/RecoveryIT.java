package io.nightshift.agent;

import io.nightshift.agent.TestSupport.Report;
import io.nightshift.agent.sandbox.Checkpoint;
import io.nightshift.agent.sandbox.Sandbox;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Recovery of attempts from their checkpoints by a second {@link Attempts} on the same sandboxes, the
 * first one having stopped supervising without touching the processes (an agent restart in miniature).
 */
class RecoveryIT {
    static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @AfterAll
    static void safetyNet() {
        TestSupport.killLeftovers();
    }

    @Test
    void theMaxRuntimeCountsFromTheOriginalStartAcrossARestart() throws Exception {
        Launch l = TestSupport.launch(JobSpec.command("sleep", "60").id("bounded")
                .maxRuntime(Duration.ofSeconds(3)).killGracePeriod(Duration.ofSeconds(1)).build());
        AttemptsHarness first = new AttemptsHarness(work, true);
        first.attempts.launch(l);
        first.awaitRunningPid(l.attemptId());
        first.detach();

        try (AttemptsHarness second = new AttemptsHarness(work, true)) {
            second.attempts.recover().get(10, TimeUnit.SECONDS);
            assertThat(second.attempts.active()).containsExactly(l.attemptId());
            Report end = second.awaitTerminal(l.attemptId(), T);
            assertThat(end.state()).isEqualTo(TaskState.FAILED);
            assertThat(end.reason()).isEqualTo(Reason.TIMEOUT);
            assertThat(end.exitCode()).isEqualTo(143);
            assertThat(second.sink.states(l.attemptId())).containsExactly(TaskState.FAILED); // RUNNING was reported before
            assertThat(TestSupport.markedProcesses(l.attemptId())).isEmpty();
        }
    }

    @Test
    void aKillInProgressIsResumedWithWhatIsLeftOfItsGrace() throws Exception {
        Launch l = TestSupport.launch(JobSpec.shell("trap '' TERM; while :; do sleep 0.1; done").id("stubborn").build());
        AttemptsHarness first = new AttemptsHarness(work, true);
        first.attempts.launch(l);
        first.awaitRunningPid(l.attemptId());
        first.attempts.kill(l.attemptId(), Duration.ofSeconds(2), Reason.KILLED_BY_USER);
        await().atMost(T).until(() -> Sandbox.open(first.sandboxes, l.attemptId()).orElseThrow().readCheckpoint()
                .map(c -> c.killReason() != null).orElse(false));
        first.detach(); // before the grace is over: nothing got SIGKILL yet
        assertThat(TestSupport.markedProcesses(l.attemptId())).isNotEmpty();

        try (AttemptsHarness second = new AttemptsHarness(work, true)) {
            second.attempts.recover().get(10, TimeUnit.SECONDS);
            Report end = second.awaitTerminal(l.attemptId(), T);
            assertThat(end.state()).isEqualTo(TaskState.KILLED);
            assertThat(end.reason()).isEqualTo(Reason.KILLED_BY_USER);
            assertThat(TestSupport.markedProcesses(l.attemptId())).isEmpty();
        }
    }

    @Test
    void anAttemptCaughtBeforeItsProcessStartedIsLostAndOneThatEndedIsNotLaunchedAgain() throws Exception {
        Path sandboxes = work.resolve("sandboxes");
        Launch starting = TestSupport.launch(JobSpec.command("/bin/true").id("starting").build());
        Sandbox.create(sandboxes, starting).writeCheckpoint(Checkpoint.launching(starting.attemptId(), TaskState.FETCHING));
        Launch ended = TestSupport.launch(JobSpec.command("/bin/true").id("ended").build());
        Sandbox.create(sandboxes, ended).writeCheckpoint(Checkpoint.launching(ended.attemptId(), TaskState.FINISHED));

        try (AttemptsHarness h = new AttemptsHarness(work, true)) {
            h.attempts.recover().get(10, TimeUnit.SECONDS);
            Report lost = h.sink.terminal(starting.attemptId());
            assertThat(lost.state()).isEqualTo(TaskState.LOST);
            assertThat(lost.reason()).isEqualTo(Reason.AGENT_LOST);
            assertThat(lost.exitCode()).isNull();
            assertThat(lost.message()).contains("the agent restarted while starting it", "exit status unknown");
            assertThat(Sandbox.open(sandboxes, starting.attemptId()).orElseThrow().readCheckpoint().orElseThrow().state())
                    .isEqualTo(TaskState.LOST);

            assertThat(h.attempts.state(ended.attemptId())).hasValue(TaskState.FINISHED);
            assertThat(h.attempts.launch(ended)).isFalse();
            assertThat(h.sink.states(ended.attemptId())).isEmpty();
        }
    }
}
