package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.api.spec.Constraint;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Readable builders for the scheduling core's tests. Time is fixed: {@link #NOW}. */
final class Fixtures {

    static final Instant NOW = Instant.parse("2026-03-01T22:00:00Z");

    private Fixtures() {
    }

    static AgentBuilder agent(String id) {
        return new AgentBuilder(id);
    }

    static TaskBuilder task(String id) {
        return new TaskBuilder(id);
    }

    static SnapshotBuilder snapshot() {
        return new SnapshotBuilder();
    }

    static RunningBuilder running(String id) {
        return new RunningBuilder(id);
    }

    static QueueSpec queue(String name, double weight) {
        return QueueSpec.of(name, weight);
    }

    static final class RunningBuilder {
        private final String id;
        private String jobId = "running-job";
        private String runId;
        private String queue = "default";
        private String agentId = "a1";
        private double cpus;
        private long memMb;
        private int gpus;
        private int priority;
        private Instant startedAt = NOW.minusSeconds(600);
        private int preemptions;
        private boolean terminating;
        private Instant expectedEnd;

        RunningBuilder(String id) {
            this.id = id;
        }

        RunningBuilder job(String v) { jobId = v; return this; }
        RunningBuilder run(String v) { runId = v; return this; }
        RunningBuilder queue(String v) { queue = v; return this; }
        RunningBuilder on(String v) { agentId = v; return this; }
        RunningBuilder cpus(double v) { cpus = v; return this; }
        RunningBuilder memMb(long v) { memMb = v; return this; }
        RunningBuilder gpus(int v) { gpus = v; return this; }
        RunningBuilder priority(int v) { priority = v; return this; }
        RunningBuilder startedSecondsAgo(long s) { startedAt = NOW.minusSeconds(s); return this; }
        RunningBuilder preemptions(int v) { preemptions = v; return this; }
        RunningBuilder terminating() { terminating = true; return this; }
        RunningBuilder endsInSeconds(long s) { expectedEnd = NOW.plusSeconds(s); return this; }

        RunningTask build() {
            return new RunningTask(id, jobId, runId, queue, agentId, new Resources(cpus, memMb, 0, gpus), priority, startedAt,
                    preemptions, terminating, expectedEnd);
        }
    }

    static final class AgentBuilder {
        private final String id;
        private double cpus;
        private long memMb;
        private long diskMb;
        private int gpus;
        private Resources total;
        private final Map<String, String> attributes = new HashMap<>();

        AgentBuilder(String id) {
            this.id = id;
        }

        AgentBuilder cpus(double v) { cpus = v; return this; }
        AgentBuilder memMb(long v) { memMb = v; return this; }
        AgentBuilder diskMb(long v) { diskMb = v; return this; }
        AgentBuilder gpus(int v) { gpus = v; return this; }
        AgentBuilder attribute(String k, String v) { attributes.put(k, v); return this; }
        /** The agent's whole capacity (free is what is set with cpus/memMb/…). */
        AgentBuilder total(double cpus, long memMb) { total = new Resources(cpus, memMb, 0, 0); return this; }
        AgentBuilder total(Resources r) { total = r; return this; }

        AgentSlot build() {
            return new AgentSlot(id, new Resources(cpus, memMb, diskMb, gpus), attributes, total);
        }
    }

    static final class TaskBuilder {
        private final String id;
        private String jobId = "job";
        private int priority;
        private Instant queuedAt = NOW.minusSeconds(60);
        private Instant notBefore;
        private double cpus;
        private long memMb;
        private long diskMb;
        private int gpus;
        private String queue;
        private String runId;
        private int instances = 1;
        private boolean gang;
        private final List<Constraint> constraints = new ArrayList<>();
        private Instant deadline;
        private java.time.Duration pendingTimeout;
        private java.time.Duration maxRuntime;

        TaskBuilder(String id) {
            this.id = id;
        }

