package io.nightshift.api.state;

/**
 * A task attempt's state: {@code STAGING → FETCHING → RUNNING → FINISHED | FAILED | KILLED | LOST}.
 * A task (as opposed to one attempt) is {@code PENDING} while it waits for a placement (first time,
 * or between retries); otherwise it shows the state of its current attempt.
 */
public enum TaskState {
    PENDING, STAGING, FETCHING, RUNNING, FINISHED, FAILED, KILLED, LOST,
    /** The attempt ran on capacity lent by a pool's owners and was stopped when they took it back; the task is re-queued. */
    REVOKED;

    public boolean isTerminal() {
        return this == FINISHED || this == FAILED || this == KILLED || this == LOST || this == REVOKED;
    }

    /** True for the states in which an attempt occupies resources on an agent. */
    public boolean isActive() {
        return this == STAGING || this == FETCHING || this == RUNNING;
    }
}
