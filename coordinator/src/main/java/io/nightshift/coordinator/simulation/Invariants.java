package io.nightshift.coordinator.simulation;

import io.nightshift.api.Resources;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.coordinator.scheduling.AgentSlot;
import io.nightshift.coordinator.scheduling.ClusterSnapshot;
import io.nightshift.coordinator.scheduling.PendingTask;
import io.nightshift.coordinator.scheduling.Placement;
import io.nightshift.coordinator.scheduling.Plan;
import io.nightshift.coordinator.scheduling.RunningTask;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The safety properties every plan must keep, checked against the snapshot it was made from. Shared by
 * the simulator (every tick) and the property tests.
 */
public final class Invariants {

    private Invariants() {
    }

    /** Throws {@link InvariantViolation} naming the first property {@code plan} breaks. */
    public static void check(ClusterSnapshot snapshot, Plan plan) {
        String where = "cycle " + snapshot.cycle() + " at " + snapshot.now() + ": ";
        Map<String, AgentSlot> agents = new HashMap<>();
        snapshot.agents().forEach(a -> agents.put(a.agentId(), a));
        Set<String> placed = new HashSet<>();
        for (Placement p : plan.placements()) placed.add(p.taskId());
        Map<String, PendingTask> pending = new HashMap<>();   // only the placed ones: the others are many and only need a reason
        for (PendingTask t : snapshot.pending()) if (placed.contains(t.taskId())) pending.put(t.taskId(), t);
        Set<String> runningIds = new HashSet<>();
        snapshot.running().forEach(r -> runningIds.add(r.taskId()));

        // no task placed twice, only known pending tasks on known agents
        placed.clear();
        Map<String, Resources> perAgent = new HashMap<>();
        Map<String, Integer> placedPerRun = new HashMap<>();
        for (Placement p : plan.placements()) {
            if (!placed.add(p.taskId())) fail(where + "task " + p.taskId() + " placed twice");
            if (runningIds.contains(p.taskId())) fail(where + "task " + p.taskId() + " placed while it runs");
            PendingTask t = pending.get(p.taskId());
            if (t == null) fail(where + "placed task " + p.taskId() + " is not pending");
            if (!agents.containsKey(p.agentId())) fail(where + "task " + p.taskId() + " placed on unknown agent " + p.agentId());
            if (t.backingOffAt(snapshot.now())) fail(where + "task " + p.taskId() + " placed during its back-off");
            perAgent.merge(p.agentId(), p.resources(), Resources::plus);
            placedPerRun.merge(t.runId(), 1, Integer::sum);
        }
        // no agent over-committed
        perAgent.forEach((agentId, sum) -> {
            if (!agents.get(agentId).free().fits(sum)) {
                fail(where + "agent " + agentId + " over-committed: free " + agents.get(agentId).free() + ", placed " + sum);
            }
        });
        // no queue over its limit or maxRunning
        Map<String, Resources> perQueue = new HashMap<>();
        Map<String, Integer> countPerQueue = new HashMap<>();
        for (RunningTask r : snapshot.running()) {
            perQueue.merge(r.queue(), r.resources(), Resources::plus);
            countPerQueue.merge(r.queue(), 1, Integer::sum);
        }
        Map<String, Resources> placedPerQueue = new HashMap<>();
        for (Placement p : plan.placements()) {
            perQueue.merge(p.queue(), p.resources(), Resources::plus);
            placedPerQueue.merge(p.queue(), p.resources(), Resources::plus);
            countPerQueue.merge(p.queue(), 1, Integer::sum);
        }
        for (QueueSpec q : snapshot.queues()) {
            if (!placedPerQueue.containsKey(q.name())) continue;   // a cycle only answers for what it adds
            Resources used = perQueue.get(q.name());
            if (q.limit() != null && !q.limit().fits(used)) fail(where + "queue " + q.name() + " over its limit " + q.limit() + ": " + used);
            if (q.maxRunning() != null && countPerQueue.get(q.name()) > q.maxRunning()) {
                fail(where + "queue " + q.name() + " runs " + countPerQueue.get(q.name()) + " > maxRunning " + q.maxRunning());
            }
        }
        // every pending task is placed or says why it waits, never both
        for (PendingTask t : snapshot.pending()) {
            boolean isPlaced = placed.contains(t.taskId());
            boolean hasReason = !plan.reasonsFor(t.taskId()).isEmpty();
            if (isPlaced == hasReason) {
                fail(where + "task " + t.taskId() + (isPlaced ? " placed and given reasons" : " neither placed nor told why"));
            }
        }
        // gangs all or nothing
        for (PendingTask t : snapshot.pending()) {
            if (!t.isGang()) continue;
            int done = placedPerRun.getOrDefault(t.runId(), 0);
            if (done == 0) continue;
            long members = snapshot.pending().stream().filter(m -> m.runId().equals(t.runId())).count();
            boolean started = snapshot.running().stream().anyMatch(r -> r.runId().equals(t.runId()));
            if (!started && done != members) fail(where + "gang " + t.runId() + " placed " + done + " of " + members);
        }
    }

    private static void fail(String message) {
        throw new InvariantViolation(message);
    }
}
