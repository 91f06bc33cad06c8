package io.nightshift.coordinator.scheduling;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Objects;

/**
 * Why one task cannot go onto one agent (or anywhere), as data: Aurora's {@code Veto}, Fenzo's
 * {@code AssignmentFailure}.
 *
 * @param code      one of the closed set {@link VetoCode}; {@code code.wire()} is what the API shows
 * @param kind      {@link Kind#STATIC}: this agent can never take the task (cached per task shape for
 *                  the rest of the cycle); {@link Kind#DYNAMIC}: it might once other tasks finish or the
 *                  owner load drops
 * @param resource  the resource dimension ({@code cpus}, {@code memMb}, {@code diskMb}, {@code gpus}),
 *                  or {@code null} when the veto is not about a resource
 * @param asked     what the task asks in that dimension (0 when not about a resource)
 * @param available what the agent has free in that dimension (0 when not about a resource)
 * @param message   a sentence for people, e.g. {@code asks 64 cpus; 2 free}
 */
public record Veto(VetoCode code, Kind kind, String resource, double asked, double available, String message) {

    public enum Kind {
        /** The agent can never fit the task (e.g. asks more than the agent's total). */
        STATIC,
        /** The task might fit later (resources are taken now, back-off, no agent yet). */
        DYNAMIC
    }

    /** Same tolerance as {@code Resources.fits} for fractional cpus. */
    static final double EPS = 1e-4;

    public Veto {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        if (code.isResource() != (resource != null) || (resource != null && !resource.equals(code.resource()))) {
            throw new IllegalArgumentException("veto " + code + " with resource " + resource);
        }
    }

    /** A veto that is not about a resource. */
    public static Veto of(VetoCode code, Kind kind, String message) {
        return new Veto(code, kind, null, 0, 0, message);
    }

    /** A veto of a filter installed next to the built-in checks ({@link VetoCode#FILTER}). */
    public static Veto filter(Kind kind, String message) {
        return of(VetoCode.FILTER, kind, message);
    }

    /** Too little free of {@code resource}; the agent's total is unknown, so the veto is DYNAMIC. */
    public static Veto insufficient(String resource, double asked, double available) {
        return insufficient(resource, asked, available, Kind.DYNAMIC);
    }

    /**
     * Too little free of {@code resource}: STATIC when {@code asked} exceeds the agent's {@code total},
     * else DYNAMIC ({@code total} NaN means unknown, so DYNAMIC).
     */
    public static Veto insufficient(String resource, double asked, double available, double total) {
        return insufficient(resource, asked, available, exceeds(asked, total) ? Kind.STATIC : Kind.DYNAMIC);
    }

    /** True when {@code asked} is more than {@code total}; false when {@code total} is NaN (unknown). */
    static boolean exceeds(double asked, double total) {
        return asked > total + EPS;
    }

    private static Veto insufficient(String resource, double asked, double available, Kind kind) {
        Objects.requireNonNull(resource, "resource");
        return new Veto(VetoCode.insufficient(resource), kind, resource, asked, available,
                "asks %s; %s free".formatted(amount(resource, asked), number(available)));
    }

    /** The task is in retry back-off until {@code until}. */
    public static Veto backoff(Instant until) {
        Objects.requireNonNull(until, "until");
        return of(VetoCode.BACKOFF, Kind.DYNAMIC, "retry back-off until " + until);
    }

    /** The snapshot has no agent at all. */
    public static Veto noAgents() {
        return of(VetoCode.NO_AGENTS, Kind.DYNAMIC, "no agent is registered");
    }

    /** The agent made no offer this cycle (nothing free), though no other check objects. */
    public static Veto noOffer() {
        return of(VetoCode.NO_OFFER, Kind.DYNAMIC, "the agent has no free resources to offer");
    }

    public boolean isStatic() {
        return kind == Kind.STATIC;
    }

    /** {@code 64}, {@code 0.5}, {@code 4096}: at most 4 decimals, no trailing zeros. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return BigDecimal.valueOf(v).setScale(4, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /** {@code 8 cpus}, {@code 4096 memMb}: a number and the resource's name as the API spells it. */
    static String amount(String resource, double v) {
        return number(v) + " " + resource;
    }
}
