package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.queue.QueueSpec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Weighted DRF across queues, then priority, deadline and age inside a queue: Mesos' hierarchical
 * sorter, apart from the allocator that uses it. The order of queues is {@link QueueOrder}, the same one
 * the preemptor and the offer maker use.
 *
 * <p>Each step hands out the head task of the queue that goes first:
 * <ol>
 *   <li>queues below their guarantee (some guaranteed dimension not yet covered), least covered first
 *       (the smallest allocated/guaranteed ratio over guaranteed dimensions);</li>
 *   <li>then the others, smallest dominant share divided by weight first;</li>
 *   <li>ties by queue name.</li>
 * </ol>
 * Every placement the allocator reports adds to its queue's allocation and re-ranks that queue, so the
 * queue that was just served steps back once it has caught up. Allocation counts running tasks and
 * resources held for the queue's gangs. Inside a queue the order is {@link #WITHIN_QUEUE}.
 *
 * <p>Costs: O(T log T) to sort the tasks once, O(log Q) per step.
 */
public final class DrfOrdering implements OrderingPolicy {

    /** Priority (higher first), then deadline (earlier first, none last), then queuedAt (older first), then id. */
    public static final Comparator<PendingTask> WITHIN_QUEUE = DrfOrdering::compareWithinQueue;

    public static final DrfOrdering INSTANCE = new DrfOrdering();

    private DrfOrdering() {
    }

    /** {@link #WITHIN_QUEUE} written out: sorting 10,000 tasks a cycle, a chain of lambdas costs. */
    private static int compareWithinQueue(PendingTask a, PendingTask b) {
        if (a.priority() != b.priority()) return a.priority() > b.priority() ? -1 : 1;
        Instant da = a.deadline(), db = b.deadline();
        if (da != db) {
            if (da == null) return 1;
            if (db == null) return -1;
            int c = da.compareTo(db);
            if (c != 0) return c;
        }
        int c = a.queuedAt().compareTo(b.queuedAt());
        return c != 0 ? c : a.taskId().compareTo(b.taskId());
    }

    /** The cluster's size: each agent's total, or what it has free plus what runs there when unknown. */
    static Drf.Totals totals(ClusterSnapshot s) {
        double cpus = 0, mem = 0, gpus = 0;
        Map<String, AgentSlot> unknown = null;
        for (AgentSlot a : s.agents()) {
            Resources r = a.total() != null ? a.total() : a.free();
            if (a.total() == null) {
                if (unknown == null) unknown = new HashMap<>();
                unknown.put(a.agentId(), a);
            }
            cpus += r.cpus();
            mem += r.memMb();
            gpus += r.gpus();
        }
        if (unknown != null) {
            for (RunningTask t : s.running()) {
                if (unknown.containsKey(t.agentId())) {
                    cpus += t.resources().cpus();
                    mem += t.resources().memMb();
                    gpus += t.resources().gpus();
                }
            }
        }
        return new Drf.Totals(cpus, mem, gpus);
    }

    @Override
    public Sequence start(ClusterSnapshot snapshot) {
        Drf.Totals totals = totals(snapshot);
        Map<String, Lane> lanes = new TreeMap<>();
        for (QueueSpec q : snapshot.queues()) lanes.put(q.name(), new Lane(q.name(), q.weight(), q.guarantee(), totals));
        for (PendingTask t : snapshot.pending()) {
            lanes.computeIfAbsent(t.queue(), n -> new Lane(n, 1, Resources.ZERO, totals)).tasks.add(t);
        }
        for (RunningTask t : snapshot.running()) {
            Lane l = lanes.get(t.queue());
            if (l != null) l.add(t.resources());
        }
        for (GangHold h : snapshot.gangHolds()) {
            Lane l = lanes.get(h.queue());
            if (l != null) l.add(h.total());
        }
        PriorityQueue<Lane> heap = new PriorityQueue<>(Math.max(1, lanes.size()), Lane.ORDER);
        for (Lane l : lanes.values()) {
            if (!l.tasks.isEmpty()) {
                l.tasks.sort(WITHIN_QUEUE);
                heap.add(l);
            }
        }
        return new DrfSequence(heap, lanes);
    }

    private static final class DrfSequence implements Sequence {
        private final PriorityQueue<Lane> heap;
        private final Map<String, Lane> lanes;
        private Lane current;

        DrfSequence(PriorityQueue<Lane> heap, Map<String, Lane> lanes) {
            this.heap = heap;
            this.lanes = lanes;
        }

        @Override
        public PendingTask next() {
            if (current != null && current.next < current.tasks.size()) heap.add(current);
            current = heap.poll();
            return current == null ? null : current.tasks.get(current.next++);
        }

        @Override
        public void placed(Placement p) {
            Lane l = lanes.get(p.queue());
            if (l == null) return;
            if (l == current) {
                l.add(p.resources());
            } else if (heap.remove(l)) {
                l.add(p.resources());
                heap.add(l);
            } else {
                l.add(p.resources());
            }
        }
    }

    /** One queue's place in the order. */
    private static final class Lane {
        static final Comparator<Lane> ORDER = (a, b) -> QueueOrder.compare(a.cpus, a.mem, a.gpus, a.guarantee, a.weight,
                a.name, b.cpus, b.mem, b.gpus, b.guarantee, b.weight, b.name, a.totals);

        final String name;
        final double weight;
        final Resources guarantee;
        final Drf.Totals totals;
        final List<PendingTask> tasks = new ArrayList<>();
        int next;
        double cpus, mem, gpus;

        Lane(String name, double weight, Resources guarantee, Drf.Totals totals) {
            this.name = name;
            this.weight = weight;
            this.guarantee = guarantee;
            this.totals = totals;
        }

        void add(Resources r) {
            cpus += r.cpus();
            mem += r.memMb();
            gpus += r.gpus();
        }

    }

    /**
     * How far allocation covers a guarantee: min over guaranteed dimensions (cpus, memMb, gpus) of
     * allocated / guaranteed; +∞ without a guarantee. Below 1 means below the guarantee.
     */
    static double coverage(double cpus, double mem, double gpus, Resources guarantee) {
        double c = Double.POSITIVE_INFINITY;
        if (guarantee.cpus() > 0) c = Math.min(c, cpus / guarantee.cpus());
        if (guarantee.memMb() > 0) c = Math.min(c, mem / guarantee.memMb());
        if (guarantee.gpus() > 0) c = Math.min(c, gpus / guarantee.gpus());
        return c;
    }

}
