package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.util.List;

/**
 * May {@code task} go onto {@code agent}, given what is still free there this cycle? Aurora's
 * {@code SchedulingFilter}: pure, returns vetoes as data; an empty list means yes.
 *
 * <p>The allocator calls {@link #admits} for every (task, agent) pair it considers, and
 * {@link #explain} for every agent when a task fit nowhere, so both run O(tasks × agents) times per
 * cycle and should not allocate. {@link #filter} is the plain form for callers that want the vetoes
 * of one pair. Implementations keep the three consistent: {@code admits} is true exactly when
 * {@code filter} returns no veto, and {@code explain} reports what {@code filter} returns.
 */
@FunctionalInterface
public interface SchedulingFilter {

    /** Vetoes against placing {@code task} on {@code agent} with {@code remaining} free; empty when it may go. */
    List<Veto> filter(PendingTask task, AgentSlot agent, Resources remaining);

    /** Fast path of {@link #filter}; override when vetoes are costly to build. */
    default boolean admits(PendingTask task, AgentSlot agent, Resources remaining) {
        return filter(task, agent, remaining).isEmpty();
    }

    /** Reports {@link #filter}'s vetoes to {@code sink}; override to report without building them. */
    default void explain(PendingTask task, AgentSlot agent, Resources remaining, VetoSink sink) {
        for (Veto v : filter(task, agent, remaining)) {
            sink.add(v);
        }
    }

    /** Where {@link #explain} reports vetoes; the allocator summarizes them over agents. */
    interface VetoSink {
        void add(Veto veto);

        /**
         * Same as {@code add(Veto.insufficient(resource, asked, available, total))} (or the 3-argument
         * form when {@code total} is NaN, i.e. unknown), for sinks that can take it without the veto.
         */
        default void insufficient(String resource, double asked, double available, double total) {
            add(Double.isNaN(total) ? Veto.insufficient(resource, asked, available)
                    : Veto.insufficient(resource, asked, available, total));
        }
    }
}
