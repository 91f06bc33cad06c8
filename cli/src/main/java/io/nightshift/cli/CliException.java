package io.nightshift.cli;

import io.nightshift.api.spec.Problem;
import java.util.List;

/**
 * A failure the CLI explains in one line, with the exit code it ends with (2 = usage, 1 = the rest),
 * and, for invalid input, one more line per problem.
 */
final class CliException extends RuntimeException {
    static final int USAGE = 2;
    static final int FAILED = 1;

    private final int exitCode;
    private final List<Problem> problems;

    CliException(int exitCode, String message) {
        this(exitCode, message, null, List.of());
    }

    CliException(int exitCode, String message, Throwable cause) {
        this(exitCode, message, cause, List.of());
    }

    private CliException(int exitCode, String message, Throwable cause, List<Problem> problems) {
        super(message, cause);
        this.exitCode = exitCode;
        this.problems = List.copyOf(problems);
    }

    static CliException usage(String message) {
        return new CliException(USAGE, message);
    }

    /** Invalid input ({@code what}: "queue spec"...), found before anything was sent: exit 2, every problem listed. */
    static CliException invalid(String what, List<Problem> problems) {
        String n = problems.size() == 1 ? "1 problem" : problems.size() + " problems";
        return new CliException(USAGE, "invalid " + what + " (" + n + "):", null, problems);
    }

    int exitCode() {
        return exitCode;
    }

    List<Problem> problems() {
        return problems;
    }
}
