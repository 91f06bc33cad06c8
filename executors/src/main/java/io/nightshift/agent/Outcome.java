package io.nightshift.agent;

import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;

/**
 * The terminal state of an attempt whose leader exited. Pure:
 * <pre>
 *   kill cause TIMEOUT      → FAILED   / TIMEOUT        (max runtime exceeded)
 *   other kill cause R      → KILLED   / R              (Kill message, agent shutdown)
 *   no kill, exit 0         → FINISHED / EXIT_CODE
 *   no kill, exit N ≠ 0     → FAILED   / EXIT_CODE      (N = 128+S when signal S killed it)
 * </pre>
 * The exit code is always reported.
 */
public record Outcome(TaskState state, Reason reason, int exitCode, String message) {

    public static Outcome of(int exitCode, Reason killCause, boolean oomKilled) {
        String how = describeExit(exitCode);
        if (killCause == Reason.TIMEOUT) return new Outcome(TaskState.FAILED, Reason.TIMEOUT, exitCode,
                "killed after exceeding its max runtime; " + how);
        if (killCause != null) return new Outcome(TaskState.KILLED, killCause, exitCode,
                "killed (" + killCause + "); " + how);
        if (exitCode == 0) return new Outcome(TaskState.FINISHED, Reason.EXIT_CODE, 0, how);
        return new Outcome(TaskState.FAILED, Reason.EXIT_CODE, exitCode,
                oomKilled ? how + "; the kernel OOM killer ended it (memory limit reached)" : how);
    }

    static String describeExit(int exitCode) {
        return exitCode > 128 && exitCode < 128 + 65
                ? "terminated by signal " + (exitCode - 128) + " (exit code " + exitCode + ")"
                : "exited with code " + exitCode;
    }
}
