package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.model.PendingReason;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One offer cycle: snapshot in, plan out. Pure and deterministic: the same snapshot always gives an
 * equal plan, whatever the order of agents, tasks and queues in it. Stateless between calls, safe to
 * share; what must outlive a cycle (offers, decline filters, gang holds) is data in the plan that the
 * shell passes back in the next snapshot.
 *
 * <p>A cycle is a short sequence of steps over one per-cycle {@link Ledger}, each a class of its own:
 * <ol>
 *   <li><b>Ledger.</b> Agents in id order with their free resources indexed ({@link AgentIndex}), queues
 *       with what they hold ({@link QueueState}), where each run's instances are ({@link RunCounts}).</li>
 *   <li><b>Carry-over</b> ({@link Carryover}). Offers whose agent is gone are rescinded, offers past
 *       {@code expiresAt} expire, a live offer reserves its agent for its queue; decline filters apply
 *       until they run out; gang holds are taken out of the free resources or released with back-off.</li>
 *   <li><b>Placement.</b> Tasks come in the {@link OrderingPolicy}'s order (by default {@link DrfOrdering}:
 *       weighted DRF across queues in {@link QueueOrder}, then priority, deadline, age), and each
 *       placement is reported back so the order re-ranks. Per task: back-off, unknown queue and no agents
 *       first; then the queue's limits ({@link QueueChecks}); then the {@link Placer} walks the agents with
 *       room through the {@link PlacementStack} (reserved offer, decline filter, resources, constraints,
 *       extra filters) and the {@link BestFit} ranker picks among the first
 *       {@link SchedulingPolicy#placementCandidates()} admitted. The first task of a gang brings all its
 *       instances to the {@link GangPlacer}: all or nothing, holding what fit.</li>
 *   <li><b>Fair shares</b> ({@link Drf#fairShares}) from what queues hold and still want.</li>
 *   <li><b>Preemption</b> ({@link Preemptor}) for tasks of queues below their guarantee or fair share, or
 *       of higher priority.</li>
 *   <li><b>Offers</b> ({@link OfferMaker}): what is left on each agent goes to the first queue in
 *       {@link QueueOrder} that could use it; the others decline it with a filter.</li>
 *   <li><b>Why pending</b> ({@link PendingExplainer}) is filled in as tasks fail: the same stack walked
 *       over every agent, summarized per {@link VetoCode}, with an ETA when the snapshot gives its
 *       queue's finish rate.</li>
 * </ol>
 *
 * <p>Cost: O(A + T log T) to set up, then per task O(log A) plus the agents the index shows with room
 * but the stack rejects; a task that fits nowhere costs one O(A) explanation per distinct {@link Shape}
 * (queue, resources, and constraints with its run), shared by the tasks with that shape, capped per
 * cycle. Within a cycle free resources only shrink (except when a gang rolls back), so a shape that
 * failed fails again and agents a shape skipped stay skipped: both are cached, and STATIC vetoes are
 * cached per shape even across a roll-back.
 */
public final class OfferCycle {

    private final SchedulingPolicy policy;
    private final OrderingPolicy ordering;
    private final List<SchedulingFilter> extraFilters;

    /** The full core with the defaults of {@link SchedulingPolicy} but {@code policy}'s offer ttl. */
    public OfferCycle(OfferPolicy policy) {
        this(SchedulingPolicy.of(Objects.requireNonNull(policy, "policy")));
    }

    public OfferCycle(SchedulingPolicy policy) {
        this(policy, DrfOrdering.INSTANCE, List.of());
    }

    public OfferCycle(OfferPolicy policy, OrderingPolicy ordering, List<SchedulingFilter> filters) {
        this(SchedulingPolicy.of(Objects.requireNonNull(policy, "policy")), ordering, filters);
    }

    /**
     * @param filters checks added to the end of the {@link PlacementStack}, after the built-in ones
     *                (reserved offer, decline filter, {@link ResourceFilter}, constraints); listing a
     *                built-in one again changes nothing. Each must keep {@link SchedulingFilter}'s
     *                contracts (monotone within a cycle, shape keys for what it reads of a task)
     */
    public OfferCycle(SchedulingPolicy policy, OrderingPolicy ordering, List<SchedulingFilter> filters) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ordering = Objects.requireNonNull(ordering, "ordering");
        List<SchedulingFilter> extra = new ArrayList<>(List.copyOf(filters));
        extra.remove(ResourceFilter.INSTANCE);
        this.extraFilters = List.copyOf(extra);
    }

    public OfferPolicy policy() {
        return policy.offerPolicy();
    }

    public SchedulingPolicy schedulingPolicy() {
        return policy;
    }

    public Plan plan(ClusterSnapshot snapshot) {
        return new Cycle(snapshot).run();
    }

    /**
     * Best-fit score: what placing {@code asked} would leave free, as a fraction of the agent's size,
     * summed over cpus, memMb, diskMb and gpus (so in [0, 4]). Lower is tighter. A dimension the agent
     * does not have counts 0. Side effect worth knowing: a task without gpus scores worse on a gpu
     * agent (its idle gpus count as leftover), so gpu agents are kept for gpu tasks when there is a
     * choice.
     */
    static double leftover(Resources remaining, Resources asked, Resources scale) {
        return Ledger.share(remaining.cpus() - asked.cpus(), scale.cpus())
                + Ledger.share(remaining.memMb() - asked.memMb(), scale.memMb())
                + Ledger.share(remaining.diskMb() - asked.diskMb(), scale.diskMb())
                + Ledger.share(remaining.gpus() - asked.gpus(), scale.gpus());
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

    /** The working state of one {@link #plan} call: the steps over one ledger. Never escapes it. */
    private final class Cycle {
        final Ledger ledger;
        final Decisions decisions;
        final PlacementStack stack;
        final Placer placer;
        final PendingExplainer explainer;
        final GangPlacer gangs;
        final Set<String> gangDone = new HashSet<>();
        OrderingPolicy.Sequence sequence;

        Cycle(ClusterSnapshot s) {
            this.ledger = new Ledger(s);
            this.decisions = new Decisions(s.now(), s.pending().size());
            this.stack = new PlacementStack(ledger, extraFilters);
            this.placer = new Placer(ledger, stack, decisions, policy);
            this.explainer = new PendingExplainer(ledger, stack, decisions, policy);
            Carryover.offers(ledger, decisions);
            Carryover.declineFilters(ledger, decisions);
            this.gangs = new GangPlacer(ledger, stack, placer, explainer, decisions, policy,
                    Carryover.gangHolds(ledger, policy));
        }

        Plan run() {
            sequence = ordering.start(ledger.snap);
            for (PendingTask t = sequence.next(); t != null; t = sequence.next()) {
                handle(t);
            }
            double[] fair = fairShares();
            if (!ledger.snap.running().isEmpty()) new Reclaimer(ledger, decisions).run(); // pools take lent capacity back
            if (policy.preemption() && !ledger.snap.running().isEmpty()) new Preemptor(ledger, decisions, policy).run();
            List<Offer> offers = OfferMaker.offers(ledger, decisions, policy);
            List<GangHold> holds = gangs.out();
            Map<String, List<PendingReason>> unschedulable = timedOut();
            decisions.reasons.replaceAll((task, why) -> List.copyOf(why));   // the same list when it is immutable already
            return new Plan(ledger.cycle, offers, decisions.placements, decisions.reasons.freeze(), decisions.nextWakeUp,
                    decisions.preemptions, OfferMaker.filters(decisions), holds, decisions.expired, decisions.rescinded,
                    decisions.etas.freeze(), shares(fair), unschedulable, ledger.reservations.made());
        }

        /**
         * Tasks still unplaced at or after their {@link PendingTask#pendingDeadline()}, with why they waited;
         * a wake-up at the earliest deadline still ahead, so a timeout is noticed when it passes.
         */
        private Map<String, List<PendingReason>> timedOut() {
            Map<String, List<PendingReason>> out = new LinkedHashMap<>();
            for (PendingTask t : ledger.snap.pending()) {
                Instant deadline = t.pendingDeadline();
                if (deadline == null) continue;
                List<PendingReason> why = decisions.reasons.get(t.taskId());
                if (why == null) continue;   // placed this cycle
                if (ledger.now.isBefore(deadline)) {
                    decisions.wakeAt(deadline);
                    continue;
                }
                List<PendingReason> all = new ArrayList<>(why.size() + 1);
                all.add(Decisions.reason(VetoCode.PENDING_TIMEOUT, Veto.Kind.STATIC, "waited unplaced for %s, its pendingTimeout; the job ends UNSCHEDULABLE"
                        .formatted(t.pendingTimeout().toString().substring(2).toLowerCase(java.util.Locale.ROOT))));
                all.addAll(why);
                out.put(t.taskId(), all);
            }
            return out;
        }

        private void handle(PendingTask t) {
            if (t.isGang() && gangDone.contains(t.runId())) return;   // decided with its gang
            Instant now = ledger.now;
            if (t.backingOffAt(now)) {
                decisions.reason(t, List.of(Decisions.reason(Veto.backoff(t.notBefore()), 0)));
                decisions.wakeAt(t.notBefore());
                return;
            }
            QueueState q = ledger.queueByName.get(t.queue());
            if (q == null) {
                decisions.reason(t, List.of(Decisions.reason(VetoCode.QUEUE_UNKNOWN, "queue '" + t.queue() + "' does not exist")));
                return;
            }
            if (t.isGang() && ledger.runs.runningPerGang.getOrDefault(t.runId(), 0) == 0) {
                gangDone.add(t.runId());
                for (Placement p : gangs.place(t, q)) sequence.placed(p);
                return;
            }
            if (ledger.n == 0) {
                decisions.reason(t, List.of(Decisions.reason(Veto.noAgents(), 0)));
                return;
            }
            PendingReason queueVeto = QueueChecks.veto(q, 1, t.resources());
            if (queueVeto != null) {
                decisions.reason(t, List.of(queueVeto));
                return;
            }
            Shape shape = stack.shapeOf(t, q.idx);
            if (shape.failed != null) {
                explainer.unplaced(t, q, shape.failed);
                return;
            }
            int agent = placer.search(t, shape);
            if (agent >= 0) {
                sequence.placed(placer.place(t, q, agent));
                return;
            }
            List<PendingReason> why = explainer.explain(t, shape);
            Reservation reserved = policy.reservations() ? ledger.reservations.reserve(List.of(t), q, shape) : null;
            if (reserved != null) {
                List<PendingReason> all = new ArrayList<>(why.size() + 1);
                all.add(Decisions.reason(VetoCode.RESERVED, "reserved from %s on %s; smaller work may use the room only if it ends before"
                        .formatted(reserved.start(), ReasonSummary.agents(reserved.agents().size()))));
                all.addAll(why);
                why = all;
            }
            explainer.unplaced(t, q, why);
            if (reserved != null) decisions.etas.put(t.taskId(), reserved.start());
        }

        private double[] fairShares() {
            int m = ledger.queues.length;
            double[] weight = new double[m], demand = new double[m], guarantee = new double[m];
            for (QueueState q : ledger.queues) {
                weight[q.idx] = q.weight;
                double c = q.cpus + q.wantCpus, mem = q.mem + q.wantMem, g = q.gpus + q.wantGpus;
                Resources l = q.spec.limit();
                if (l != null) {
                    c = Math.min(c, l.cpus());
                    mem = Math.min(mem, l.memMb());
                    g = Math.min(g, l.gpus());
                }
                demand[q.idx] = Drf.dominantShare(c, mem, g, ledger.totals);
                Resources gr = q.spec.guarantee();
                guarantee[q.idx] = Math.min(demand[q.idx], Drf.dominantShare(gr, ledger.totals));
            }
            double[] fair = Drf.fairShares(weight, demand, guarantee);
            for (QueueState q : ledger.queues) q.fair = fair[q.idx];
            return fair;
        }

        private List<QueueShare> shares(double[] fair) {
            List<QueueShare> out = new ArrayList<>(ledger.queues.length);
            for (QueueState q : ledger.queues) {
                out.add(new QueueShare(q.name, q.weight, q.allocated(), Drf.dominantShare(q.cpus, q.mem, q.gpus, ledger.totals),
                        fair[q.idx], q.pendingLeft, q.running));
            }
            return out;
        }
    }
}
