package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

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

        PendingTask build() {
            return new PendingTask(id, jobId, priority, queuedAt, notBefore, new Resources(cpus, memMb, diskMb, gpus));
        }
    }

    static final class SnapshotBuilder {
        private long cycle = 7;
        private Instant now = NOW;
        private final List<AgentSlot> agents = new ArrayList<>();
        private final List<PendingTask> pending = new ArrayList<>();

        SnapshotBuilder cycle(long v) { cycle = v; return this; }
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
            return new ClusterSnapshot(cycle, now, agents, pending);
        }
    }
}
