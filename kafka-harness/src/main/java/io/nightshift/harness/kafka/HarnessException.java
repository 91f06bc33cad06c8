package io.nightshift.harness.kafka;

/** Why a harness run ended in failure; the message is the task's failure reason, for people. */
public class HarnessException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * CLUSTER: the Kafka cluster could not be reached or lacks a topic. HANDLER: the user's handler failed.
     * POISON: one record failed the handler every time it was tried (the job's onPoison is fail).
     */
    public enum Kind { CLUSTER, HANDLER, STOPPED, POISON }

    private final Kind kind;

    public HarnessException(String message, Throwable cause, Kind kind) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** Told to stop while a batch was being retried: nothing of it is committed. Not a failure. */
    static final class Stopped extends HarnessException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("stopped while retrying a batch; it was not committed", null, Kind.STOPPED);
        }
    }

    /** Carries a HarnessException out of a rebalance callback (which may not throw checked exceptions). */
    static final class Unchecked extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unchecked(HarnessException cause) {
            super(cause.getMessage(), cause);
        }

        HarnessException harnessException() {
            return (HarnessException) getCause();
        }
    }
}
