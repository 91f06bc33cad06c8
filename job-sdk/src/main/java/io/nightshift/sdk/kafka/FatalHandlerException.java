package io.nightshift.sdk.kafka;

/**
 * The batch can never be handled (a record that cannot be parsed, a schema that will not match). The
 * harness commits nothing of the batch and ends the task FAILED with this message as the reason. Any other
 * exception a handler throws is treated the same way.
 */
public class FatalHandlerException extends Exception {
    private static final long serialVersionUID = 1L;

    public FatalHandlerException(String message) {
        super(message);
    }

    public FatalHandlerException(String message, Throwable cause) {
        super(message, cause);
    }
}
