package io.nightshift.coordinator.scheduling;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything one offer cycle decides on, frozen. The only source of time for the core is {@link #now}.
 *
 * @param cycle   monotonically increasing cycle number; part of offer ids
 * @param agents  agents with their free resources; ids unique
 * @param pending pending tasks in any order; ids unique
 */
public record ClusterSnapshot(long cycle, Instant now, List<AgentSlot> agents, List<PendingTask> pending) {

    public ClusterSnapshot {
        if (cycle < 0) {
            throw new IllegalArgumentException("cycle must not be negative: " + cycle);
        }
        Objects.requireNonNull(now, "now");
        agents = List.copyOf(agents);
        pending = List.copyOf(pending);
        Set<String> seen = new HashSet<>();
        for (AgentSlot a : agents) {
            if (!seen.add(a.agentId())) {
                throw new IllegalArgumentException("agent '" + a.agentId() + "' appears twice in snapshot " + cycle);
            }
        }
        seen.clear();
        for (PendingTask t : pending) {
            if (!seen.add(t.taskId())) {
                throw new IllegalArgumentException("task '" + t.taskId() + "' appears twice in snapshot " + cycle);
            }
        }
    }
}
