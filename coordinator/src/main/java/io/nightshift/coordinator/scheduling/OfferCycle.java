package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.model.PendingReason;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One offer cycle: snapshot in, plan out. Pure and deterministic: the same snapshot always gives an
 * equal plan, whatever the order of agents and tasks in it. Stateless between calls, safe to share.
 *
 * <p>Per cycle:
 * <ol>
 *   <li>every agent with free resources makes one offer {@code o-<cycle>-<agentId>}, valid from
 *       {@code now} for {@link OfferPolicy#offerTtl()};</li>
 *   <li>tasks are tried in the {@link OrderingPolicy}'s order; a task in retry back-off waits
 *       ({@code backoff}) and its {@code notBefore} feeds {@link Plan#nextWakeUp()};</li>
 *   <li>a task goes to the admitting agent it leaves the least room on (best fit, see
 *       {@link #leftover}), ties broken by agent id, and its resources are taken out of that offer;
 *       an agent is never given more than its offer in any dimension;</li>
 *   <li>a task no agent admits stays pending with the vetoes of every agent summarized per code
 *       (computed on what is left after earlier placements of this cycle);</li>
 *   <li>what is left of each offer stays outstanding in the plan; used-up offers are dropped.</li>
 * </ol>
 *
 * <p>Cost: agents sorted once, tasks ordered once, then one scan over agents per task with no
 * allocation unless the task is placed or has to be explained: O(T·A) time, O(A + T) garbage.
 */
public final class OfferCycle {

    private static final Veto NO_OFFER = Veto.noOffer();
    private static final Comparator<AgentSlot> BY_ID = Comparator.comparing(AgentSlot::agentId);

    private final OfferPolicy policy;
    private final OrderingPolicy ordering;
    private final List<SchedulingFilter> filters;

    public OfferCycle(OfferPolicy policy) {
        this(policy, OrderingPolicy.priorityThenAge(), List.of(ResourceFilter.INSTANCE));
    }

    /**
     * @param filters all must admit a task onto an agent; include {@link ResourceFilter#INSTANCE} unless
     *                you mean to over-commit (you don't)
     */
    public OfferCycle(OfferPolicy policy, OrderingPolicy ordering, List<SchedulingFilter> filters) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ordering = Objects.requireNonNull(ordering, "ordering");
        this.filters = List.copyOf(filters);
        if (this.filters.isEmpty()) {
            throw new IllegalArgumentException("at least one scheduling filter is needed (ResourceFilter)");
        }
    }

    public OfferPolicy policy() {
        return policy;
    }

    public Plan plan(ClusterSnapshot snapshot) {
        Cycle c = new Cycle(snapshot);
        OrderingPolicy.Sequence sequence = ordering.start(snapshot);
        for (PendingTask task = sequence.next(); task != null; task = sequence.next()) {
            if (task.backingOffAt(c.now)) {
                c.waitForBackoff(task);
            } else if (c.size == 0) {
                c.reasons.put(task.taskId(), List.of(reason(Veto.noAgents(), 0)));
            } else {
                int best = bestFit(c, task);
                if (best >= 0) {
                    sequence.placed(c.place(task, best));
                } else {
                    c.reasons.put(task.taskId(), explain(c, task));
                }
            }
        }
        return c.toPlan(policy);
    }

    /** Index of the offering, admitting agent with the lowest {@link #leftover}; -1 if none. */
    private int bestFit(Cycle c, PendingTask task) {
        Resources asked = task.resources();
        int best = -1;
        double bestScore = Double.POSITIVE_INFINITY;
        for (int i = 0; i < c.size; i++) {
            if (!c.offering[i] || !admits(task, c.agents.get(i), c.remaining[i])) {
                continue;
            }
            double score = leftover(c.remaining[i], asked, c.agents.get(i).scale());
            if (score < bestScore) {   // strict: equal scores keep the smaller agent id
                best = i;
                bestScore = score;
            }
        }
        return best;
    }

    private boolean admits(PendingTask task, AgentSlot agent, Resources remaining) {
        for (SchedulingFilter f : filters) {
            if (!f.admits(task, agent, remaining)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Best-fit score: what placing {@code asked} would leave free, as a fraction of the agent's size,
     * summed over cpus, memMb, diskMb and gpus (so in [0, 4]). Lower is tighter. A dimension the agent
     * does not have counts 0. Side effect worth knowing: a task without gpus scores worse on a gpu
     * agent (its idle gpus count as leftover), so gpu agents are kept for gpu tasks when there is a
     * choice.
     */
    static double leftover(Resources remaining, Resources asked, Resources scale) {
        return share(remaining.cpus() - asked.cpus(), scale.cpus())
                + share(remaining.memMb() - asked.memMb(), scale.memMb())
                + share(remaining.diskMb() - asked.diskMb(), scale.diskMb())
                + share(remaining.gpus() - asked.gpus(), scale.gpus());
    }

    private static double share(double left, double size) {
        return size > 0 ? Math.max(0, left) / size : 0;
    }

    /**
     * Why no agent took {@code task}: every agent's vetoes, summarized. Only called for unplaced tasks;
     * O(agents), and allocation-free per agent for filters that override {@code explain}.
     */
    private List<PendingReason> explain(Cycle c, PendingTask task) {
        ReasonSummary summary = new ReasonSummary();
        for (int i = 0; i < c.size; i++) {
            AgentSlot agent = c.agents.get(i);
            summary.startAgent(i);
            for (SchedulingFilter f : filters) {
                f.explain(task, agent, c.remaining[i], summary);
            }
            if (!summary.agentVetoed() && !c.offering[i]) {
                summary.add(NO_OFFER);
            }
        }
        if (summary.isEmpty()) {
            // Only reachable with a filter whose admits() and explain() disagree; still say something.
            return List.of(new PendingReason("unplaced", c.size, "no agent admitted the task, but none vetoed it"));
        }
        return summary.reasons();
    }

    /**
     * {@code remaining - asked}, clamped at 0. Unlike {@code Resources.minus} this does not round cpus to
     * 1/10000 (rounding half up could hand back a sliver and let the next task over-commit); it only
     * drops floating-point noise below 1e-9 so offers read {@code 0.3}, not {@code 0.30000000000000004}.
     */
    static Resources take(Resources remaining, Resources asked) {
        double cpus = Math.max(0, remaining.cpus() - asked.cpus());
        double tidy = Math.round(cpus * 10_000d) / 10_000d;
        return new Resources(Math.abs(tidy - cpus) < 1e-9 ? tidy : cpus,
                Math.max(0, remaining.memMb() - asked.memMb()),
                Math.max(0, remaining.diskMb() - asked.diskMb()),
                Math.max(0, remaining.gpus() - asked.gpus()));
    }

    private static PendingReason reason(Veto veto, int agents) {
        return new PendingReason(veto.code(), agents, veto.message());
    }

    /** The mutable working state of one {@link #plan} call. Never escapes it. */
    private static final class Cycle {
        final long cycle;
        final Instant now;
        final List<AgentSlot> agents;
        final int size;
        final Resources[] remaining;
        final boolean[] offering;
        final List<Placement> placements = new ArrayList<>();
        final Map<String, List<PendingReason>> reasons = new LinkedHashMap<>();
        Instant nextWakeUp;

        Cycle(ClusterSnapshot snapshot) {
            this.cycle = snapshot.cycle();
            this.now = snapshot.now();
            List<AgentSlot> sorted = new ArrayList<>(snapshot.agents());
            sorted.sort(BY_ID);
            this.agents = sorted;
            this.size = sorted.size();
            this.remaining = new Resources[size];
            this.offering = new boolean[size];
            for (int i = 0; i < size; i++) {
                remaining[i] = sorted.get(i).free();
                offering[i] = !remaining[i].isZero();
            }
        }

        void waitForBackoff(PendingTask task) {
            reasons.put(task.taskId(), List.of(reason(Veto.backoff(task.notBefore()), 0)));
            if (nextWakeUp == null || task.notBefore().isBefore(nextWakeUp)) {
                nextWakeUp = task.notBefore();
            }
        }

        Placement place(PendingTask task, int agent) {
            String agentId = agents.get(agent).agentId();
            Placement p = new Placement(task.taskId(), task.jobId(), agentId, Offer.idFor(cycle, agentId), task.resources());
            remaining[agent] = take(remaining[agent], task.resources());
            placements.add(p);
            return p;
        }

        Plan toPlan(OfferPolicy policy) {
            Instant expiresAt = now.plus(policy.offerTtl());
            List<Offer> offers = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                if (offering[i] && !remaining[i].isZero()) {
                    String agentId = agents.get(i).agentId();
                    offers.add(new Offer(Offer.idFor(cycle, agentId), agentId, remaining[i], now, expiresAt));
                }
            }
            return new Plan(cycle, offers, placements, reasons, nextWakeUp);
        }
    }
}
