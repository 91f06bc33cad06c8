package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import java.util.List;

/**
 * A step of the placement stack for pools: a task that is not revocable may use only the unreserved part
 * of an agent's free capacity, never what the agent's pool lends ({@link AgentSlot#lent()}: the owners'
 * reservation inside an open window, less their measured load), because lent capacity is taken back at
 * the window's end or when the owners need it. Revocable tasks pass. DYNAMIC: the window closes, tasks
 * end. Monotone within a cycle: placements only shrink what is free.
 */
public final class LentCapacityFilter implements SchedulingFilter {
    public static final LentCapacityFilter INSTANCE = new LentCapacityFilter();

    private LentCapacityFilter() {
    }

    @Override
    public Veto.Kind check(PendingTask task, int agent, Ledger ledger) {
        if (task.revocable()) return null;
        Resources lent = ledger.agents[agent].lent();
        if (lent.isZero()) return null;
        return ledger.free(agent).minus(lent).fits(task.resources()) ? null : Veto.Kind.DYNAMIC;
    }

    @Override
    public List<Veto> filter(PendingTask task, int agent, Ledger ledger) {
        if (check(task, agent, ledger) == null) return List.of();
        AgentSlot a = ledger.agents[agent];
        Resources unreserved = ledger.free(agent).minus(a.lent());
        String pool = a.pool() == null ? "its pool" : "pool '" + a.pool().name() + "'";
        return List.of(Veto.of(VetoCode.CAPACITY_LENT, Veto.Kind.DYNAMIC, ("only capacity lent by %s is free (%s cpus, %d MiB "
                + "not lent); set revocable: true to use it").formatted(pool, Veto.number(unreserved.cpus()), unreserved.memMb())));
    }

    /** Revocable and non-revocable tasks of one shape decide differently here. */
    @Override
    public Object shapeKey(PendingTask task) {
        return task.revocable() ? Boolean.TRUE : null;
    }

    @Override
    public String toString() {
        return "LentCapacityFilter";
    }
}
