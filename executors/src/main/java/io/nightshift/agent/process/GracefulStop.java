package io.nightshift.agent.process;

/**
 * How an attempt started through a launcher library is asked to end before its tree is signalled: {@link #stop()}
 * (ask the application to shut down cleanly) first, then, once the grace period is over, {@link #kill()} (the
 * library's own forced end), and then the process tree kill in any case: a library's handle reporting "killed" is
 * never taken for "the processes are gone". Both are called at most once per kill, may throw (they are best effort).
 */
public interface GracefulStop {
    /** Asks the application to end; false when it cannot be asked (e.g. not connected yet): then SIGTERM is sent. */
    boolean stop();

    void kill();
}
