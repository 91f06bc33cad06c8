package io.nightshift.cli;

import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.model.Task;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Turns successive snapshots of one job into "what changed" lines for {@code submit --wait} and
 * {@code demo}: the job's state, each attempt's state (with agent and exit code), retry back-offs,
 * and why the job waits. Each change is reported once, prefixed with the local time.
 */
final class Progress {
    /** The pending-reason code of a task waiting out its retry back-off. */
    static final String BACKOFF = "backoff";

    private final Clock clock;
    private String jobLine;
    private final Map<String, String> attempts = new HashMap<>();
    private final Map<String, String> retries = new HashMap<>();
    private String waiting;
    /** A wait without any change for this long gets a "still ..." line, so a long wait shows it is alive. */
    static final java.time.Duration HEARTBEAT = java.time.Duration.ofSeconds(30);
    private java.time.Instant lastLine;

    private final Style style;

    Progress(Clock clock) {
        this(clock, Style.PLAIN);
    }

    Progress(Clock clock, Style style) {
        this.clock = clock;
        this.style = style;
    }

    /**
     * On a terminal: the line redrawn in place under the others while some attempt fetches, e.g.
     * {@code task r1.0 attempt 1 fetching [████░░░░]  45%  90.0 of 200.0 MiB}; null when none fetches.
     * {@link #update} then leaves fetch figures out of its lines (the bar shows them).
     */
    String bar(JobDetail d) {
        for (JobDetail.RunDetail r : d.runs() == null ? List.<JobDetail.RunDetail>of() : d.runs()) {
            for (Task t : r.tasks() == null ? List.<Task>of() : r.tasks()) {
                Attempt a = t.currentAttempt();
                if (a != null && a.state() == TaskState.FETCHING && a.fetch() != null)
                    return "task " + t.id() + " attempt " + a.number() + " fetching " + Views.fetchProgress(a.fetch(), true);
            }
        }
        return null;
    }

    /** The lines for whatever changed since the previous snapshot (all of it on the first call). */
    List<String> update(JobDetail d) {
        return update(d, true);
    }

    /** As {@link #update}, for a terminal that draws {@link #bar}: FETCHING lines without their byte counts. */
    List<String> updateWithoutFetchFigures(JobDetail d) {
        return update(d, false);
    }

    private List<String> update(JobDetail d, boolean fetchFigures) {
        Job j = d.job();
        List<String> taskLines = new ArrayList<>();
        for (JobDetail.RunDetail r : d.runs() == null ? List.<JobDetail.RunDetail>of() : d.runs()) {
            for (Task t : r.tasks() == null ? List.<Task>of() : r.tasks()) {
                for (Attempt a : t.attempts()) {
                    String line = attemptLine(t, a, style, fetchFigures);
                    if (!line.equals(attempts.put(a.id(), line))) taskLines.add(line);
                }
                if (t.state() == TaskState.PENDING && t.notBefore() != null) {
                    String line = "task " + t.id() + " waits to retry until " + Views.time(t.notBefore(), clock.getZone());
                    if (!line.equals(retries.put(t.id(), line))) taskLines.add(line);
                }
            }
        }
        boolean terminal = j.state() != null && j.state().isTerminal();
        String pendingLine = null;
        if (!terminal && d.pending() != null) {
            // A retry back-off is already told by the task's "waits to retry" line.
            String text = d.pending().reasons().stream().filter(r -> !BACKOFF.equals(r.code()))
                    .map(Views::pendingReason).collect(Collectors.joining("; "));
            if (!text.isEmpty() && !text.equals(waiting)) pendingLine = "waiting: " + text;
            waiting = text;
        }
        String job = "job " + j.id() + " " + style.state(Views.jobState(j)) + (j.reason() == null ? "" : " (" + j.reason() + ")");
        boolean jobChanged = !job.equals(jobLine);
        jobLine = job;

        List<String> lines = new ArrayList<>();
        if (jobChanged && !terminal) lines.add(job);
        lines.addAll(taskLines);
        if (pendingLine != null) lines.add(pendingLine);
        if (jobChanged && terminal) lines.add(job);
        java.time.Instant at = clock.instant();
        if (!lines.isEmpty() || lastLine == null) lastLine = at;
        else if (!terminal && !at.isBefore(lastLine.plus(HEARTBEAT))) {
            lastLine = at;
            String since = j.submittedAt() == null ? "" : " after " + Views.duration(java.time.Duration.between(j.submittedAt(), at));
            lines.add("job " + j.id() + " still " + style.state(Views.jobState(j)) + since);
        }
        String now = Views.time(at, clock.getZone());
        return lines.stream().map(l -> style.dim(now) + " " + l).toList();
    }

    private static String attemptLine(Task t, Attempt a, Style style, boolean fetchFigures) {
        StringBuilder sb = new StringBuilder("task ").append(t.id()).append(" attempt ").append(a.number())
                .append(' ').append(style.state(a.state()));
        if (a.agentId() != null && a.state() != null && !a.state().isTerminal()) {
            sb.append(" on ").append(a.agentId());
            if (a.host() != null && !Objects.equals(a.host(), a.agentId())) sb.append(" (").append(a.host()).append(')');
        }
        if (!fetchFigures && a.state() == TaskState.FETCHING) {
            // the bar under the lines shows the figures
        } else if (a.state() == TaskState.FETCHING && a.fetch() != null && a.fetch().bytesDone() > 0)
            sb.append(": ").append(Views.fetchProgress(a.fetch(), false)); // e.g. "12.0 of 200.0 MiB (6%)"
        else if (a.state() == TaskState.FETCHING && a.message() != null && a.message().contains(" MiB"))
            sb.append(": ").append(a.message()); // an older agent: "fetching lib/app.jar (1/2): 12.0 of 200.0 MiB"
        if (a.exitCode() != null) sb.append(" exit ").append(a.exitCode());
        if (a.reason() != null && a.reason() != Reason.EXIT_CODE) sb.append(" (").append(a.reason()).append(')');
        if (a.message() != null && !a.message().isBlank() && a.state() != null && a.state().isTerminal()
                && a.reason() != Reason.EXIT_CODE)
            sb.append(": ").append(a.message());
        return sb.toString();
    }
}
