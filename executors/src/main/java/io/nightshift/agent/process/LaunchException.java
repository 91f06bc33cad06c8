package io.nightshift.agent.process;

/**
 * An attempt could not be started (no such executable, bad java home, sandbox or cgroup failure).
 * Not retried by the agent: the attempt is reported FAILED with reason LAUNCH_FAILED and this message,
 * which must say what to fix and must not contain environment values.
 */
public class LaunchException extends Exception {
    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
