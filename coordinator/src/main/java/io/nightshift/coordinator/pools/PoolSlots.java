package io.nightshift.coordinator.pools;

import io.nightshift.api.Resources;
import io.nightshift.api.model.OwnerLoad;
import io.nightshift.api.pool.PoolSpec;
import io.nightshift.coordinator.scheduling.AgentSlot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An agent of a pool as the scheduling core sees it: what it may give, what of that its pool lends, and what
 * the pool takes back now. The coordinator and the simulator's diurnal scenario both build their slots here,
 * so what the simulator measures is what the coordinator does. Pure.
 */
public final class PoolSlots {
    private PoolSlots() {
    }

    /**
     * The agent's slot. free = idle capacity (what revocable tasks may use), of which {@code lent} = free − what
     * unreserved work may use (total − allocated − max(reservation, load) − headroom). An agent whose owner load
     * is not known yet ({@code load} null) lends nothing, keeps its reservation and takes nothing back. Nor does
     * a window lend anything new in its last {@code reclaimLead}: what it lent then is being taken back, so a
     * revoked task placed again would only be revoked again at the next cycle, and again, until the window closed.
     */
    public static AgentSlot slot(String agentId, Resources total, Resources allocated, Map<String, String> attributes,
                                 OwnerLoad load, PoolSpec pool, Instant now, Duration reclaimLead) {
        boolean closing = pool.lending(now) && !pool.lending(now.plus(reclaimLead));
        Resources revocable = load == null || closing ? Capacity.idle(total, allocated, load, withoutWindows(pool), now)
                : Capacity.idle(total, allocated, load, pool, now);
        Resources unreserved = Capacity.idle(total, allocated, load, withoutWindows(pool), now);
        return new AgentSlot(agentId, revocable, attributes, total, revocable.minus(unreserved), pool,
                load == null ? Resources.ZERO : reclaim(total, allocated, load, pool, now, reclaimLead));
    }

    /**
     * What must be given back on an agent now: how far {@code allocated} exceeds what the agent may hold
     * {@code lead} from now (a window closing by then no longer lends), with the owners' current load and the
     * headroom kept. Zero when nothing exceeds.
     */
    public static Resources reclaim(Resources total, Resources allocated, OwnerLoad load, PoolSpec pool, Instant now,
                                    Duration lead) {
        Instant soon = now.plus(lead);
        PoolSpec then = pool.lending(now) && !pool.lending(soon) ? withoutWindows(pool) : pool;
        Resources may = total.minus(Capacity.owners(load, then, now)).minus(Capacity.headroom(total, pool));
        return new Resources(Math.max(0, Math.round((allocated.cpus() - may.cpus()) * 10_000d) / 10_000d),
                Math.max(0, allocated.memMb() - may.memMb()), 0, 0);
    }

    /** The pool as if no window were open (what non-revocable work may count on). */
    public static PoolSpec withoutWindows(PoolSpec p) {
        return new PoolSpec(p.name(), p.reservation(), p.headroom(), List.of(), p.reclaimLead());
    }
}
