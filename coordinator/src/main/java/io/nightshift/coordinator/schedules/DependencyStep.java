package io.nightshift.coordinator.schedules;

import io.nightshift.api.model.ScheduleState;
import io.nightshift.api.spec.DependencySpec;
import io.nightshift.api.state.JobState;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The core step that decides whether a run waiting for its {@code after} jobs may start, must keep waiting, or is
 * {@code UPSTREAM_FAILED}; and the submit-time check that refuses a cycle. Pure: upstream runs come in as data.
 */
public final class DependencyStep {
    /** At most this many jobs are walked looking for a cycle. */
    static final int MAX_WALK = 10_000;

    private DependencyStep() {
    }

    /** An upstream run as this step needs it: the day it counts for, and its state. */
    public record UpstreamRun(String runId, Instant time, JobState state) {
    }

    public enum Kind { WAIT, GO, UPSTREAM_FAILED }

    /** The verdict, with a sentence naming the upstream it is about (null for GO). */
    public record Verdict(Kind kind, String why) {
    }

    /** The day a run counts for: its scheduled time (or the time it was opened) in the job's zone. */
    public static LocalDate day(Instant time, ZoneId zone) {
        return time.atZone(zone).toLocalDate();
    }

    /**
     * @param upstreamRuns the upstream jobs' runs, newest first (an unknown job: an empty list)
     */
    public static Verdict decide(List<DependencySpec> after, Instant runTime, ZoneId zone,
                                 Map<String, List<UpstreamRun>> upstreamRuns) {
        return decide(after, runTime, false, zone, upstreamRuns, Map.of());
    }

    /**
     * As above, for a run that may be a scheduled firing. Without {@code sameDay}, a scheduled run ({@code
     * scheduled}, {@code runTime} its scheduled time) whose upstream job is scheduled too waits for the upstream's
     * run of its latest firing due at or before {@code runTime}: while the upstream's standing still owes such a
     * firing (not yet walked by its schedule, or held back by {@code forbid}) it waits, then it counts the
     * upstream's newest run of a time at or before {@code runTime}. A paused upstream owes nothing (resuming skips
     * those times), nor does a firing its policies skipped. Otherwise (an unscheduled run or upstream) the
     * upstream's latest run counts.
     *
     * @param upstreamSchedules the scheduled upstream jobs' standings (an unscheduled job: absent)
     */
    public static Verdict decide(List<DependencySpec> after, Instant runTime, boolean scheduled, ZoneId zone,
                                 Map<String, List<UpstreamRun>> upstreamRuns, Map<String, ScheduleState> upstreamSchedules) {
        LocalDate day = day(runTime, zone);
        String waiting = null;
        for (DependencySpec d : after) {
            List<UpstreamRun> runs = upstreamRuns.getOrDefault(d.job(), List.of());
            UpstreamRun r = null;
            if (d.sameDay()) {
                for (UpstreamRun u : runs) if (day(u.time(), zone).equals(day)) { r = u; break; }
            } else if (scheduled && upstreamSchedules.get(d.job()) != null) {
                Instant owed = owedBy(upstreamSchedules.get(d.job()), runTime);
                if (owed != null) {
                    if (waiting == null) waiting = "waits for job '" + d.job() + "' to run its firing of " + owed;
                    continue;
                }
                for (UpstreamRun u : runs) if (!u.time().isAfter(runTime)) { r = u; break; }
                if (r == null && !runs.isEmpty()) r = runs.get(0); // the upstream never ran by then: its latest run
            } else if (!runs.isEmpty()) {
                r = runs.get(0);
            }
            if (r == null) {
                if (waiting == null) waiting = d.sameDay() ? "waits for a run of job '" + d.job() + "' on " + day
                        : "waits for job '" + d.job() + "' to run";
                continue;
            }
            if (!r.state().isTerminal()) {
                if (waiting == null) waiting = "waits for run " + r.runId() + " (" + r.state() + ")";
                continue;
            }
            boolean met = switch (d.state()) {
                case SUCCEEDED -> r.state() == JobState.SUCCEEDED;
                case FAILED -> r.state() == JobState.FAILED;
                case ENDED -> true;
            };
            if (!met) return new Verdict(Kind.UPSTREAM_FAILED, "run " + r.runId() + " of job '" + d.job() + "' ended "
                    + r.state() + "; this job waits for " + d.state());
        }
        return waiting == null ? new Verdict(Kind.GO, null) : new Verdict(Kind.WAIT, waiting);
    }

    /** The oldest firing at or before {@code t} that a schedule's standing has not opened yet (and will), or null. */
    static Instant owedBy(ScheduleState s, Instant t) {
        if (s.paused()) return null;
        for (Instant o : s.owed()) if (!o.isAfter(t)) return o;
        return s.nextFireAt() != null && !s.nextFireAt().isAfter(t) ? s.nextFireAt() : null;
    }

    /**
     * The cycle a new job {@code id} waiting for {@code after} would close, as "a → b → a", or null. {@code
     * afterOf} gives a known job's {@code after} job ids (empty for an unknown one).
     */
    public static String cycle(String id, List<String> after, Function<String, List<String>> afterOf) {
        List<String> path = new ArrayList<>();
        path.add(id);
        Set<String> done = new HashSet<>();
        int[] budget = {MAX_WALK};
        for (String a : after) {
            String c = walk(id, a, afterOf, path, done, budget);
            if (c != null) return c;
        }
        return null;
    }

    private static String walk(String target, String node, Function<String, List<String>> afterOf, List<String> path,
                               Set<String> done, int[] budget) {
        path.add(node);
        try {
            if (node.equals(target)) return String.join(" → ", path);
            if (!done.add(node) || budget[0]-- <= 0) return null;
            for (String next : afterOf.apply(node)) {
                String c = walk(target, next, afterOf, path, done, budget);
                if (c != null) return c;
            }
            return null;
        } finally {
            path.remove(path.size() - 1);
        }
    }
}
