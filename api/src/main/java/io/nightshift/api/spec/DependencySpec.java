package io.nightshift.api.spec;

/**
 * One edge of a job's DAG: a run of this job waits until a run of {@code job} has ended in {@code state}. With
 * {@code sameDay}, the upstream run is the one scheduled for the same day (in this job's zone; a run not opened
 * by a schedule counts on the day it was opened); otherwise it is the upstream's latest run. An upstream run that
 * ended otherwise marks this job's run {@code UPSTREAM_FAILED}: not run, not failed.
 */
public record DependencySpec(String job, Condition state, boolean sameDay) {

    public DependencySpec {
        if (job == null) throw new InvalidSpecException("/after", "every entry needs a 'job'");
        state = state == null ? Condition.SUCCEEDED : state;
    }

    public static DependencySpec on(String job) {
        return new DependencySpec(job, Condition.SUCCEEDED, false);
    }

    /** What the upstream run must have ended as: {@code SUCCEEDED}, {@code FAILED}, or {@code ENDED} (any end). */
    public enum Condition {
        SUCCEEDED, FAILED, ENDED
    }
}
