package io.nightshift.coordinator.scheduling;

import io.nightshift.api.queue.QueueSpec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything one offer cycle decides on, frozen. The only source of time for the core is {@link #now}.
 * The shell builds it from its state; the state the core itself keeps between cycles (offers, decline
 * filters, gang holds) comes back here from the previous {@link Plan}.
 *
 * @param cycle          monotonically increasing cycle number; part of offer ids
 * @param agents         agents with their free resources (total minus what running tasks hold); ids unique
 * @param pending        pending tasks in any order; ids unique
 * @param queues         the queues; {@code default} is added (weight 1, no guarantee, no limit) when missing.
 *                       A pending task naming no listed queue waits with {@code queue.unknown}.
 * @param running        tasks holding resources now, for shares, limits, constraint counts and preemption
 * @param offers         the previous plan's outstanding offers ({@link Plan#offers()})
 * @param declineFilters the previous plan's decline filters ({@link Plan#declineFilters()})
 * @param gangHolds      the previous plan's gang holds ({@link Plan#gangHolds()})
 * @param finishRates    optional, queue → tasks finished per minute recently; gives pending tasks an ETA
 */
public record ClusterSnapshot(long cycle, Instant now, List<AgentSlot> agents, List<PendingTask> pending,
                              List<QueueSpec> queues, List<RunningTask> running, List<Offer> offers,
                              List<DeclineFilter> declineFilters, List<GangHold> gangHolds,
                              Map<String, Double> finishRates) {

    public ClusterSnapshot {
        if (cycle < 0) {
            throw new IllegalArgumentException("cycle must not be negative: " + cycle);
        }
        Objects.requireNonNull(now, "now");
        agents = List.copyOf(agents);
        pending = List.copyOf(pending);
        queues = withDefault(queues == null ? List.of() : queues);
        running = running == null ? List.of() : List.copyOf(running);
        offers = offers == null ? List.of() : List.copyOf(offers);
        declineFilters = declineFilters == null ? List.of() : List.copyOf(declineFilters);
        gangHolds = gangHolds == null ? List.of() : List.copyOf(gangHolds);
        finishRates = finishRates == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(finishRates));
        Set<String> seen = new HashSet<>();
        for (AgentSlot a : agents) {
            if (!seen.add(a.agentId())) {
                throw new IllegalArgumentException("agent '" + a.agentId() + "' appears twice in snapshot " + cycle);
            }
        }
        seen.clear();
        TaskMap<Boolean> tasks = new TaskMap<>(pending.size() + running.size());   // no node per task: 10,000s of them a cycle
        for (PendingTask t : pending) {
            if (tasks.put(t.taskId(), Boolean.TRUE) != null) {
                throw new IllegalArgumentException("task '" + t.taskId() + "' appears twice in snapshot " + cycle);
            }
        }
        for (RunningTask t : running) {
            if (tasks.put(t.taskId(), Boolean.TRUE) != null) {
                throw new IllegalArgumentException("task '" + t.taskId() + "' appears twice (pending or running) in snapshot "
                        + cycle);
            }
        }
        seen.clear();
        for (QueueSpec q : queues) {
            if (!seen.add(q.name())) {
                throw new IllegalArgumentException("queue '" + q.name() + "' appears twice in snapshot " + cycle);
            }
        }
    }

    /** Agents and pending tasks only: every task in the default queue, nothing running, nothing carried over. */
    public ClusterSnapshot(long cycle, Instant now, List<AgentSlot> agents, List<PendingTask> pending) {
        this(cycle, now, agents, pending, List.of(), List.of(), List.of(), List.of(), List.of(), Map.of());
    }

    public static Builder builder(long cycle, Instant now) {
        return new Builder(cycle, now);
    }

    /** The snapshot of the next cycle: this one's inputs, with what {@code plan} says to keep carried over. */
    public Builder next(Plan plan, long nextCycle, Instant nextNow) {
        return builder(nextCycle, nextNow).queues(queues).finishRates(finishRates)
                .offers(plan.offers()).declineFilters(plan.declineFilters()).gangHolds(plan.gangHolds());
    }

    private static List<QueueSpec> withDefault(List<QueueSpec> queues) {
        for (QueueSpec q : queues) {
            if (q.name().equals(QueueSpec.DEFAULT_NAME)) return List.copyOf(queues);
        }
        List<QueueSpec> all = new ArrayList<>(queues.size() + 1);
        all.add(QueueSpec.DEFAULT);
        all.addAll(queues);
        return List.copyOf(all);
    }

    /** Builds a snapshot part by part; everything but cycle and now defaults to empty. */
    public static final class Builder {
        private final long cycle;
        private final Instant now;
        private List<AgentSlot> agents = List.of();
        private List<PendingTask> pending = List.of();
        private List<QueueSpec> queues = List.of();
        private List<RunningTask> running = List.of();
        private List<Offer> offers = List.of();
        private List<DeclineFilter> declineFilters = List.of();
        private List<GangHold> gangHolds = List.of();
        private Map<String, Double> finishRates = Map.of();

        private Builder(long cycle, Instant now) {
            this.cycle = cycle;
            this.now = now;
        }

        public Builder agents(List<AgentSlot> v) { agents = v; return this; }
        public Builder pending(List<PendingTask> v) { pending = v; return this; }
        public Builder queues(List<QueueSpec> v) { queues = v; return this; }
        public Builder running(List<RunningTask> v) { running = v; return this; }
        public Builder offers(List<Offer> v) { offers = v; return this; }
        public Builder declineFilters(List<DeclineFilter> v) { declineFilters = v; return this; }
        public Builder gangHolds(List<GangHold> v) { gangHolds = v; return this; }
        public Builder finishRates(Map<String, Double> v) { finishRates = v; return this; }

        public ClusterSnapshot build() {
            return new ClusterSnapshot(cycle, now, agents, pending, queues, running, offers, declineFilters, gangHolds,
                    finishRates);
        }
    }
}
