package io.nightshift.api.state;

/** A job's (and a run's) state: {@code QUEUED → RUNNING → SUCCEEDED | FAILED | KILLED}. */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, KILLED;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == KILLED;
    }
}
