package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.model.PendingReason;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.api.spec.Constraint;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One offer cycle: snapshot in, plan out. Pure and deterministic: the same snapshot always gives an
 * equal plan, whatever the order of agents, tasks and queues in it. Stateless between calls, safe to
 * share; what must outlive a cycle (offers, decline filters, gang holds) is data in the plan that the
 * shell passes back in the next snapshot.
 *
 * <p>Per cycle:
 * <ol>
 *   <li><b>Carry-over.</b> Offers whose agent is gone are rescinded, offers past {@code expiresAt} expire;
 *       a live offer to a queue reserves its agent for that queue. Decline filters apply until they run
 *       out, unless the agent grew beyond what was declined or the queue got new work. Gang holds past
 *       {@link SchedulingPolicy#gangTimeout()} are released with back-off; the others are set aside.</li>
 *   <li><b>Placement.</b> Tasks come in the {@link OrderingPolicy}'s order (by default {@link DrfOrdering}:
 *       weighted DRF across queues, guarantees first, then priority, deadline, age), and each placement is
 *       reported back so the order re-ranks. A task is placed on the best fit among the first
 *       {@link SchedulingPolicy#placementCandidates()} agents, in id order, that have room for it
 *       ({@link AgentIndex}), are not offered to another queue this cycle, were not declined by its queue,
 *       and pass its constraints ({@link ConstraintFilter}) and any extra filters. An agent's free
 *       resources are offered to one queue at a time: to the queue whose turn it is in DRF order, which
 *       takes one task's worth and steps back in the order; what is left passes on to the next. An
 *       unexpired offer carried over from an earlier cycle reserves its agent for its queue alone.
 *       Queue limits and {@code maxRunning} veto before any agent is looked at.</li>
 *   <li><b>Gangs.</b> The first task of a gang brings all its instances: they are placed together, or
 *       rolled back and the gang holds what it could get (see {@link GangHold}).</li>
 *   <li><b>Preemption.</b> A pending task of a queue below its guarantee or its fair share, or of higher
 *       priority, may preempt running tasks of queues above their fair share: lowest priority, youngest
 *       first, no more than it needs, never a run past its preemption budget, never so many that the
 *       victim's queue falls below its fair share, and for fairness only while the preemptor stays within
 *       its own (no ping-pong). The task waits for them to exit.</li>
 *   <li><b>Offers.</b> What is left on each agent is offered to the first queue, in DRF order, that still
 *       waits for capacity and could use it; a queue that could not declines it with a filter. Leftovers
 *       no queue wants are open offers.</li>
 *   <li><b>Why pending.</b> Every task not placed gets its vetoes summarized per code, and an ETA when
 *       the snapshot gives its queue's finish rate.</li>
 * </ol>
 *
 * <p>Cost: O(A + T log T) to set up, then per task O(log A) plus the agents the index shows with room
 * but the filters reject; a task that fits nowhere costs one O(A) explanation per distinct shape
 * (queue, resources, and constraints with its run), shared by the tasks with that shape, capped per
 * cycle. Within a cycle free resources only shrink (except when a gang rolls back), so a shape that
 * failed fails again and agents a shape skipped stay skipped: both are cached.
 */
public final class OfferCycle {

    private static final Veto NO_OFFER = Veto.noOffer();
    private static final Veto OTHER_QUEUE = new Veto("offer.other-queue", Veto.Kind.DYNAMIC, null, 0, 0,
            "offered to another queue until its offer expires or is declined");
    private static final Comparator<AgentSlot> BY_ID = Comparator.comparing(AgentSlot::agentId);
    private static final double SHARE_EPS = 1e-9;

    private final SchedulingPolicy policy;
    private final OrderingPolicy ordering;
    private final List<SchedulingFilter> extraFilters;

    /** The full core with the defaults of {@link SchedulingPolicy} but {@code policy}'s offer ttl. */
    public OfferCycle(OfferPolicy policy) {
        this(SchedulingPolicy.of(Objects.requireNonNull(policy, "policy")));
    }

    public OfferCycle(SchedulingPolicy policy) {
        this(policy, DrfOrdering.INSTANCE, List.of(ResourceFilter.INSTANCE));
    }

    public OfferCycle(OfferPolicy policy, OrderingPolicy ordering, List<SchedulingFilter> filters) {
        this(SchedulingPolicy.of(Objects.requireNonNull(policy, "policy")), ordering, filters);
    }

    /**
     * @param filters must include {@link ResourceFilter#INSTANCE} (built in: the agent index applies it);
     *                others are applied to every task on every candidate agent and must be monotone
     *                within a cycle: an agent they veto stays vetoed as it fills up
     */
    public OfferCycle(SchedulingPolicy policy, OrderingPolicy ordering, List<SchedulingFilter> filters) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ordering = Objects.requireNonNull(ordering, "ordering");
        List<SchedulingFilter> all = List.copyOf(filters);
        if (!all.contains(ResourceFilter.INSTANCE)) {
            throw new IllegalArgumentException("the filters must include ResourceFilter.INSTANCE (no over-commit)");
        }
        List<SchedulingFilter> extra = new ArrayList<>(all);
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
        return share(remaining.cpus() - asked.cpus(), scale.cpus())
                + share(remaining.memMb() - asked.memMb(), scale.memMb())
                + share(remaining.diskMb() - asked.diskMb(), scale.diskMb())
                + share(remaining.gpus() - asked.gpus(), scale.gpus());
    }

    private static double share(double left, double size) {
        return size > 0 ? Math.max(0, left) / size : 0;
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

    private static PendingReason reason(String code, String message) {
        return new PendingReason(code, 0, message);
    }

    /** What tasks share a placement outcome within a cycle: same queue, resources and constraints (with run). */
    private static final class Shape {
        final int queue;
        final String run;
        final Resources resources;
        final List<Constraint> constraints;
        final int hash;

        Shape(int queue, String run, Resources resources, List<Constraint> constraints) {
            this.queue = queue;
            this.run = run;
            this.resources = resources;
            this.constraints = constraints;
            long bits = Double.doubleToLongBits(resources.cpus());
            int h = queue * 31 + (run == null ? 0 : run.hashCode());
            h = h * 31 + (int) (bits ^ (bits >>> 32));
            h = h * 31 + Long.hashCode(resources.memMb());
            h = h * 31 + Long.hashCode(resources.diskMb());
            h = h * 31 + resources.gpus();
            this.hash = h * 31 + constraints.size();
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Shape s && s.hash == hash && s.queue == queue && Objects.equals(s.run, run)
                    && s.resources.equals(resources) && s.constraints.equals(constraints);
        }
    }

    /** One queue during a cycle. */
    private static final class Q {
        final int idx;
        final String name;
        final QueueSpec spec;
        final double weight;
        double cpus;
        long mem, disk;
        double gpus;
        int running;
        int pendingLeft;
        Instant newestQueuedAt;
        // unplaced demand that waits for capacity (not for back-off, limits or an unknown queue)
        boolean wanting;
        double minCpus = Double.POSITIVE_INFINITY;
        long minMem = Long.MAX_VALUE, minDisk = Long.MAX_VALUE;
        int minGpus = Integer.MAX_VALUE;
        double wantCpus, wantMem, wantGpus;
        int waiting;
        final List<PendingTask> unplaced = new ArrayList<>();
        // preemption pass
        double fair;
        double projCpus, projMem, projGpus;

        Q(int idx, QueueSpec spec) {
            this.idx = idx;
            this.name = spec.name();
            this.spec = spec;
            this.weight = spec.weight();
        }

        void add(Resources r, int sign) {
            cpus += sign * r.cpus();
            mem += sign * r.memMb();
            disk += sign * r.diskMb();
            gpus += sign * r.gpus();
        }

        Resources allocated() {
            return new Resources(Math.max(0, Math.round(cpus * 10_000d) / 10_000d), Math.max(0, mem), Math.max(0, disk),
                    (int) Math.max(0, gpus));
        }

        /** Would {@code asked} more stay within the limit? */
        boolean withinLimit(double c, long m, long d, double g) {
            Resources l = spec.limit();
            return l == null || (cpus + c <= l.cpus() + Veto.EPS && mem + m <= l.memMb() && disk + d <= l.diskMb()
                    && gpus + g <= l.gpus());
        }

        boolean atMaxRunning(int more) {
            return spec.maxRunning() != null && running + more > spec.maxRunning();
        }

        void want(PendingTask t) {
            Resources r = t.resources();
            wanting = true;
            minCpus = Math.min(minCpus, r.cpus());
            minMem = Math.min(minMem, r.memMb());
            minDisk = Math.min(minDisk, r.diskMb());
            minGpus = Math.min(minGpus, r.gpus());
            wantCpus += r.cpus();
            wantMem += r.memMb();
            wantGpus += r.gpus();
            waiting++;
        }

        /** Could what {@code free} holds take the smallest of this queue's waiting tasks, by resources? */
        boolean wants(AgentIndex index, int agent) {
            return wanting && minCpus <= index.cpus[agent] + Veto.EPS && minMem <= index.memMb[agent]
                    && minDisk <= index.diskMb[agent] && minGpus <= index.gpus[agent];
        }
    }

    /** A gang's hold during a cycle. */
    private static final class Hold {
        final String gang;
        final Q queue;
        final TreeMap<Integer, Resources> held = new TreeMap<>();
        Instant heldSince;
        int releases;
        Instant holdAgainAt;
        boolean started;

        Hold(String gang, Q queue) {
            this.gang = gang;
            this.queue = queue;
        }
    }

    /** An undo record of one tentative (gang) placement. */
    private record Undo(PendingTask task, Q queue, int agent, double cpus, long mem, long disk, int gpus, int claim,
                        int placer) {
    }

    /** The mutable working state of one {@link #plan} call. Never escapes it. */
    private final class Cycle implements ConstraintFilter.Counts {
        final ClusterSnapshot snap;
        final long cycle;
        final Instant now;
        final AgentSlot[] agents;
        final Resources[] scale;
        final int n;
        private Map<String, Integer> agentIdx;   // built on first use: agent id → index
        final AgentIndex index;
        final int[] claimedBy;
        final int[] placer;
        final Offer[] liveOffer;
        final Q[] queues;
        final Map<String, Q> queueByName = new HashMap<>();
        final BitSet[] declined;
        final DeclineFilter[] declineExample;
        final List<DeclineFilter> keptFilters = new ArrayList<>();
        final List<DeclineFilter> newFilters = new ArrayList<>();
        final ConstraintFilter constraints = new ConstraintFilter(this);
        final Map<String, List<PendingTask>> gangMembers = new HashMap<>();
        final Map<String, Integer> runningPerRun = new HashMap<>();
        final Map<String, Hold> holds = new TreeMap<>();
        final Map<String, Boolean> gangDone = new HashMap<>();
        final Map<Shape, Integer> cursor = new HashMap<>();
        final Map<Shape, List<PendingReason>> failed = new HashMap<>();
        final Map<String, List<Integer>> agentsOfRun = new HashMap<>();
        boolean runsIndexed;
        final List<int[]> placedBeforeIndex = new ArrayList<>();
        final List<String> placedRuns = new ArrayList<>();
        final Map<String, Map<String, Map<String, int[]>>> runCounts = new HashMap<>();
        final Map<String, Integer> distinct = new HashMap<>();
        final List<Placement> placements = new ArrayList<>();
        final Map<String, List<PendingReason>> reasons = new LinkedHashMap<>();
        final Map<String, Instant> etas = new LinkedHashMap<>();
        final List<Preemption> preemptions = new ArrayList<>();
        final List<String> expired = new ArrayList<>();
        final List<String> rescinded = new ArrayList<>();
        final int[] found;
        final AgentIndex.Accept acceptor = this::accept;
        final double[] removedCpus;
        final double[] removedMem;
        final double[] removedGpus;
        Drf.Totals totals;
        Instant nextWakeUp;
        int explained;
        OrderingPolicy.Sequence sequence;

        // the task being searched for (AgentIndex.Accept reads these)
        PendingTask searching;
        Q searchingQueue;

        Cycle(ClusterSnapshot s) {
            this.snap = s;
            this.cycle = s.cycle();
            this.now = s.now();
            AgentSlot[] sorted = s.agents().toArray(new AgentSlot[0]);
            if (!isSorted(sorted)) Arrays.sort(sorted, BY_ID);
            this.agents = sorted;
            this.n = sorted.length;
            this.scale = new Resources[n];
            for (int i = 0; i < n; i++) scale[i] = sorted[i].scale();
            this.index = new AgentIndex(sorted);
            this.claimedBy = new int[n];
            this.placer = new int[n];
            Arrays.fill(claimedBy, -1);
            Arrays.fill(placer, -1);
            this.liveOffer = new Offer[n];
            List<QueueSpec> specs = new ArrayList<>(s.queues());
            specs.sort(Comparator.comparing(QueueSpec::name));
            this.queues = new Q[specs.size()];
            for (int i = 0; i < queues.length; i++) {
                queues[i] = new Q(i, specs.get(i));
                queueByName.put(queues[i].name, queues[i]);
            }
            this.declined = new BitSet[queues.length];
            this.declineExample = new DeclineFilter[queues.length];
            this.found = new int[policy.placementCandidates()];
            this.removedCpus = new double[queues.length];
            this.removedMem = new double[queues.length];
            this.removedGpus = new double[queues.length];
        }

        /** The index of agent {@code id}, or null when the snapshot has no such agent. */
        private Integer indexOf(String id) {
            if (agentIdx == null) {
                agentIdx = new HashMap<>(Math.max(16, n * 2));
                for (int i = 0; i < n; i++) agentIdx.put(agents[i].agentId(), i);
            }
            return agentIdx.get(id);
        }

        private boolean isSorted(AgentSlot[] a) {
            for (int i = 1; i < a.length; i++) {
                if (a[i - 1].agentId().compareTo(a[i].agentId()) >= 0) return false;
            }
            return true;
        }

        Plan run() {
            totals = DrfOrdering.totals(snap);
            account();
            carryOffers();
            carryFilters();
            carryHolds();
            sequence = ordering.start(snap);
            for (PendingTask t = sequence.next(); t != null; t = sequence.next()) {
                handle(t);
            }
            double[] fair = fairShares();
            if (policy.preemption() && !snap.running().isEmpty()) preempt(fair);
            List<Offer> offers = offers();
            return new Plan(cycle, offers, placements, reasons, nextWakeUp, preemptions, filtersOut(), holdsOut(),
                    expired, rescinded, etas, shares(fair));
        }

        // ---------------------------------------------------------------- set-up

        private void account() {
            for (PendingTask t : snap.pending()) {
                Q q = queueByName.get(t.queue());
                if (q != null) {
                    q.pendingLeft++;
                    if (q.newestQueuedAt == null || t.queuedAt().isAfter(q.newestQueuedAt)) q.newestQueuedAt = t.queuedAt();
                }
                if (t.isGang()) gangMembers.computeIfAbsent(t.runId(), k -> new ArrayList<>()).add(t);
            }
            for (List<PendingTask> members : gangMembers.values()) members.sort(Comparator.comparing(PendingTask::taskId));
            Q last = null;
            for (RunningTask r : snap.running()) {
                Q q = last != null && last.name.equals(r.queue()) ? last : queueByName.get(r.queue());
                if (q != null) {
                    q.add(r.resources(), 1);
                    q.running++;
                    last = q;
                }
                if (!gangMembers.isEmpty() && gangMembers.containsKey(r.runId())) runningPerRun.merge(r.runId(), 1, Integer::sum);
            }
        }

        /** Where each run's instances run: built on the first constraint count asked for, then kept up to date. */
        private Map<String, List<Integer>> agentsOfRun() {
            if (!runsIndexed) {
                runsIndexed = true;
                java.util.Set<String> asked = new java.util.HashSet<>();
                for (PendingTask t : snap.pending()) if (!t.constraints().isEmpty()) asked.add(t.runId());
                for (RunningTask r : snap.running()) {
                    if (!asked.contains(r.runId())) continue;   // no constraint will ever count this run
                    Integer i = indexOf(r.agentId());
                    if (i != null) agentsOfRun.computeIfAbsent(r.runId(), k -> new ArrayList<>()).add(i);
                }
                for (int k = 0; k < placedRuns.size(); k++) {
                    agentsOfRun.computeIfAbsent(placedRuns.get(k), x -> new ArrayList<>()).add(placedBeforeIndex.get(k)[0]);
                }
                placedRuns.clear();
                placedBeforeIndex.clear();
            }
            return agentsOfRun;
        }

        private void carryOffers() {
            List<Offer> offers = new ArrayList<>(snap.offers());
            offers.sort(Comparator.comparing(Offer::agentId).thenComparing(Offer::id));
            for (Offer o : offers) {
                Integer i = indexOf(o.agentId());
                if (i == null) {
                    rescinded.add(o.id());
                } else if (o.queue() != null) {
                    Q q = queueByName.get(o.queue());
                    if (!now.isBefore(o.expiresAt()) || q == null) {
                        expired.add(o.id());
                    } else if (liveOffer[i] == null) {
                        liveOffer[i] = o;
                        claimedBy[i] = q.idx;
                    }
                }
            }
        }

        private void carryFilters() {
            for (DeclineFilter f : snap.declineFilters()) {
                Integer i = indexOf(f.agentId());
                Q q = queueByName.get(f.queue());
                if (i == null || q == null || !now.isBefore(f.until())) continue;
                if (q.newestQueuedAt != null && q.newestQueuedAt.isAfter(f.createdAt())) continue;   // revived
                if (!f.declined().fits(agents[i].free())) continue;                                  // grew: offer again
                if (declined[q.idx] == null) declined[q.idx] = new BitSet(n);
                if (declined[q.idx].get(i)) continue;
                declined[q.idx].set(i);
                if (declineExample[q.idx] == null || f.until().isBefore(declineExample[q.idx].until())) {
                    declineExample[q.idx] = f;
                }
                keptFilters.add(f);
            }
        }

        private void carryHolds() {
            for (GangHold g : snap.gangHolds()) {
                Q q = queueByName.get(g.queue());
                if (q == null || !gangMembers.containsKey(g.gang()) || holds.containsKey(g.gang())) continue;
                Hold h = new Hold(g.gang(), q);
                h.releases = g.releases();
                h.holdAgainAt = g.holdAgainAt() != null && g.holdAgainAt().isAfter(now) ? g.holdAgainAt() : null;
                h.heldSince = g.heldSince();
                for (Map.Entry<String, Resources> e : g.held().entrySet()) {
                    Integer i = indexOf(e.getKey());
                    if (i == null) continue;
                    Resources r = e.getValue();
                    Resources clipped = new Resources(Math.min(r.cpus(), index.cpus[i]), Math.min(r.memMb(), index.memMb[i]),
                            Math.min(r.diskMb(), index.diskMb[i]), Math.min(r.gpus(), index.gpus[i]));
                    if (!clipped.isZero()) h.held.put(i, clipped);
                }
                if (!h.held.isEmpty() && !now.isBefore(h.heldSince.plus(policy.gangTimeout()))) {
                    h.held.clear();
                    h.releases++;
                    h.holdAgainAt = now.plus(backoff(h.releases));
                }
                if (h.held.isEmpty()) h.heldSince = null;
                for (Map.Entry<Integer, Resources> e : h.held.entrySet()) {
                    index.take(e.getKey(), e.getValue());
                    q.add(e.getValue(), 1);
                }
                holds.put(g.gang(), h);
            }
        }

        private Duration backoff(int releases) {
            Duration d = policy.gangTimeout().multipliedBy(1L << Math.min(20, Math.max(0, releases - 1)));
            return d.compareTo(policy.maxGangBackoff()) > 0 ? policy.maxGangBackoff() : d;
        }

        // ---------------------------------------------------------------- placement

        private void handle(PendingTask t) {
            if (t.isGang() && gangDone.containsKey(t.runId())) return;   // decided with its gang
            Q q = queueByName.get(t.queue());
            if (t.backingOffAt(now)) {
                reasons.put(t.taskId(), List.of(reason(Veto.backoff(t.notBefore()), 0)));
                wakeAt(t.notBefore());
                return;
            }
            if (q == null) {
                reasons.put(t.taskId(), List.of(reason("queue.unknown", "queue '" + t.queue() + "' does not exist")));
                return;
            }
            if (t.isGang() && runningPerRun.getOrDefault(t.runId(), 0) == 0) {
                handleGang(t, q);
                return;
            }
            if (n == 0) {
                reasons.put(t.taskId(), List.of(reason(Veto.noAgents(), 0)));
                return;
            }
            if (!admittedByQueue(t, q, 1, t.resources())) return;
            Shape shape = shapeOf(t, q);
            List<PendingReason> known = failed.get(shape);
            if (known != null) {
                unplaced(t, q, known);
                return;
            }
            int agent = search(t, q, shape);
            if (agent >= 0) {
                sequence.placed(place(t, q, agent));
            } else {
                List<PendingReason> why = explain(t, q);
                failed.put(shape, why);
                unplaced(t, q, why);
            }
        }

        /** Queue-level checks for {@code count} tasks asking {@code asked} in all; false with reasons when vetoed. */
        private boolean admittedByQueue(PendingTask t, Q q, int count, Resources asked) {
            if (q.atMaxRunning(count)) {
                queueVeto(t, q, reason("queue.max-running", "queue %s runs %d tasks, its maxRunning".formatted(q.name,
                        q.spec.maxRunning())));
                return false;
            }
            if (!q.withinLimit(asked.cpus(), asked.memMb(), asked.diskMb(), asked.gpus())) {
                Resources l = q.spec.limit();
                queueVeto(t, q, reason("queue.limit", "queue %s is at its limit: holds %s cpus, %d memMb, %d gpus of %s, %d, %d; "
                        .formatted(q.name, Veto.number(q.cpus), q.mem, (long) q.gpus, Veto.number(l.cpus()), l.memMb(), l.gpus())
                        + "the task%s asks %s cpus, %d memMb, %d gpus".formatted(count > 1 ? "s" : "",
                        Veto.number(asked.cpus()), asked.memMb(), asked.gpus())));
                return false;
            }
            return true;
        }

        private void queueVeto(PendingTask t, Q q, PendingReason r) {
            if (t.isGang() && gangMembers.containsKey(t.runId()) && gangDone.containsKey(t.runId())) {
                for (PendingTask m : gangMembers.get(t.runId())) reasons.put(m.taskId(), List.of(r));
            } else {
                reasons.put(t.taskId(), List.of(r));
            }
        }

        private Shape shapeOf(PendingTask t, Q q) {
            if (!extraFilters.isEmpty()) return new Shape(q.idx, t.taskId(), t.resources(), t.constraints());
            return t.constraints().isEmpty() ? new Shape(q.idx, null, t.resources(), List.of())
                    : new Shape(q.idx, t.runId(), t.resources(), t.constraints());
        }

        private void unplaced(PendingTask t, Q q, List<PendingReason> why) {
            reasons.put(t.taskId(), why);
            q.want(t);
            if (!t.isGang()) q.unplaced.add(t);
            Double rate = snap.finishRates().get(q.name);
            if (rate != null && rate > 0) {
                long seconds = (long) Math.ceil(q.waiting * 60.0 / rate);
                etas.put(t.taskId(), now.plusSeconds(seconds));
            }
        }

        /** The best of the first few acceptable agents for {@code t}, or -1. Caches where the search may start. */
        private int search(PendingTask t, Q q, Shape shape) {
            int from = shape == null ? 0 : cursor.getOrDefault(shape, 0);
            searching = t;
            searchingQueue = q;
            int count = index.find(t.resources(), from, found, acceptor);
            searching = null;
            if (count == 0) {
                if (shape != null) cursor.put(shape, n);
                return -1;
            }
            if (shape != null) cursor.put(shape, found[0]);
            int best = found[0];
            if (count > 1) {
                Resources asked = t.resources();
                double bestScore = leftover(best, asked);
                for (int k = 1; k < count; k++) {
                    int a = found[k];
                    double score = leftover(a, asked);
                    if (score < bestScore) {   // strict: equal scores keep the smaller agent id
                        best = a;
                        bestScore = score;
                    }
                }
            }
            return best;
        }

        /** {@link OfferCycle#leftover} on the index's arrays, without building Resources. */
        private double leftover(int a, Resources asked) {
            Resources sc = scale[a];
            return share(index.cpus[a] - asked.cpus(), sc.cpus()) + share(index.memMb[a] - asked.memMb(), sc.memMb())
                    + share(index.diskMb[a] - asked.diskMb(), sc.diskMb()) + share(index.gpus[a] - asked.gpus(), sc.gpus());
        }

        /** May the task being searched for go on {@code agent} (which has room for it)? */
        private boolean accept(int agent) {
            if (index.isZero(agent)) return false;   // nothing to offer
            Q q = searchingQueue;
            int claim = claimedBy[agent];
            if (claim >= 0 && claim != q.idx) return false;
            BitSet d = declined[q.idx];
            if (d != null && d.get(agent)) return false;
            PendingTask t = searching;
            if (!t.constraints().isEmpty() && !constraints.admits(t, agents[agent], null)) return false;
            if (!extraFilters.isEmpty()) {
                Resources free = index.free(agent);
                for (SchedulingFilter f : extraFilters) {
                    if (!f.admits(t, agents[agent], free)) return false;
                }
            }
            return true;
        }

        private Placement place(PendingTask t, Q q, int agent) {
            index.take(agent, t.resources());
            placer[agent] = q.idx;
            addInstance(t.runId(), agent);
            q.add(t.resources(), 1);
            q.running++;
            q.pendingLeft--;
            String agentId = agents[agent].agentId();
            String offerId = liveOffer[agent] != null ? liveOffer[agent].id() : Offer.idFor(cycle, agentId);
            Placement p = new Placement(t.taskId(), t.jobId(), agentId, offerId, t.resources(), q.name);
            placements.add(p);
            return p;
        }

        // ---------------------------------------------------------------- gangs

        private void handleGang(PendingTask first, Q q) {
            String gang = first.runId();
            gangDone.put(gang, Boolean.TRUE);
            List<PendingTask> members = gangMembers.get(gang);
            int size = first.instances();
            if (members.size() < size) {
                String msg = "gang %s: %d of %d instances are pending; waiting for the rest".formatted(gang, members.size(), size);
                for (PendingTask m : members) {
                    reasons.put(m.taskId(), List.of(reason("gang.waiting", msg)));
                }
                return;
            }
            for (PendingTask m : members) {
                if (m.backingOffAt(now)) {
                    String msg = "gang %s: instance %s is in retry back-off until %s".formatted(gang, m.taskId(), m.notBefore());
                    for (PendingTask o : members) reasons.put(o.taskId(), List.of(reason(Veto.BACKOFF, msg)));
                    wakeAt(m.notBefore());
                    return;
                }
            }
            if (n == 0) {
                for (PendingTask m : members) reasons.put(m.taskId(), List.of(reason(Veto.noAgents(), 0)));
                return;
            }
            Hold hold = holds.get(gang);
            if (hold != null && !hold.held.isEmpty()) {   // the gang may use what it holds
                for (Map.Entry<Integer, Resources> e : hold.held.entrySet()) {
                    index.give(e.getKey(), e.getValue());
                    q.add(e.getValue(), -1);
                }
                forgetCaches();
            }
            Resources all = Resources.ZERO;
            for (PendingTask m : members) all = all.plus(m.resources());
            if (!admittedByQueue(first, q, members.size(), all)) {
                retake(hold, q);
                return;
            }
            List<Undo> tentative = new ArrayList<>(members.size());
            List<PendingReason> failure = null;
            for (PendingTask m : members) {
                int agent = search(m, q, shapeOf(m, q));
                if (agent < 0) {
                    failure = explain(m, q);
                    break;
                }
                tentative.add(new Undo(m, q, agent, index.cpus[agent], index.memMb[agent], index.diskMb[agent],
                        index.gpus[agent], claimedBy[agent], placer[agent]));
                place(m, q, agent);
            }
            if (failure == null) {   // the whole gang starts: its hold is used up
                if (hold != null) hold.started = true;
                for (Placement p : placements.subList(placements.size() - members.size(), placements.size())) {
                    sequence.placed(p);
                }
                return;
            }
            // all or nothing: roll back, then hold what fit (unless backing off)
            TreeMap<Integer, Resources> fit = new TreeMap<>();
            for (int k = tentative.size() - 1; k >= 0; k--) {
                Undo u = tentative.get(k);
                index.set(u.agent, u.cpus, u.mem, u.disk, u.gpus);
                claimedBy[u.agent] = u.claim;
                placer[u.agent] = u.placer;
                removeInstance(u.task.runId(), u.agent);
                q.add(u.task.resources(), -1);
                q.running--;
                q.pendingLeft++;
                placements.remove(placements.size() - 1);
                fit.merge(u.agent, u.task.resources(), Resources::plus);
            }
            forgetCaches();
            if (hold == null) {
                hold = new Hold(gang, q);
                holds.put(gang, hold);
            }
            hold.held.clear();
            boolean mayHold = hold.holdAgainAt == null || !now.isBefore(hold.holdAgainAt);
            if (mayHold && !fit.isEmpty()) {
                hold.held.putAll(fit);
                if (hold.heldSince == null) hold.heldSince = now;
            } else {
                hold.heldSince = null;
            }
            retake(hold, q);
            String holding;
            if (!hold.held.isEmpty()) {
                Instant until = hold.heldSince.plus(policy.gangTimeout());
                holding = "holding what fits on %d agent%s until %s".formatted(hold.held.size(), hold.held.size() == 1 ? "" : "s",
                        until);
                wakeAt(until);
            } else if (hold.holdAgainAt != null) {
                holding = "not holding resources: back-off after %d release%s until %s".formatted(hold.releases,
                        hold.releases == 1 ? "" : "s", hold.holdAgainAt);
                wakeAt(hold.holdAgainAt);
            } else {
                holding = "nothing to hold";
            }
            List<PendingReason> why = new ArrayList<>(failure.size() + 1);
            why.add(reason("gang.incomplete", "gang %s: %d of %d instances fit this cycle, none is started; %s"
                    .formatted(gang, tentative.size(), members.size(), holding)));
            why.addAll(failure);
            for (PendingTask m : members) unplaced(m, q, why);
        }

        /** Takes a gang's hold out of the free resources again (after it looked and did not start). */
        private void retake(Hold hold, Q q) {
            if (hold == null) return;
            for (Map.Entry<Integer, Resources> e : hold.held.entrySet()) {
                index.take(e.getKey(), e.getValue());
                q.add(e.getValue(), 1);
            }
            if (!hold.held.isEmpty()) forgetCaches();
        }

        /** Free resources grew (a rollback, a hold returned): what was cached about failures no longer holds. */
        private void forgetCaches() {
            cursor.clear();
            failed.clear();
        }

        private void wakeAt(Instant t) {
            if (t != null && t.isAfter(now) && (nextWakeUp == null || t.isBefore(nextWakeUp))) nextWakeUp = t;
        }

        // ---------------------------------------------------------------- constraint counts

        private void addInstance(String run, int agent) {
            if (!runsIndexed) {   // no constraint asked yet: record the placement only
                placedBeforeIndex.add(new int[]{agent});
                placedRuns.add(run);
                return;
            }
            agentsOfRun.computeIfAbsent(run, k -> new ArrayList<>()).add(agent);
            Map<String, Map<String, int[]>> byAttr = runCounts.get(run);
            if (byAttr != null) {
                for (Map.Entry<String, Map<String, int[]>> e : byAttr.entrySet()) {
                    String v = ConstraintFilter.valueOf(agents[agent], e.getKey());
                    if (v != null) e.getValue().computeIfAbsent(v, k -> new int[1])[0]++;
                }
            }
        }

        private void removeInstance(String run, int agent) {
            if (!runsIndexed) {
                placedBeforeIndex.remove(placedBeforeIndex.size() - 1);
                placedRuns.remove(placedRuns.size() - 1);
                return;
            }
            List<Integer> list = agentsOfRun.get(run);
            list.remove(list.lastIndexOf(agent));
            Map<String, Map<String, int[]>> byAttr = runCounts.get(run);
            if (byAttr != null) {
                for (Map.Entry<String, Map<String, int[]>> e : byAttr.entrySet()) {
                    String v = ConstraintFilter.valueOf(agents[agent], e.getKey());
                    if (v != null) e.getValue().get(v)[0]--;
                }
            }
        }

        private Map<String, int[]> countsOf(String run, String attribute) {
            Map<String, Map<String, int[]>> byAttr = runCounts.computeIfAbsent(run, k -> new HashMap<>());
            Map<String, int[]> counts = byAttr.get(attribute);
            if (counts == null) {
                counts = new HashMap<>();
                for (int agent : agentsOfRun().getOrDefault(run, List.of())) {
                    String v = ConstraintFilter.valueOf(agents[agent], attribute);
                    if (v != null) counts.computeIfAbsent(v, k -> new int[1])[0]++;
                }
                byAttr.put(attribute, counts);
            }
            return counts;
        }

        @Override
        public int count(String runId, String attribute, String value) {
            if (!agentsOfRun().containsKey(runId)) return 0;
            int[] c = countsOf(runId, attribute).get(value);
            return c == null ? 0 : c[0];
        }

        @Override
        public String anyValue(String runId, String attribute) {
            if (!agentsOfRun().containsKey(runId)) return null;
            String min = null;
            for (Map.Entry<String, int[]> e : countsOf(runId, attribute).entrySet()) {
                if (e.getValue()[0] > 0 && (min == null || e.getKey().compareTo(min) < 0)) min = e.getKey();
            }
            return min;
        }

        @Override
        public int distinctValues(String attribute) {
            Integer d = distinct.get(attribute);
            if (d == null) {
                java.util.Set<String> values = new java.util.HashSet<>();
                for (AgentSlot a : agents) {
                    String v = ConstraintFilter.valueOf(a, attribute);
                    if (v != null) values.add(v);
                }
                d = values.size();
                distinct.put(attribute, d);
            }
            return d;
        }

        // ---------------------------------------------------------------- why pending

        /**
         * Why no agent took {@code t}: every agent's vetoes, summarized. O(agents) and allocation-free per
         * agent; past {@link SchedulingPolicy#maxExplainedShapes()} per cycle, a summary from the index.
         */
        private List<PendingReason> explain(PendingTask t, Q q) {
            if (explained++ >= policy.maxExplainedShapes()) return cheapExplain(t);
            Resources asked = t.resources();
            ReasonSummary summary = new ReasonSummary();
            List<Constraint> cs = t.constraints();
            Veto[] opVetoes = new Veto[cs.size()];
            BitSet d = declined[q.idx];
            Veto declinedVeto = d == null ? null : new Veto("offer.declined", Veto.Kind.DYNAMIC, null, 0, 0,
                    "queue %s declined the agent until %s".formatted(q.name, declineExample[q.idx].until()));
            for (int i = 0; i < n; i++) {
                summary.startAgent(i);
                Resources total = agents[i].total();
                boolean known = total != null;
                if (!(asked.cpus() <= index.cpus[i] + Veto.EPS)) {
                    summary.insufficient("cpus", asked.cpus(), index.cpus[i], known ? total.cpus() : Double.NaN);
                }
                if (asked.memMb() > index.memMb[i]) {
                    summary.insufficient("memMb", asked.memMb(), index.memMb[i], known ? total.memMb() : Double.NaN);
                }
                if (asked.diskMb() > index.diskMb[i]) {
                    summary.insufficient("diskMb", asked.diskMb(), index.diskMb[i], known ? total.diskMb() : Double.NaN);
                }
                if (asked.gpus() > index.gpus[i]) {
                    summary.insufficient("gpus", asked.gpus(), index.gpus[i], known ? total.gpus() : Double.NaN);
                }
                int claim = claimedBy[i];
                if (claim >= 0 && claim != q.idx) summary.add(OTHER_QUEUE);
                if (d != null && d.get(i)) summary.add(declinedVeto);
                for (int k = 0; k < opVetoes.length; k++) {
                    Constraint c = cs.get(k);
                    if (!constraints.ok(t, c, agents[i])) {
                        Veto v = ConstraintFilter.valueOf(agents[i], c.attribute()) == null
                                && c.operator() != Constraint.Operator.UNLIKE
                                ? constraints.veto(t, c, agents[i])
                                : (opVetoes[k] != null ? opVetoes[k] : (opVetoes[k] = constraints.veto(t, c, agents[i])));
                        summary.add(v);
                    }
                }
                if (!extraFilters.isEmpty()) {
                    Resources free = index.free(i);
                    for (SchedulingFilter f : extraFilters) f.explain(t, agents[i], free, summary);
                }
                if (!summary.agentVetoed() && index.isZero(i)) summary.add(NO_OFFER);
            }
            if (summary.isEmpty()) {
                return List.of(new PendingReason("unplaced", n, "no agent admitted the task, but none vetoed it"));
            }
            return summary.reasons();
        }

        private List<PendingReason> cheapExplain(PendingTask t) {
            Resources largest = index.largestFree();
            Resources asked = t.resources();
            List<PendingReason> out = new ArrayList<>(2);
            String tail = " (no agent has that much free; per-agent details skipped after %d explained shapes this cycle)"
                    .formatted(policy.maxExplainedShapes());
            if (asked.cpus() > largest.cpus() + Veto.EPS) {
                out.add(new PendingReason("insufficient.cpus", n, "cpus: asked %s, largest free %s%s".formatted(
                        Veto.number(asked.cpus()), Veto.number(largest.cpus()), tail)));
            }
            if (asked.memMb() > largest.memMb()) {
                out.add(new PendingReason("insufficient.memMb", n, "memMb: asked %d, largest free %d%s".formatted(
                        asked.memMb(), largest.memMb(), tail)));
            }
            if (asked.diskMb() > largest.diskMb()) {
                out.add(new PendingReason("insufficient.diskMb", n, "diskMb: asked %d, largest free %d%s".formatted(
                        asked.diskMb(), largest.diskMb(), tail)));
            }
            if (asked.gpus() > largest.gpus()) {
                out.add(new PendingReason("insufficient.gpus", n, "gpus: asked %d, largest free %d%s".formatted(
                        asked.gpus(), largest.gpus(), tail)));
            }
            if (out.isEmpty()) {
                out.add(new PendingReason("unplaced", n, "no agent with room admits the task (constraints, offers to "
                        + "other queues, decline filters or too little room on any single agent); per-agent details "
                        + "skipped after %d explained shapes this cycle".formatted(policy.maxExplainedShapes())));
            }
            return out;
        }

        // ---------------------------------------------------------------- fair shares and preemption

        private double[] fairShares() {
            int m = queues.length;
            double[] weight = new double[m], demand = new double[m], guarantee = new double[m];
            for (Q q : queues) {
                weight[q.idx] = q.weight;
                double c = q.cpus + q.wantCpus, mem = q.mem + q.wantMem, g = q.gpus + q.wantGpus;
                Resources l = q.spec.limit();
                if (l != null) {
                    c = Math.min(c, l.cpus());
                    mem = Math.min(mem, l.memMb());
                    g = Math.min(g, l.gpus());
                }
                demand[q.idx] = Drf.dominantShare(c, mem, g, totals);
                Resources gr = q.spec.guarantee();
                guarantee[q.idx] = Math.min(demand[q.idx], Drf.dominantShare(gr, totals));
            }
            double[] fair = Drf.fairShares(weight, demand, guarantee);
            for (Q q : queues) q.fair = fair[q.idx];
            return fair;
        }

        private double projShare(Q q) {
            return Drf.dominantShare(q.projCpus, q.projMem, q.projGpus, totals);
        }

        private boolean projBelowGuarantee(Q q) {
            return DrfOrdering.coverage(q.projCpus, q.projMem, q.projGpus, q.spec.guarantee()) < 1;
        }

        private void preempt(double[] fair) {
            for (Q q : queues) {
                q.projCpus = q.cpus;
                q.projMem = q.mem;
                q.projGpus = q.gpus;
            }
            List<Q> order = new ArrayList<>();
            for (Q q : queues) if (!q.unplaced.isEmpty()) order.add(q);
            if (order.isEmpty()) return;
            order.sort(Comparator.comparingInt((Q q) -> projBelowGuarantee(q) ? 0 : 1)
                    .thenComparingDouble(q -> projShare(q) / q.weight).thenComparing(q -> q.name));
            // victims per agent, in preemption order: lowest priority, then youngest
            @SuppressWarnings("unchecked")
            List<RunningTask>[] victims = new List[n];
            double[] soonCpus = new double[n];
            long[] soonMem = new long[n], soonDisk = new long[n];
            int[] soonGpus = new int[n];
            for (RunningTask r : snap.running()) {
                Integer i = indexOf(r.agentId());
                if (i == null) continue;
                if (r.terminating()) {
                    soonCpus[i] += r.resources().cpus();
                    soonMem[i] += r.resources().memMb();
                    soonDisk[i] += r.resources().diskMb();
                    soonGpus[i] += r.resources().gpus();
                } else if (r.preemptions() < policy.maxPreemptionsPerRun() && queueByName.containsKey(r.queue())) {
                    if (victims[i] == null) victims[i] = new ArrayList<>(4);
                    victims[i].add(r);
                }
            }
            Comparator<RunningTask> victimOrder = Comparator.comparingInt(RunningTask::priority)
                    .thenComparing(RunningTask::startedAt, Comparator.reverseOrder()).thenComparing(RunningTask::taskId);
            for (List<RunningTask> l : victims) if (l != null && l.size() > 1) l.sort(victimOrder);
            java.util.Set<String> taken = new java.util.HashSet<>();
            int considered = 0;
            for (Q q : order) {
                for (PendingTask t : q.unplaced) {
                    if (considered >= policy.maxPreemptorsPerCycle()) return;
                    boolean byShare = projBelowGuarantee(q)
                            || projShare(q) < q.fair * (1 - policy.preemptionTolerance()) - SHARE_EPS;
                    if (!byShare && !anyLowerPriority(t, victims)) continue;
                    considered++;
                    preemptFor(t, q, byShare, victims, taken, soonCpus, soonMem, soonDisk, soonGpus);
                }
            }
        }

        private boolean anyLowerPriority(PendingTask t, List<RunningTask>[] victims) {
            for (List<RunningTask> l : victims) {
                if (l != null && l.get(0).priority() < t.priority()) return true;
            }
            return false;
        }

        private void preemptFor(PendingTask t, Q q, boolean byShare, List<RunningTask>[] victims,
                java.util.Set<String> taken, double[] soonCpus, long[] soonMem, long[] soonDisk, int[] soonGpus) {
            Resources asked = t.resources();
            int bestAgent = -1;
            List<RunningTask> bestSet = null;
            int bestMaxPriority = Integer.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                List<RunningTask> here = victims[i];
                boolean soon = soonCpus[i] > 0 || soonMem[i] > 0 || soonDisk[i] > 0 || soonGpus[i] > 0;
                if (here == null && !soon) continue;
                if (!t.constraints().isEmpty() && !constraints.admits(t, agents[i], null)) continue;
                double c = index.cpus[i] + soonCpus[i];
                long m = index.memMb[i] + soonMem[i], d = index.diskMb[i] + soonDisk[i];
                int g = index.gpus[i] + soonGpus[i];
                if (fits(asked, c, m, d, g)) {   // what is already being freed is enough: wait for it
                    bestAgent = i;
                    bestSet = List.of();
                    break;
                }
                if (here == null) continue;
                List<RunningTask> chosen = new ArrayList<>();
                Arrays.fill(removedCpus, 0);
                Arrays.fill(removedMem, 0);
                Arrays.fill(removedGpus, 0);
                for (RunningTask v : here) {
                    if (taken.contains(v.taskId()) || !mayPreempt(t, q, byShare, v)) continue;
                    Q vq = queueByName.get(v.queue());
                    removedCpus[vq.idx] += v.resources().cpus();
                    removedMem[vq.idx] += v.resources().memMb();
                    removedGpus[vq.idx] += v.resources().gpus();
                    chosen.add(v);
                    c += v.resources().cpus();
                    m += v.resources().memMb();
                    d += v.resources().diskMb();
                    g += v.resources().gpus();
                    if (fits(asked, c, m, d, g)) break;
                }
                if (!fits(asked, c, m, d, g)) continue;
                for (int k = chosen.size() - 1; k >= 0; k--) {   // no more than needed
                    Resources r = chosen.get(k).resources();
                    if (fits(asked, c - r.cpus(), m - r.memMb(), d - r.diskMb(), g - r.gpus())) {
                        c -= r.cpus();
                        m -= r.memMb();
                        d -= r.diskMb();
                        g -= r.gpus();
                        chosen.remove(k);
                    }
                }
                int maxPriority = chosen.stream().mapToInt(RunningTask::priority).max().orElse(Integer.MIN_VALUE);
                if (bestSet == null || chosen.size() < bestSet.size()
                        || (chosen.size() == bestSet.size() && maxPriority < bestMaxPriority)) {
                    bestAgent = i;
                    bestSet = chosen;
                    bestMaxPriority = maxPriority;
                }
            }
            if (bestAgent < 0) return;
            int i = bestAgent;
            String agentId = agents[i].agentId();
            for (RunningTask v : bestSet) {
                taken.add(v.taskId());
                Q r = queueByName.get(v.queue());
                r.projCpus -= v.resources().cpus();
                r.projMem -= v.resources().memMb();
                r.projGpus -= v.resources().gpus();
                soonCpus[i] += v.resources().cpus();
                soonMem[i] += v.resources().memMb();
                soonDisk[i] += v.resources().diskMb();
                soonGpus[i] += v.resources().gpus();
                String code;
                String why;
                if (byShare && r != q && projBelowGuarantee(q)) {
                    code = "preempted.guarantee";
                    why = "queue %s is below its guarantee; queue %s is above its fair share (%s > %s)".formatted(q.name,
                            r.name, pct(Drf.dominantShare(r.cpus, r.mem, r.gpus, totals)), pct(r.fair));
                } else if (byShare && r != q) {
                    code = "preempted.fair-share";
                    why = "queue %s is below its fair share (%s < %s); queue %s is above its own (%s > %s)".formatted(q.name,
                            pct(Drf.dominantShare(q.cpus, q.mem, q.gpus, totals)), pct(q.fair), r.name,
                            pct(Drf.dominantShare(r.cpus, r.mem, r.gpus, totals)), pct(r.fair));
                } else {
                    code = "preempted.priority";
                    why = "task %s has priority %d > %d, and queue %s is above its fair share".formatted(t.taskId(),
                            t.priority(), v.priority(), r.name);
                }
                preemptions.add(new Preemption(v.taskId(), v.jobId(), v.queue(), agentId, t.taskId(), code, why));
            }
            // promise what is being freed on that agent to t
            soonCpus[i] = Math.max(0, soonCpus[i] - Math.max(0, asked.cpus() - index.cpus[i]));
            soonMem[i] = Math.max(0, soonMem[i] - Math.max(0, asked.memMb() - index.memMb[i]));
            soonDisk[i] = Math.max(0, soonDisk[i] - Math.max(0, asked.diskMb() - index.diskMb[i]));
            soonGpus[i] = Math.max(0, soonGpus[i] - Math.max(0, asked.gpus() - index.gpus[i]));
            q.projCpus += asked.cpus();
            q.projMem += asked.memMb();
            q.projGpus += asked.gpus();
            List<PendingReason> why = new ArrayList<>();
            why.add(bestSet.isEmpty()
                    ? reason("preemption.pending", "waiting for preempted tasks to exit on agent " + agentId)
                    : reason("preemption.pending", "preempting %d task%s on agent %s; placed once they exit".formatted(
                            bestSet.size(), bestSet.size() == 1 ? "" : "s", agentId)));
            why.addAll(reasons.getOrDefault(t.taskId(), List.of()));
            reasons.put(t.taskId(), why);
        }

        /**
         * May {@code t} of queue {@code q} preempt {@code v}, given the victims already chosen for it
         * ({@code removed*})? Only tasks of a queue above its fair share; never so many that the victim's
         * queue falls below its fair share or its guarantee; for fairness (not priority) only while the
         * preemptor stays at or below its own fair share and above the victim's normalized share (no
         * ping-pong); a higher priority may displace work of its own queue.
         */
        private boolean mayPreempt(PendingTask t, Q q, boolean byShare, RunningTask v) {
            Q r = queueByName.get(v.queue());
            if (r == null || projShare(r) <= r.fair + SHARE_EPS) return false;   // only from queues above their fair share
            Resources vr = v.resources();
            double rc = r.projCpus - removedCpus[r.idx] - vr.cpus(), rm = r.projMem - removedMem[r.idx] - vr.memMb();
            double rg = r.projGpus - removedGpus[r.idx] - vr.gpus();
            if (r == q) return t.priority() > v.priority();
            double rAfter = Drf.dominantShare(rc, rm, rg, totals);
            if (rAfter < r.fair - SHARE_EPS) return false;                           // not below the victim's fair share
            if (DrfOrdering.coverage(rc, rm, rg, r.spec.guarantee()) < 1) return false;   // nor below its guarantee
            if (t.priority() > v.priority()) return true;
            if (!byShare) return false;
            if (projBelowGuarantee(q)) return true;
            Resources a = t.resources();
            double qAfter = Drf.dominantShare(q.projCpus + a.cpus(), q.projMem + a.memMb(), q.projGpus + a.gpus(), totals);
            return qAfter <= q.fair + SHARE_EPS && rAfter / r.weight >= qAfter / q.weight - SHARE_EPS;
        }

        private static boolean fits(Resources asked, double c, long m, long d, int g) {
            return asked.cpus() <= c + Veto.EPS && asked.memMb() <= m && asked.diskMb() <= d && asked.gpus() <= g;
        }

        private static String pct(double share) {
            return Veto.number(Math.round(share * 1000) / 10.0) + "%";
        }

        // ---------------------------------------------------------------- offers, filters, holds, shares

        private List<Offer> offers() {
            List<Q> wanting = new ArrayList<>();
            for (Q q : queues) if (q.wanting) wanting.add(q);
            wanting.sort(Comparator.comparingInt((Q q) -> DrfOrdering.coverage(q.cpus, q.mem, q.gpus, q.spec.guarantee()) < 1 ? 0 : 1)
                    .thenComparingDouble(q -> Drf.dominantShare(q.cpus, q.mem, q.gpus, totals) / q.weight)
                    .thenComparing(q -> q.name));
            Instant expiresAt = now.plus(policy.offerTtl());
            Instant filterUntil = now.plus(policy.declineFilter());
            List<Offer> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (index.isZero(i)) continue;
                Resources left = index.free(i);
                String agentId = agents[i].agentId();
                Q skip = null;
                Offer live = liveOffer[i];
                if (live != null) {
                    Q q = queueByName.get(live.queue());
                    if (placer[i] == q.idx && q.wants(index, i)) {
                        out.add(live.withResources(left));
                        continue;
                    }
                    if (placer[i] != q.idx) decline(q, i, left, filterUntil);
                    skip = q;
                }
                Q to = null;
                for (Q q : wanting) {
                    if (q == skip || (declined[q.idx] != null && declined[q.idx].get(i))) continue;
                    if (q.wants(index, i)) {
                        to = q;
                        break;
                    }
                    decline(q, i, left, filterUntil);
                }
                out.add(new Offer(Offer.idFor(cycle, agentId), agentId, left, now, expiresAt, to == null ? null : to.name));
            }
            return out;
        }

        private void decline(Q q, int agent, Resources left, Instant until) {
            newFilters.add(new DeclineFilter(q.name, agents[agent].agentId(), left, now, until));
        }

        private List<DeclineFilter> filtersOut() {
            List<DeclineFilter> all = new ArrayList<>(keptFilters.size() + newFilters.size());
            all.addAll(keptFilters);
            all.addAll(newFilters);
            all.sort((a, b) -> {
                int c = a.queue().compareTo(b.queue());
                return c != 0 ? c : a.agentId().compareTo(b.agentId());
            });
            return all;
        }

        private List<GangHold> holdsOut() {
            List<GangHold> out = new ArrayList<>();
            for (Hold h : holds.values()) {
                if (h.started) continue;
                if (h.held.isEmpty() && h.releases == 0) continue;
                Map<String, Resources> held = new TreeMap<>();
                h.held.forEach((i, r) -> held.put(agents[i].agentId(), r));
                out.add(new GangHold(h.gang, h.queue.name, held, h.heldSince, h.releases, h.holdAgainAt));
                if (!h.held.isEmpty()) wakeAt(h.heldSince.plus(policy.gangTimeout()));
                if (h.holdAgainAt != null) wakeAt(h.holdAgainAt);
            }
            return out;
        }

        private List<QueueShare> shares(double[] fair) {
            List<QueueShare> out = new ArrayList<>(queues.length);
            for (Q q : queues) {
                out.add(new QueueShare(q.name, q.weight, q.allocated(), Drf.dominantShare(q.cpus, q.mem, q.gpus, totals),
                        fair[q.idx], q.pendingLeft, q.running));
            }
            return out;
        }
    }
}