        TaskBuilder job(String v) { jobId = v; return this; }
        TaskBuilder priority(int v) { priority = v; return this; }
        TaskBuilder queuedAt(Instant v) { queuedAt = v; return this; }
        TaskBuilder queuedSecondsAgo(long s) { queuedAt = NOW.minusSeconds(s); return this; }
        TaskBuilder notBefore(Instant v) { notBefore = v; return this; }
        TaskBuilder cpus(double v) { cpus = v; return this; }
        TaskBuilder memMb(long v) { memMb = v; return this; }
        TaskBuilder diskMb(long v) { diskMb = v; return this; }
        TaskBuilder gpus(int v) { gpus = v; return this; }
        TaskBuilder queue(String v) { queue = v; return this; }
        /** Instance of a run of {@code count} instances (constraint counts and GROUP_BY use it). */
        TaskBuilder run(String v, int count) { runId = v; instances = count; return this; }
        /** Instance of a gang run of {@code count} instances: all start together or none does. */
        TaskBuilder gang(String v, int count) { runId = v; instances = count; gang = true; return this; }
        TaskBuilder constraint(Constraint c) { constraints.add(c); return this; }
        TaskBuilder deadline(Instant v) { deadline = v; return this; }
        TaskBuilder pendingTimeout(java.time.Duration v) { pendingTimeout = v; return this; }
        TaskBuilder maxRuntime(java.time.Duration v) { maxRuntime = v; return this; }

        PendingTask build() {
            return new PendingTask(id, jobId, priority, queuedAt, notBefore, new Resources(cpus, memMb, diskMb, gpus), queue,
                    runId, instances, gang, constraints, deadline, pendingTimeout, maxRuntime);
        }
    }

    static final class SnapshotBuilder {
        private long cycle = 7;
        private Instant now = NOW;
        private final List<AgentSlot> agents = new ArrayList<>();
        private final List<PendingTask> pending = new ArrayList<>();
        private final List<QueueSpec> queues = new ArrayList<>();
        private final List<RunningTask> running = new ArrayList<>();
        private final List<Offer> offers = new ArrayList<>();
        private final List<DeclineFilter> filters = new ArrayList<>();
        private final List<GangHold> holds = new ArrayList<>();
        private final Map<String, Double> finishRates = new HashMap<>();

        SnapshotBuilder cycle(long v) { cycle = v; return this; }
        SnapshotBuilder queues(QueueSpec... v) { queues.addAll(Arrays.asList(v)); return this; }
        SnapshotBuilder running(RunningBuilder... v) { Arrays.stream(v).map(RunningBuilder::build).forEach(running::add); return this; }
        SnapshotBuilder running(List<RunningTask> v) { running.addAll(v); return this; }
        SnapshotBuilder offers(List<Offer> v) { offers.addAll(v); return this; }
        SnapshotBuilder declineFilters(List<DeclineFilter> v) { filters.addAll(v); return this; }
        SnapshotBuilder gangHolds(List<GangHold> v) { holds.addAll(v); return this; }
        SnapshotBuilder finishRate(String queue, double perMinute) { finishRates.put(queue, perMinute); return this; }
        SnapshotBuilder finishRates(Map<String, Double> perMinute) { finishRates.putAll(perMinute); return this; }
        SnapshotBuilder now(Instant v) { now = v; return this; }

        SnapshotBuilder agents(AgentBuilder... builders) {
            Arrays.stream(builders).map(AgentBuilder::build).forEach(agents::add);
            return this;
        }

        SnapshotBuilder pending(TaskBuilder... builders) {
            Arrays.stream(builders).map(TaskBuilder::build).forEach(pending::add);
            return this;
        }

        SnapshotBuilder agents(List<AgentSlot> v) { agents.addAll(v); return this; }
        SnapshotBuilder pending(List<PendingTask> v) { pending.addAll(v); return this; }

        ClusterSnapshot build() {
            return new ClusterSnapshot(cycle, now, agents, pending, queues, running, offers, filters, holds, finishRates);
        }
    }
}
