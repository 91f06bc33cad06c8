package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Carries out a {@link Plan} the same way in the coordinator and in the simulator (there is no second
 * copy of this): preemptions first (each victim stopped once, counted against its run's preemption
 * budget), then placements (each booked on its agent when the world could launch it), then what the
 * next cycle must see again (offers, decline filters, gang holds). Keeps the bookkeeping both need for
 * the next snapshot: what is allocated on each agent, which tasks are being stopped, how often each run
 * was preempted.
 *
 * <p>Pure: the side effects (launch messages, stored state, simulated exits) are the {@link Target}'s.
 * Not thread-safe; the coordinator calls it on its core thread.
 */
public final class PlanApplier {

    /** The world a plan is applied to. */
    public interface Target {
        /**
         * Launches placement {@code p}; false when the task is no longer pending or its agent cannot take
         * it now (then nothing is booked, and the task is tried again next cycle).
         */
        boolean launch(Placement p);

        /**
         * Tells the victim of {@code p} to stop (its grace period, then a kill); returns its run id, or null
         * when it no longer runs (nothing is counted).
         */
        String stop(Preemption p);
    }

    /** What one {@link #apply} did. */
    public record Applied(List<Placement> launched, List<Preemption> stopped) {
    }

    private static final Plan NONE = new Plan(0, List.of(), List.of(), Map.of(), null);

    private final Map<String, Resources> allocated = new HashMap<>();
    private final Map<String, Integer> preemptionsByRun = new HashMap<>();
    private final Set<String> terminating = new HashSet<>();
    private Plan last = NONE;

    public Applied apply(Plan plan, Target target) {
        List<Preemption> stopped = new java.util.ArrayList<>(plan.preemptions().size());
        for (Preemption p : plan.preemptions()) {
            if (terminating.contains(p.taskId())) continue;
            String run = target.stop(p);
            if (run == null) continue;
            terminating.add(p.taskId());
            preemptionsByRun.merge(run, 1, Integer::sum);
            stopped.add(p);
        }
        List<Placement> launched = new java.util.ArrayList<>(plan.placements().size());
        for (Placement p : plan.placements()) {
            if (!target.launch(p)) continue;
            book(p.agentId(), p.resources());
            launched.add(p);
        }
        last = plan;
        return new Applied(launched, stopped);
    }

    /** The last plan applied: its offers, decline filters and gang holds go into the next snapshot. */
    public Plan last() {
        return last;
    }

    /** Adds the last plan's offers, decline filters and gang holds to the next snapshot. */
    public ClusterSnapshot.Builder carry(ClusterSnapshot.Builder next) {
        return next.offers(last.offers()).declineFilters(last.declineFilters()).gangHolds(last.gangHolds());
    }

    /** Books {@code r} on {@code agentId} (a launch, or an attempt found running at recovery). */
    public void book(String agentId, Resources r) {
        allocated.merge(agentId, r, Resources::plus);
    }

    /** What an ended attempt held on {@code agentId} is free again. */
    public void release(String agentId, Resources r) {
        Resources now = allocated.get(agentId);
        if (now != null) allocated.put(agentId, now.minus(r));
    }

    /** Everything on {@code agentId} is gone (the agent was lost). */
    public void forgetAgent(String agentId) {
        allocated.remove(agentId);
    }

    public Resources allocated(String agentId) {
        return allocated.getOrDefault(agentId, Resources.ZERO);
    }

    /** The task's attempt ended (or it is pending again): it is no longer being stopped. */
    public void ended(String taskId) {
        terminating.remove(taskId);
    }

    /** The run ended: its preemption budget is not needed any more. */
    public void runEnded(String runId) {
        preemptionsByRun.remove(runId);
    }

    public boolean terminating(String taskId) {
        return terminating.contains(taskId);
    }

    public int preemptions(String runId) {
        return preemptionsByRun.getOrDefault(runId, 0);
    }
}
