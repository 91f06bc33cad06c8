package io.nightshift.connectors.extract;

/** An archive was refused (an entry leaves the destination, a device file, a cap passed) or is corrupt. */
public final class UnsafeArchiveException extends Exception {
    public UnsafeArchiveException(String message) {
        super(message);
    }

    public UnsafeArchiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
