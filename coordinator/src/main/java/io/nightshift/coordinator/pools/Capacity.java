package io.nightshift.coordinator.pools;

import io.nightshift.api.Resources;
import io.nightshift.api.model.OwnerLoad;
import io.nightshift.api.pool.PoolSpec;
import java.time.Instant;

/**
 * The capacity arithmetic of one machine shared with its owners. Pure.
 * <pre>
 *   owners  = max(reservation, owner load)     outside every window of the pool
 *           = owner load                       inside a window (the reservation is lent out)
 *   idle    = total − allocated − owners − headroom          (clamped at 0 per resource)
 * </pre>
 * The reservation is a floor of what the owners keep, not an amount on top of what they use; the headroom
 * ({@code cpuPercent} of the machine's cpus, {@code memMb}) is kept free above it for their spikes. Without
 * a pool there is no reservation and no headroom. The owner load counted is the worse of the agent's smoothed
 * value and its recent peak ({@link OwnerLoad#worstCpus()}, {@link OwnerLoad#worstMemMb()}): a spike takes capacity
 * back at its first sample rather than when the average catches up, and nothing is placed onto a machine whose
 * owners just spiked until the spike has left the agent's peak window.
 */
public final class Capacity {
    private Capacity() {
    }

    /** What the owners hold on a machine now: their load, raised to the reservation outside the pool's windows. */
    public static Resources owners(OwnerLoad load, PoolSpec pool, Instant now) {
        Resources measured = load == null ? Resources.ZERO : new Resources(load.worstCpus(), load.worstMemMb(), 0, 0);
        if (pool == null || pool.lending(now)) return measured;
        Resources r = pool.reservation();
        return new Resources(Math.max(r.cpus(), measured.cpus()), Math.max(r.memMb(), measured.memMb()), r.diskMb(), r.gpus());
    }

    public static Resources headroom(Resources total, PoolSpec pool) {
        return pool == null ? Resources.ZERO : pool.headroom().of(total);
    }

    /** Idle capacity of a machine with {@code total}, of which {@code allocated} is placed work. */
    public static Resources idle(Resources total, Resources allocated, OwnerLoad load, PoolSpec pool, Instant now) {
        return total.minus(allocated).minus(owners(load, pool, now)).minus(headroom(total, pool));
    }
}
