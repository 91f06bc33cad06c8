package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.model.JobDetail;
import io.nightshift.api.model.PendingReason;
import io.nightshift.api.model.Task;
import java.util.List;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.TaskState;
import org.junit.jupiter.api.Test;

class ProgressTest {
    final Progress progress = new Progress(CliRunner.CLOCK);

    @Test
    void eachChangeIsReportedOnceInOrder() {
        assertThat(progress.update(Fixtures.pending("j", PendingReason.of("no.agents", PendingReason.Kind.DYNAMIC, 0, "no agent is registered"))))
                .containsExactly("10:00:00 job j QUEUED", "10:00:00 waiting: no agent is registered");
        assertThat(progress.update(Fixtures.pending("j", PendingReason.of("no.agents", PendingReason.Kind.DYNAMIC, 0, "no agent is registered"))))
                .isEmpty();
        assertThat(progress.update(Fixtures.detail("j", JobState.RUNNING,
                Fixtures.attempt("j.r1.0", 1, TaskState.RUNNING, null))))
                .containsExactly("10:00:00 job j RUNNING", "10:00:00 task j.r1.0 attempt 1 RUNNING on agent-1 (host-1)");
        assertThat(progress.update(Fixtures.detail("j", JobState.FAILED,
                Fixtures.attempt("j.r1.0", 1, TaskState.FAILED, 2))))
                .containsExactly("10:00:00 task j.r1.0 attempt 1 FAILED exit 2", "10:00:00 job j FAILED (EXIT_CODE)");
    }

    @Test
    void aFirstSnapshotOfAFinishedJobTellsTheWholeStory() {
        assertThat(progress.update(Fixtures.detail("j", JobState.SUCCEEDED,
                Fixtures.attempt("j.r1.0", 1, TaskState.FAILED, 1),
                Fixtures.attempt("j.r1.0", 2, TaskState.FINISHED, 0))))
                .containsExactly("10:00:00 task j.r1.0 attempt 1 FAILED exit 1",
                        "10:00:00 task j.r1.0 attempt 2 FINISHED exit 0",
                        "10:00:00 job j SUCCEEDED");
    }

    @Test
    void aRetryBackOffIsToldOnceByTheTaskLine() {
        JobDetail failedOnce = Fixtures.detail("j", JobState.RUNNING, Fixtures.attempt("j.r1.0", 1, TaskState.FAILED, 1));
        Task t = failedOnce.runs().get(0).tasks().get(0);
        Task waiting = new Task(1, t.id(), t.jobId(), t.runId(), 0, TaskState.PENDING, null, t.queuedAt(),
                Fixtures.T0.plusSeconds(3600), t.attempts());
        JobDetail d = new JobDetail(failedOnce.job(), List.of(new JobDetail.RunDetail(failedOnce.runs().get(0).run(), List.of(waiting))),
                new JobDetail.Pending(List.of(t.id()), List.of(PendingReason.of("backoff", PendingReason.Kind.DYNAMIC, 0, "retry back-off until later"))));

        assertThat(progress.update(d)).containsExactly("10:00:00 job j RUNNING",
                "10:00:00 task j.r1.0 attempt 1 FAILED exit 1", "10:00:00 task j.r1.0 waits to retry until 10:00:00");
    }

    @Test
    void aLongWaitWithoutChangeSaysEveryHalfMinuteThatTheJobIsStillThere() {
        java.util.concurrent.atomic.AtomicReference<java.time.Instant> now = new java.util.concurrent.atomic.AtomicReference<>(
                java.time.Instant.parse("2025-03-01T10:00:00Z"));
        java.time.Clock clock = new java.time.Clock() {
            @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
            @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public java.time.Instant instant() { return now.get(); }
        };
        Progress p = new Progress(clock);
        JobDetail running = Fixtures.detail("j", JobState.RUNNING, Fixtures.attempt("j.r1.0", 1, TaskState.RUNNING, null));
        assertThat(p.update(running)).hasSize(2);
        now.set(now.get().plusSeconds(29));
        assertThat(p.update(running)).isEmpty();
        now.set(now.get().plusSeconds(1));
        // Fixtures submit at 09:00:00: an hour and 30 seconds before
        assertThat(p.update(running)).containsExactly("10:00:30 job j still RUNNING after 1h");
        now.set(now.get().plusSeconds(10));
        assertThat(p.update(running)).isEmpty();
    }

