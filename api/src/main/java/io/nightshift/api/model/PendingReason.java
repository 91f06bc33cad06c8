package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * Why a pending task is not placed, as data: a machine-readable {@code code} from the scheduler's closed
 * set (e.g. {@code insufficient.cpus}, {@code backoff}, {@code no.agents}), whether waiting can help
 * ({@code kind}), how many agents it applies to, for a resource shortfall the resource with what the task
 * asks and the most any of those agents has free, and a plain sentence with the numbers (e.g.
 * {@code asks 8 cpus; the largest agent has 4 in total}).
 *
 * @param code      the scheduler's code ({@code insufficient.cpus}, {@code constraint.unique}, …)
 * @param kind      {@link Kind#STATIC}: as the cluster is, waiting does not help (no agent it applies to can
 *                  ever hold the task, or the task ended for waiting too long); {@link Kind#DYNAMIC}: it
 *                  might be placed once other work ends, an offer expires or a limit frees up
 * @param agents    how many agents the reason applies to (0 when it is about the task, not an agent)
 * @param resource  {@code cpus}, {@code memMb}, {@code diskMb} or {@code gpus} for an {@code insufficient.*}
 *                  code; null otherwise
 * @param asked     what the task asks of {@code resource}; null when {@code resource} is
 * @param available the most of {@code resource} that any of those agents has free; null when {@code resource} is
 * @param message   the sentence people read
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record PendingReason(String code, Kind kind, int agents, String resource, Double asked, Double available,
                            String message) {

    /** Whether waiting can help. */
    public enum Kind {
        /** Waiting does not help as the cluster is (no agent can ever hold the task, or it ended). */
        STATIC,
        /** The task might be placed later. */
        DYNAMIC
    }

    public PendingReason {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(kind, "kind");
        if (agents < 0) throw new IllegalArgumentException("agents must not be negative: " + agents);
        if ((resource == null) != (asked == null) || (resource == null) != (available == null)) {
            throw new IllegalArgumentException("resource, asked and available go together: " + resource + ", " + asked
                    + ", " + available);
        }
    }

    /** A DYNAMIC reason that is not about a resource (what reasons were before they carried a kind). */
    public PendingReason(String code, int agents, String message) {
        this(code, Kind.DYNAMIC, agents, null, null, null, message);
    }

    /** A reason that is not about a resource. */
    public static PendingReason of(String code, Kind kind, int agents, String message) {
        return new PendingReason(code, kind, agents, null, null, null, message);
    }

    /** A DYNAMIC reason about the task itself (no agent), e.g. {@code backoff} or {@code upstream}. */
    public static PendingReason waiting(String code, String message) {
        return of(code, Kind.DYNAMIC, 0, message);
    }

    /** A resource shortfall on {@code agents} agents. */
    public static PendingReason shortOf(String code, Kind kind, int agents, String resource, double asked, double available,
                                        String message) {
        Objects.requireNonNull(resource, "resource");
        return new PendingReason(code, kind, agents, resource, asked, available, message);
    }

    /** True when waiting does not help. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isStatic() {
        return kind == Kind.STATIC;
    }
}
