package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.model.PendingReason;
import io.nightshift.api.spec.Constraint;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * What tasks share a placement outcome within a cycle: the same queue, resources and constraints (with
 * their run when a constraint counts what the run placed: UNIQUE, MAX_PER, GROUP_BY, CLUSTER without a value), and the same {@link SchedulingFilter#shapeKey}s
 * of the installed checks. Holds what the cycle learnt about the shape: where a search may start, the
 * reasons when it fit nowhere, and the agents that vetoed it STATICally (kept even when free resources
 * grow again, because a static veto does not depend on them).
 */
final class Shape {

    final int queue;
    final String run;
    final Resources resources;
    final List<Constraint> constraints;
    final Object[] extra;
    private final int hash;

    /** First agent index a search for this shape may start at (agents before it were rejected). */
    int cursor;
    /** Why the shape fit nowhere, once a search failed; null until then. */
    List<PendingReason> failed;
    /** Agents that vetoed the shape STATICally; null while none did. */
    private BitSet statics;

    Shape(int queue, String run, Resources resources, List<Constraint> constraints, Object[] extra) {
        this.queue = queue;
        this.run = run;
        this.resources = resources;
        this.constraints = constraints;
        this.extra = extra;
        long bits = Double.doubleToLongBits(resources.cpus());
        int h = queue * 31 + (run == null ? 0 : run.hashCode());
        h = h * 31 + (int) (bits ^ (bits >>> 32));
        h = h * 31 + Long.hashCode(resources.memMb());
        h = h * 31 + Long.hashCode(resources.diskMb());
        h = h * 31 + resources.gpus();
        h = h * 31 + constraints.size();
        this.hash = extra == null ? h : h * 31 + Arrays.hashCode(extra);
    }

    /** Forgets what depends on free resources (they grew: a gang rolled back or a hold was returned). */
    void forgetDynamic() {
        cursor = 0;
        failed = null;
    }

    void markStatic(int agent, int agents) {
        if (statics == null) statics = new BitSet(agents);
        statics.set(agent);
    }

    boolean isStatic(int agent) {
        return statics != null && statics.get(agent);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && s.hash == hash && s.queue == queue && Objects.equals(s.run, run)
                && s.resources.equals(resources) && s.constraints.equals(constraints) && Arrays.equals(s.extra, extra);
    }
}
