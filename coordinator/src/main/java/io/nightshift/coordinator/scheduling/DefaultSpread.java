package io.nightshift.coordinator.scheduling;

import io.nightshift.api.spec.Constraint;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.JobType;
import java.util.ArrayList;
import java.util.List;

/**
 * The constraints a job is placed with: its own, and for a {@code kafka} job of more than one instance that says
 * nothing about {@value ConstraintFilter#HOSTNAME}, also {@code hostname GROUP_BY} (spread evenly over the hosts
 * the agents report: at most ceil(instances / hosts) per host), so one machine going down takes as few members
 * of the consumer group with it as the cluster allows. A spread, not a hard one-per-host rule: 3 instances on 2
 * hosts still place (2 + 1). Added at placement only; the stored spec (and its hash) stays as submitted. Pure.
 */
public final class DefaultSpread {
    static final Constraint KAFKA_SPREAD = new Constraint(ConstraintFilter.HOSTNAME, Constraint.Operator.GROUP_BY, null);

    private DefaultSpread() {
    }

    public static List<Constraint> constraints(JobSpec spec) {
        if (spec.type() != JobType.KAFKA || spec.instances() < 2) return spec.constraints();
        for (Constraint c : spec.constraints()) if (c.attribute().equals(ConstraintFilter.HOSTNAME)) return spec.constraints();
        List<Constraint> out = new ArrayList<>(spec.constraints());
        out.add(KAFKA_SPREAD);
        return List.copyOf(out);
    }
}
