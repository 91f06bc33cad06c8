package io.nightshift.api.state;

/**
 * A job's (and a run's) state: {@code QUEUED → RUNNING → SUCCEEDED | FAILED | KILLED}, or {@code QUEUED →
 * UPSTREAM_FAILED} when a job it waits for (its {@code after}) did not end as asked: not run, not failed.
 */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, KILLED, UPSTREAM_FAILED;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == KILLED || this == UPSTREAM_FAILED;
    }
}
