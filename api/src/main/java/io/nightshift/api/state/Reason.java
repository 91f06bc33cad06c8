package io.nightshift.api.state;

/** Why an attempt reached its terminal state (or why a task/job ended). */
public enum Reason {
    /** The process exited; see the exit code (0 = FINISHED). */
    EXIT_CODE,
    /** The attempt ran longer than the job's {@code maxRuntime} and was killed. */
    TIMEOUT,
    /** A user asked for the job to be killed. */
    KILLED_BY_USER,
    /** The agent stopped heart-beating; the attempt's fate is unknown. */
    AGENT_LOST,
    /** The agent could not start the process (bad executable, sandbox failure...). */
    LAUNCH_FAILED,
    /** The agent was shut down and killed the attempt. */
    AGENT_SHUTDOWN,
    /** The coordinator and the agent disagreed and reconciliation decided. */
    RECONCILED,
    /** The scheduler stopped the attempt to give its resources to a queue under its fair share or guarantee. */
    PREEMPTED,
    /** The task waited unplaced longer than its job's (or its queue's) {@code pendingTimeout}. */
    UNSCHEDULABLE,
    /** An artifact could not be fetched, checked or unpacked; the message names the URI (redacted) and the cause. */
    FETCH_FAILED,
    /** A revocable attempt was stopped because its pool took its lent capacity back (window closing, owner load). */
    REVOKED,
    /** A job this one waits for ({@code after}) did not end as asked: the task never ran. */
    UPSTREAM_FAILED,
    /** The job's instances were lowered ({@code PATCH /v1/jobs/{id}}): this instance was stopped cleanly. */
    SCALED_DOWN
}
