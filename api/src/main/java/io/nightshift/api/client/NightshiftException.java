package io.nightshift.api.client;

import io.nightshift.api.spec.Problem;
import java.util.List;

/**
 * A call to the coordinator failed. Either the coordinator answered with an error
 * ({@link #status()} is the HTTP status, {@link #title()}, {@link #detail()} and {@link #problems()}
 * come from its RFC 9457 problem document), or it could not be reached at all ({@link #status()} is
 * 0 and the message is one line a person can act on, e.g.
 * {@code cannot reach coordinator at http://127.0.0.1:7070 (connection refused)}).
 */
public class NightshiftException extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;
    private final String detail;
    private final List<Problem> problems;

    public NightshiftException(int status, String type, String title, String detail, List<Problem> problems) {
        super(message(status, title, detail));
        this.status = status;
        this.type = type;
        this.title = title;
        this.detail = detail;
        this.problems = problems == null ? List.of() : List.copyOf(problems);
    }

    /** No answer from the coordinator (connection refused, timeout, interrupted...). */
    public NightshiftException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.type = null;
        this.title = null;
        this.detail = message;
        this.problems = List.of();
    }

    private static String message(int status, String title, String detail) {
        StringBuilder sb = new StringBuilder();
        if (detail != null && !detail.isBlank()) sb.append(detail);
        else if (title != null && !title.isBlank()) sb.append(title);
        else sb.append("request failed");
        sb.append(" (HTTP ").append(status);
        if (title != null && !title.isBlank() && detail != null && !detail.isBlank() && !detail.equals(title))
            sb.append(' ').append(title);
        return sb.append(')').toString();
    }

    /** The HTTP status, or 0 when the coordinator did not answer. */
    public int status() {
        return status;
    }

    /** The problem type URI, if the coordinator sent one. */
    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return detail;
    }

    /** Every problem with the request, each named by JSON path; empty when the error is not about input. */
    public List<Problem> problems() {
        return problems;
    }

    /** True when the coordinator did not answer at all. */
    public boolean isUnreachable() {
        return status == 0;
    }

    /** True when the request was rejected as bad input (400, 413, 415, 422): resending it unchanged will not help. */
    public boolean isBadRequest() {
        return status == 400 || status == 413 || status == 415 || status == 422;
    }

    /**
     * True when the same call may succeed later: the coordinator was unreachable, overloaded (429),
     * or temporarily unavailable (502, 503, 504). A 4xx about the request itself is not retriable.
     */
    public boolean isRetriable() {
        return status == 0 || status == 429 || status == 502 || status == 503 || status == 504;
    }
}
