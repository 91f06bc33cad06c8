package io.nightshift.agent;

import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;

/**
 * The terminal state of an attempt whose leader ended. Pure:
 * <pre>
 *   kill cause TIMEOUT      → FAILED   / TIMEOUT        (max runtime exceeded)
 *   other kill cause R      → KILLED   / R              (Kill message, agent shutdown)
 *   no kill, exit 0         → FINISHED / EXIT_CODE
 *   no kill, exit N ≠ 0     → FAILED   / EXIT_CODE      (N = 128+S when signal S killed it)
 *   no kill, exit unknown   → LOST     / AGENT_LOST     (the leader ended without an exit file while
 *                                                         this agent was not its parent)
 * </pre>
 * The exit code is reported whenever it is known ({@code null} otherwise).
 *
 * <p>Why LOST for an unknown exit status: the wrapper records the status of every command that ends
 * by itself, so a missing record means something outside the task SIGKILLed its whole tree (or the
 * machine rebooted) while the agent was down. That is the coordinator's own verdict for an attempt
 * whose agent vanished (LOST / AGENT_LOST), so an agent restart does not change the outcome, and a
 * FAILED / EXIT_CODE without an exit code would contradict itself. Both are retried the same way.
 */
public record Outcome(TaskState state, Reason reason, Integer exitCode, String message) {

    public static Outcome of(Integer exitCode, Reason killCause, boolean oomKilled) {
        String how = exitCode == null ? "exit status unknown" : describeExit(exitCode);
        if (killCause == Reason.TIMEOUT) return new Outcome(TaskState.FAILED, Reason.TIMEOUT, exitCode,
                "killed after exceeding its max runtime; " + how);
        if (killCause != null) return new Outcome(TaskState.KILLED, killCause, exitCode,
                "killed (" + killCause + "); " + how);
        if (exitCode == null) return new Outcome(TaskState.LOST, Reason.AGENT_LOST, null,
                how + " (its wrapper left no exit file: SIGKILLed from outside the agent, or the machine restarted)");
        if (exitCode == 0) return new Outcome(TaskState.FINISHED, Reason.EXIT_CODE, 0, how);
        return new Outcome(TaskState.FAILED, Reason.EXIT_CODE, exitCode,
                oomKilled ? how + "; the kernel OOM killer ended it (memory limit reached)" : how);
    }

    /** The same outcome with {@code context} ("ended while the agent was down") in front of the message. */
    public Outcome in(String context) {
        return new Outcome(state, reason, exitCode, context + "; " + message);
    }

    /** The same outcome with what the task said about its failure ({@code said}) after the message. */
    public Outcome saying(String said) {
        return new Outcome(state, reason, exitCode, message + ": " + said);
    }

    static String describeExit(int exitCode) {
        return exitCode > 128 && exitCode < 128 + 65
                ? "terminated by signal " + (exitCode - 128) + " (exit code " + exitCode + ")"
                : "exited with code " + exitCode;
    }
}
