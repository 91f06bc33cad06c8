package io.nightshift.coordinator.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.model.FetchProgress;
import io.nightshift.api.model.Task;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import io.nightshift.coordinator.lifecycle.TaskLifecycle.Effect;
import io.nightshift.coordinator.lifecycle.TaskLifecycle.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskLifecycleTest {
    static final Instant T0 = Instant.parse("2026-11-25T22:00:00Z");
    final JobSpec noRetry = JobSpec.command("true").id("j").build();
    final JobSpec twoRetries = JobSpec.command("false").id("j").retries(2, Duration.ofSeconds(1), Duration.ofSeconds(3)).build();

    static Task pendingTask() {
        return new Task(1, "j.r1.0", "j", "j.r1", 0, TaskState.PENDING, null, T0, null, List.of());
    }

    static Task runningOn(String agent, JobSpec spec) {
        Task t = TaskLifecycle.placed(pendingTask(), agent, "host-" + agent, T0);
        return TaskLifecycle.onStatus(t, spec, false, t.currentAttempt().id(), TaskState.RUNNING, null, null, null, T0).task();
    }

    @Test
    void placingStartsAStagingAttemptNumberedFromOne() {
        Task t = TaskLifecycle.placed(pendingTask(), "a1", "h1", T0);
        assertThat(t.state()).isEqualTo(TaskState.STAGING);
        assertThat(t.currentAttempt().id()).isEqualTo("j.r1.0.1");
        assertThat(t.currentAttempt().agentId()).isEqualTo("a1");
    }

    @Test
    void exitZeroFinishesAndReleasesResources() {
        Task t = runningOn("a1", noRetry);
        Transition tr = TaskLifecycle.onStatus(t, noRetry, false, "j.r1.0.1", TaskState.FINISHED, Reason.EXIT_CODE, 0, null, T0.plusSeconds(5));
        assertThat(tr.task().state()).isEqualTo(TaskState.FINISHED);
        assertThat(tr.task().currentAttempt().exitCode()).isZero();
        assertThat(tr.task().currentAttempt().finishedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(tr.effects()).containsExactly(new Effect.Release("a1", noRetry.resources()));
    }

    @Test
    void failureWithRetriesLeftGoesBackToPendingAfterExponentialBackoff() {
        Task t = runningOn("a1", twoRetries);
        Transition first = TaskLifecycle.onStatus(t, twoRetries, false, "j.r1.0.1", TaskState.FAILED, Reason.EXIT_CODE, 1, null, T0);
        assertThat(first.task().state()).isEqualTo(TaskState.PENDING);
        assertThat(first.task().notBefore()).isEqualTo(T0.plusSeconds(1));
        assertThat(first.effects()).contains(new Effect.WakeAt(T0.plusSeconds(1)));

        Task second = TaskLifecycle.placed(first.task(), "a2", "h2", T0.plusSeconds(1));
        assertThat(second.currentAttempt().number()).isEqualTo(2);
        Transition again = TaskLifecycle.onStatus(second, twoRetries, false, "j.r1.0.2", TaskState.FAILED, Reason.EXIT_CODE, 1, null, T0.plusSeconds(2));
        assertThat(again.task().notBefore()).isEqualTo(T0.plusSeconds(4)); // 1 s, then 2 s

        Task third = TaskLifecycle.placed(again.task(), "a1", "h1", T0.plusSeconds(4));
        Transition last = TaskLifecycle.onStatus(third, twoRetries, false, "j.r1.0.3", TaskState.FAILED, Reason.EXIT_CODE, 1, null, T0.plusSeconds(5));
        assertThat(last.task().state()).as("retries used up").isEqualTo(TaskState.FAILED);
        assertThat(last.task().attempts()).hasSize(3);
    }

    @Test
    void fetchProgressUpdatesTheMessageWhileTheStateStaysFetching() {
        Task t = TaskLifecycle.placed(pendingTask(), "a1", "h1", T0);
        t = TaskLifecycle.onStatus(t, noRetry, false, "j.r1.0.1", TaskState.FETCHING, null, null, "fetching 1 artifact", T0).task();
        Transition progress = TaskLifecycle.onStatus(t, noRetry, false, "j.r1.0.1", TaskState.FETCHING, null, null,
                "fetching app.jar (1/1): 12.0 of 200.0 MiB", T0.plusSeconds(2));
        assertThat(progress.changed()).isTrue();
        assertThat(progress.task().state()).isEqualTo(TaskState.FETCHING);
        assertThat(progress.task().currentAttempt().message()).contains("12.0 of 200.0 MiB");
        assertThat(TaskLifecycle.onStatus(progress.task(), noRetry, false, "j.r1.0.1", TaskState.FETCHING, null, null,
                "fetching app.jar (1/1): 12.0 of 200.0 MiB", T0.plusSeconds(3)).changed()).as("a duplicate").isFalse();
        Task running = TaskLifecycle.onStatus(progress.task(), noRetry, false, "j.r1.0.1", TaskState.RUNNING, null, null,
                "pid 7", T0.plusSeconds(4)).task();
        assertThat(TaskLifecycle.onStatus(running, noRetry, false, "j.r1.0.1", TaskState.FETCHING, null, null,
                "late progress", T0.plusSeconds(5)).changed()).as("a late one after RUNNING").isFalse();
    }

    @Test
    void whatARunningDriverTellsReplacesTheMessageWhileTheStateStaysRunning() {
        Task t = runningOn("a1", noRetry);
        Transition told = TaskLifecycle.onStatus(t, noRetry, false, "j.r1.0.1", TaskState.RUNNING, null, null,
                "spark application local-17; driver UI http://h1:4040", T0.plusSeconds(1));
        assertThat(told.changed()).isTrue();
        assertThat(told.task().state()).isEqualTo(TaskState.RUNNING);
        assertThat(told.task().currentAttempt().message()).isEqualTo("spark application local-17; driver UI http://h1:4040");
        assertThat(TaskLifecycle.onStatus(told.task(), noRetry, false, "j.r1.0.1", TaskState.RUNNING, null, null,
                "spark application local-17; driver UI http://h1:4040", T0.plusSeconds(2)).changed()).as("a duplicate").isFalse();
    }

    @Test
    void theDriversAppIdAndUiUrlLandAsFieldsOfTheAttemptAreMergedAndStayOnceItEnds() {
        Task t = runningOn("a1", noRetry);
        Transition id = TaskLifecycle.onStatus(t, noRetry, false, "j.r1.0.1", TaskState.RUNNING, null, null,
                "spark application local-17", null, io.nightshift.api.model.AppInfo.spark("local-17", null), T0.plusSeconds(1));
        assertThat(id.changed()).isTrue();
        assertThat(id.task().currentAttempt().app().sparkAppId()).isEqualTo("local-17");
        assertThat(id.task().currentAttempt().app().driverUiUrl()).isNull();

        Transition ui = TaskLifecycle.onStatus(id.task(), noRetry, false, "j.r1.0.1", TaskState.RUNNING, null, null,
                null, null, io.nightshift.api.model.AppInfo.spark(null, "http://h1:4040"), T0.plusSeconds(2));
        assertThat(ui.changed()).as("a new fact without a new message").isTrue();
        assertThat(ui.task().currentAttempt().app()).isEqualTo(new io.nightshift.api.model.AppInfo("local-17", "http://h1:4040", null));
        assertThat(TaskLifecycle.onStatus(ui.task(), noRetry, false, "j.r1.0.1", TaskState.RUNNING, null, null, null, null,
                io.nightshift.api.model.AppInfo.spark("local-17", null), T0.plusSeconds(3)).changed()).as("nothing new").isFalse();

        Task done = TaskLifecycle.onStatus(ui.task(), noRetry, false, "j.r1.0.1", TaskState.FINISHED, Reason.EXIT_CODE, 0, "exit 0",
                T0.plusSeconds(9)).task();
        assertThat(done.state()).isEqualTo(TaskState.FINISHED);
        assertThat(done.currentAttempt().app().driverUiUrl()).as("kept for the history").isEqualTo("http://h1:4040");
    }

    @Test
    void fetchBytesAreKeptOnTheAttemptAndSurviveTheMoveToRunning() {
        Task t = TaskLifecycle.placed(pendingTask(), "a1", "h1", T0);
        var waiting = FetchProgress.of(List.of(new FetchProgress.Artifact("app.jar", "http://h/app.jar", "waiting", 0, -1)));
        t = TaskLifecycle.onStatus(t, noRetry, false, "j.r1.0.1", TaskState.FETCHING, null, null, "fetching 1 artifact",
                waiting, T0).task();
        assertThat(t.currentAttempt().fetch().bytesTotal()).as("unknown until the source tells").isEqualTo(-1);
        var half = FetchProgress.of(List.of(new FetchProgress.Artifact("app.jar", "http://h/app.jar", "fetching", 100, 200)));
        Transition progress = TaskLifecycle.onStatus(t, noRetry, false, "j.r1.0.1", TaskState.FETCHING, null, null,
                "fetching 1 artifact", half, T0.plusSeconds(2));
        assertThat(progress.changed()).as("same message, new bytes").isTrue();
        assertThat(progress.task().currentAttempt().fetch().bytesDone()).isEqualTo(100);
        assertThat(progress.task().currentAttempt().fetch().fraction()).isEqualTo(0.5);
        Task running = TaskLifecycle.onStatus(progress.task(), noRetry, false, "j.r1.0.1", TaskState.RUNNING, null, null,
                "pid 7", T0.plusSeconds(4)).task();
        assertThat(running.currentAttempt().fetch()).as("the last figures stay on the attempt").isEqualTo(half);
    }

    @Test
    void staleDuplicateAndBackwardUpdatesChangeNothing() {
        Task t = runningOn("a1", noRetry);
        assertThat(TaskLifecycle.onStatus(t, noRetry, false, "j.r1.0.1", TaskState.RUNNING, null, null, null, T0).changed()).isFalse();
        assertThat(TaskLifecycle.onStatus(t, noRetry, false, "j.r1.0.1", TaskState.STAGING, null, null, null, T0).changed()).isFalse();
        assertThat(TaskLifecycle.onStatus(t, noRetry, false, "j.r1.0.9", TaskState.FINISHED, null, 0, null, T0).changed()).isFalse();
        Task done = TaskLifecycle.onStatus(t, noRetry, false, "j.r1.0.1", TaskState.FINISHED, Reason.EXIT_CODE, 0, null, T0).task();
        assertThat(TaskLifecycle.onStatus(done, noRetry, false, "j.r1.0.1", TaskState.FAILED, Reason.EXIT_CODE, 1, null, T0).changed()).isFalse();
    }

    @Test
    void agentLossMarksAttemptLostAndRetriesPerPolicy() {
        Task t = runningOn("a1", twoRetries);
        Transition tr = TaskLifecycle.onAgentLost(t, twoRetries, false, T0);
        assertThat(tr.task().state()).isEqualTo(TaskState.PENDING);
        assertThat(tr.task().attempts().get(0).state()).isEqualTo(TaskState.LOST);
        assertThat(tr.task().attempts().get(0).reason()).isEqualTo(Reason.AGENT_LOST);

        Transition noRetryLost = TaskLifecycle.onAgentLost(runningOn("a1", noRetry), noRetry, false, T0);
        assertThat(noRetryLost.task().state()).isEqualTo(TaskState.LOST);
    }

    @Test
    void killOfPendingTaskEndsItAtOnceAndOfRunningOneSendsKill() {
        Transition pendingKill = TaskLifecycle.onKillRequested(pendingTask(), noRetry, T0);
        assertThat(pendingKill.task().state()).isEqualTo(TaskState.KILLED);
        assertThat(pendingKill.task().reason()).isEqualTo(Reason.KILLED_BY_USER);

        Transition runningKill = TaskLifecycle.onKillRequested(runningOn("a1", noRetry), noRetry, T0);
        assertThat(runningKill.changed()).isFalse();
        assertThat(runningKill.effects()).containsExactly(
                new Effect.KillAttempt("a1", "j.r1.0.1", noRetry.killGracePeriod(), Reason.KILLED_BY_USER));
    }

    @Test
    void aFailureAfterAKillRequestIsNotRetried() {
        Task t = runningOn("a1", twoRetries);
        Transition tr = TaskLifecycle.onStatus(t, twoRetries, true, "j.r1.0.1", TaskState.FAILED, Reason.EXIT_CODE, 143, null, T0);
        assertThat(tr.task().state()).isEqualTo(TaskState.FAILED);
    }

    @Test
    void anAttemptTheAgentNeverStartedIsRequeuedWithoutUsingARetry() {
        Task staged = TaskLifecycle.placed(pendingTask(), "a1", "h1", T0);
        Transition tr = TaskLifecycle.onMissing(staged, noRetry, false, T0.plusSeconds(1));
        assertThat(tr.task().state()).isEqualTo(TaskState.PENDING);
        assertThat(tr.task().attempts().get(0).state()).isEqualTo(TaskState.LOST);
        assertThat(tr.task().attempts().get(0).reason()).isEqualTo(Reason.RECONCILED);
        assertThat(tr.effects()).containsExactly(new Effect.Release("a1", noRetry.resources()));

        // the next attempt that really ran and then vanished uses the (absent) retry budget: the task ends LOST
        Task second = TaskLifecycle.placed(tr.task(), "a2", "h2", T0.plusSeconds(2));
        Task running = TaskLifecycle.onStatus(second, noRetry, false, second.currentAttempt().id(), TaskState.RUNNING, null, null, null,
                T0.plusSeconds(2)).task();
        Transition gone = TaskLifecycle.onMissing(running, noRetry, false, T0.plusSeconds(3));
        assertThat(gone.task().state()).isEqualTo(TaskState.LOST);
        assertThat(gone.task().reason()).isEqualTo(Reason.RECONCILED);
    }

    @Test
    void aPendingTaskPastItsPendingTimeoutFailsUnschedulableWithoutARetryAndKeepsWhy() {
        var pending = new io.nightshift.api.model.Task(io.nightshift.api.model.Task.SCHEMA_VERSION, "j.r1.0", "j", "j.r1", 0,
                io.nightshift.api.state.TaskState.PENDING, null, java.time.Instant.EPOCH, null, java.util.List.of());
        var why = java.util.List.of(
                io.nightshift.api.model.PendingReason.of("pending.timeout", io.nightshift.api.model.PendingReason.Kind.STATIC, 0,
                        "waited unplaced for 1s, its pendingTimeout; the job ends UNSCHEDULABLE"),
                io.nightshift.api.model.PendingReason.of("no.agents", io.nightshift.api.model.PendingReason.Kind.DYNAMIC, 0,
                        "no agent is registered"));

        var t = TaskLifecycle.onUnschedulable(pending, why);

        assertThat(t.changed()).isTrue();
        assertThat(t.task().state()).isEqualTo(io.nightshift.api.state.TaskState.FAILED);
        assertThat(t.task().reason()).isEqualTo(io.nightshift.api.state.Reason.UNSCHEDULABLE);
        assertThat(t.task().unschedulableReasons()).isEqualTo(why);
        assertThat(t.effects()).isEmpty();
        assertThat(TaskLifecycle.onUnschedulable(t.task(), why).changed()).as("only a pending task").isFalse();
        String stored = io.nightshift.api.json.Json.write(t.task());
        assertThat(io.nightshift.api.json.Json.read(stored, io.nightshift.api.model.Task.class)).as(stored).isEqualTo(t.task());
        assertThat(io.nightshift.api.json.Json.write(pending)).as("left out when none").doesNotContain("unschedulableReasons");
    }
}
