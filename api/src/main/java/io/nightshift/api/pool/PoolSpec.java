package io.nightshift.api.pool;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.nightshift.api.Resources;
import java.util.List;
import java.util.Optional;

/**
 * A pool of machines shared with their owners' day-time services. Every agent whose {@code pool}
 * attribute names it keeps {@code reservation} for the owners (non-revocable work never uses it) and
 * {@code headroom} free on top of the owners' measured load; inside one of the {@code windows} the
 * reservation is lent out as revocable capacity. {@code reclaimLead}: how long before a window closes its lent
 * capacity is taken back (null: {@link #DEFAULT_RECLAIM_LEAD}); it should be longer than the kill grace periods of
 * the revocable jobs that run there, so they have ended when the window closes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolSpec(String name, Resources reservation, Headroom headroom, List<WindowSpec> windows,
                       java.time.Duration reclaimLead) {
    public static final java.time.Duration DEFAULT_RECLAIM_LEAD = java.time.Duration.ofSeconds(30);

    public PoolSpec {
        reservation = reservation == null ? Resources.ZERO : reservation;
        headroom = headroom == null ? Headroom.NONE : headroom;
        windows = windows == null ? List.of() : List.copyOf(windows);
    }

    /** A pool with the default reclaim lead. */
    public PoolSpec(String name, Resources reservation, Headroom headroom, List<WindowSpec> windows) {
        this(name, reservation, headroom, windows, null);
    }

    /** The reclaim lead in force: the pool's, or {@link #DEFAULT_RECLAIM_LEAD}. */
    public java.time.Duration effectiveReclaimLead() {
        return reclaimLead == null ? DEFAULT_RECLAIM_LEAD : reclaimLead;
    }

    public Optional<WindowSpec> window(String windowName) {
        return windows.stream().filter(w -> w.name().equals(windowName)).findFirst();
    }

    /** True when any of the pool's windows is open at {@code t}: the reservation is lent then. */
    public boolean lending(java.time.Instant t) {
        for (WindowSpec w : windows) if (w.isOpen(t)) return true;
        return false;
    }
}
