package io.nightshift.cli;

/** A failure the CLI explains in one line, with the exit code it ends with (2 = usage, 1 = the rest). */
final class CliException extends RuntimeException {
    static final int USAGE = 2;
    static final int FAILED = 1;

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    static CliException usage(String message) {
        return new CliException(USAGE, message);
    }

    int exitCode() {
        return exitCode;
    }
}
