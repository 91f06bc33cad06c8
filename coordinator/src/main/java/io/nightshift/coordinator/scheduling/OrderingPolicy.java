package io.nightshift.coordinator.scheduling;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * In which order the allocator tries pending tasks: Mesos' sorter, kept apart from the allocator that
 * uses it. A policy opens a {@link Sequence} per cycle; the allocator pulls the next task and reports
 * each placement back, so a share-based policy (DRF over queues, a later issue) can re-rank after
 * every placement. Pure; reads nothing but its arguments.
 */
@FunctionalInterface
public interface OrderingPolicy {

    /** Priority (higher first), then {@code queuedAt} (older first), then {@code taskId}. */
    Comparator<PendingTask> PRIORITY_THEN_AGE = Comparator
            .comparingInt(PendingTask::priority).reversed()
            .thenComparing(PendingTask::queuedAt)
            .thenComparing(PendingTask::taskId);

    /** Starts one cycle over {@code snapshot}'s pending tasks. */
    Sequence start(ClusterSnapshot snapshot);

    /** One cycle's walk over the pending tasks. Each task is returned at most once. */
    interface Sequence {
        /** The next task to try, or {@code null} when every task has been tried. */
        PendingTask next();

        /** The task last returned by {@link #next} was placed. Default: order does not depend on it. */
        default void placed(Placement placement) {
        }
    }

    /** A static order, sorted once per cycle. */
    static OrderingPolicy sortedBy(Comparator<PendingTask> order) {
        return snapshot -> {
            List<PendingTask> sorted = new ArrayList<>(snapshot.pending());
            sorted.sort(order);
            return new Sequence() {
                private int next;

                @Override
                public PendingTask next() {
                    return next < sorted.size() ? sorted.get(next++) : null;
                }
            };
        };
    }

    /** The first cycle's order: {@link #PRIORITY_THEN_AGE}. */
    static OrderingPolicy priorityThenAge() {
        return sortedBy(PRIORITY_THEN_AGE);
    }
}
