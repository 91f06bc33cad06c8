package io.nightshift.agent.sandbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.time.Instant;

/**
 * What a restarted agent needs to find one attempt again, kept in {@code <sandbox>/checkpoint.json}
 * (written atomically: temp file, fsync, rename). The Launch itself is {@code task.json} beside it.
 *
 * @param state        the agent's last known state of the attempt; a terminal state means "ended and
 *                     reported" (the status journal has the final update), so a restart leaves it alone
 * @param pid          the leader's pid (the wrapper, session leader); 0 while not started
 * @param startTime    the leader's start time, field 22 of {@code /proc/<pid>/stat} (clock ticks since
 *                     boot); with the pid it names one process, so a recycled pid is never taken for
 *                     ours; -1 when unknown
 * @param startedAt    wall-clock time the leader was started; the job's max runtime counts from here,
 *                     across agent restarts; null while not started
 * @param killReason   set once a kill was requested (Kill message, max runtime, agent shutdown)
 * @param killDeadline when that kill escalates to SIGKILL; a restarted agent resumes the kill with
 *                     what is left of the grace period
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Checkpoint(String attemptId, TaskState state, long pid, long startTime, Instant startedAt,
                         Reason killReason, Instant killDeadline) {

    public Checkpoint {
        if (!Sandbox.isValidAttemptId(attemptId)) throw new IllegalArgumentException("invalid attempt id in checkpoint");
        if (state == null) throw new IllegalArgumentException("checkpoint of " + attemptId + " has no state");
    }

    /** Before the leader is started. */
    public static Checkpoint launching(String attemptId, TaskState state) {
        return new Checkpoint(attemptId, state, 0, -1, null, null, null);
    }

    public boolean started() {
        return pid > 0;
    }

    public Checkpoint withState(TaskState s) {
        return new Checkpoint(attemptId, s, pid, startTime, startedAt, killReason, killDeadline);
    }
}