    @Test
    void coloursGoOnlyOnTheStatesAndTheTime() {
        Progress coloured = new Progress(CliRunner.CLOCK, Style.ANSI);
        List<String> lines = coloured.update(Fixtures.detail("j", JobState.FAILED, Fixtures.attempt("j.r1.0", 1, TaskState.FAILED, 2)));
        assertThat(lines).extracting(Style::strip)
                .containsExactly("10:00:00 task j.r1.0 attempt 1 FAILED exit 2", "10:00:00 job j FAILED (EXIT_CODE)");
        assertThat(lines.get(1)).contains("\u001b[1;31mFAILED\u001b[0m");
    }

    @Test
    void artifactFetchProgressIsShownAsItMovesOn() {
        io.nightshift.api.model.Attempt fetching = Fixtures.attempt("j.r1.0", 1, TaskState.FETCHING, null);
        java.util.function.Function<String, io.nightshift.api.model.Attempt> at = msg -> new io.nightshift.api.model.Attempt(
                fetching.id(), 1, "agent-1", "host-1", TaskState.FETCHING, null, null, msg, Fixtures.T0, null, null);
        assertThat(progress.update(Fixtures.detail("j", JobState.RUNNING, at.apply("fetching lib/app.jar (1/1): 12.0 of 200.0 MiB"))))
                .contains("10:00:00 task j.r1.0 attempt 1 FETCHING on agent-1 (host-1): fetching lib/app.jar (1/1): 12.0 of 200.0 MiB");
        assertThat(progress.update(Fixtures.detail("j", JobState.RUNNING, at.apply("fetching lib/app.jar (1/1): 96.0 of 200.0 MiB"))))
                .containsExactly("10:00:00 task j.r1.0 attempt 1 FETCHING on agent-1 (host-1): fetching lib/app.jar (1/1): 96.0 of 200.0 MiB");
    }

    static io.nightshift.api.model.Attempt fetchingWith(long done, long total) {
        var f = io.nightshift.api.model.FetchProgress.of(java.util.List.of(
                new io.nightshift.api.model.FetchProgress.Artifact("lib/app.jar", "http://h/app.jar", "fetching", done, total)));
        return new io.nightshift.api.model.Attempt("j.r1.0.1", 1, "agent-1", "host-1", TaskState.FETCHING, null, null,
                "fetching lib/app.jar (1/1)", Fixtures.T0, null, null, f);
    }

    @Test
    void fetchBytesAreShownAsFiguresOnPlainOutput() {
        assertThat(progress.update(Fixtures.detail("j", JobState.RUNNING, fetchingWith(50L << 20, 200L << 20))))
                .contains("10:00:00 task j.r1.0 attempt 1 FETCHING on agent-1 (host-1): 50.0 of 200.0 MiB (25%)");
        assertThat(progress.bar(Fixtures.detail("j", JobState.RUNNING, fetchingWith(50L << 20, 200L << 20))))
                .isEqualTo("task j.r1.0 attempt 1 fetching [\u2588\u2588\u2588\u2588\u2588\u2588" + "\u2591".repeat(18)
                        + "]  25%  50.0 of 200.0 MiB");
    }

    @Test
    void onATerminalTheBarCarriesTheFiguresAndTheLinesDoNotRepeatThem() {
        var first = progress.updateWithoutFetchFigures(Fixtures.detail("j", JobState.RUNNING, fetchingWith(1L << 20, 200L << 20)));
        assertThat(first).anyMatch(l -> l.endsWith("attempt 1 FETCHING on agent-1 (host-1)"));
        assertThat(progress.updateWithoutFetchFigures(Fixtures.detail("j", JobState.RUNNING, fetchingWith(150L << 20, 200L << 20))))
                .as("only the bar moves").isEmpty();
        assertThat(progress.bar(Fixtures.detail("j", JobState.RUNNING, fetchingWith(150L << 20, 200L << 20)))).contains(" 75%  150.0 of 200.0 MiB");
        assertThat(progress.bar(Fixtures.detail("j", JobState.RUNNING, fetchingWith(3L << 20, -1)))).as("total unknown")
                .endsWith("]  3.0 MiB").doesNotContain("%");
    }
}
