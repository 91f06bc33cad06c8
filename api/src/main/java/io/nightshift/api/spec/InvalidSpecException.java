package io.nightshift.api.spec;

import java.util.List;
import java.util.stream.Collectors;

/** A user's input is wrong. Carries every problem found, each named by JSON path. */
public class InvalidSpecException extends RuntimeException {
    private final List<Problem> problems;

    public InvalidSpecException(String path, String message) {
        this(List.of(new Problem(path, message)));
    }

    public InvalidSpecException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
