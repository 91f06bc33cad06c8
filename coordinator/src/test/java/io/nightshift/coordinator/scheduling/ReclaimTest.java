package io.nightshift.coordinator.scheduling;

import static io.nightshift.coordinator.scheduling.Fixtures.NOW;
import static io.nightshift.coordinator.scheduling.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reclaim step: revocable tasks give lent capacity back, lowest priority and least progress lost first. */
class ReclaimTest {
    static final OfferCycle CYCLE = new OfferCycle(SchedulingPolicy.defaults());

    static AgentSlot reclaiming(String id, double cpus) {
        return new AgentSlot(id, Resources.ZERO, Map.of("pool", "office"), Resources.of(8, 8192), Resources.ZERO,
                NightPlacementTest.OFFICE, Resources.of(cpus, 0));
    }

    static RunningTask running(String id, int priority, long startedSecondsAgo, boolean revocable) {
        return new RunningTask(id, id, id, "default", "a1", Resources.of(2, 512), priority,
                NOW.minusSeconds(startedSecondsAgo), 0, false, revocable);
    }

    @Test
    void revokesTheLowestPriorityThenTheMostRecentlyStartedUntilTheAmountIsCovered() {
        Plan plan = CYCLE.plan(snapshot().agents(List.of(reclaiming("a1", 3))).running(List.of(
                running("old-low", 0, 3600, true), running("new-low", 0, 60, true), running("high", 5, 10, true),
                running("steady", -10, 5, false))).build());

        // 3 cpus to give back: two 2-cpu tasks, both of priority 0, the newer first; never the non-revocable one
        assertThat(plan.preemptions()).extracting(Preemption::taskId).containsExactly("new-low", "old-low");
        assertThat(plan.preemptions()).allSatisfy(p -> assertThat(p.code()).isEqualTo("revoked"));
        assertThat(plan.preemptions().get(0).reason()).contains("pool 'office' takes 3 cpus");
    }

    @Test
    void tasksAlreadyStoppingCountFirstAndNothingIsRevokedWithoutAReclaim() {
        RunningTask stopping = running("stopping", 0, 60, true).asTerminating();
        Plan covered = CYCLE.plan(snapshot().agents(List.of(reclaiming("a1", 2))).running(List.of(stopping,
                running("other", 0, 30, true))).build());
        assertThat(covered.preemptions()).isEmpty();

        Plan calm = CYCLE.plan(snapshot().agents(List.of(reclaiming("a1", 0))).running(List.of(running("r", 0, 30, true))).build());
        assertThat(calm.preemptions()).isEmpty();
    }

    @Test
    void aRevocationCountsAgainstTheRunsPreemptionBudget() {
        PlanApplier applier = new PlanApplier();
        Plan plan = CYCLE.plan(snapshot().agents(List.of(reclaiming("a1", 1))).running(List.of(running("r", 0, 30, true))).build());
        applier.apply(plan, new PlanApplier.Target() {
            @Override
            public boolean launch(Placement p) {
                return true;
            }

            @Override
            public String stop(Preemption p) {
                return p.taskId();
            }
        });
        assertThat(applier.preemptions("r")).isEqualTo(1);
        assertThat(applier.terminating("r")).isTrue();
    }
}
