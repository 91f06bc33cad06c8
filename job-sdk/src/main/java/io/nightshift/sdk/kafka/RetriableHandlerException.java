package io.nightshift.sdk.kafka;

/**
 * The batch could not be handled now but may succeed later (a database was briefly unreachable). The
 * harness hands the same batch again after a back-off; nothing of it is committed meanwhile.
 */
public class RetriableHandlerException extends Exception {
    private static final long serialVersionUID = 1L;

    public RetriableHandlerException(String message) {
        super(message);
    }

    public RetriableHandlerException(String message, Throwable cause) {
        super(message, cause);
    }
}
