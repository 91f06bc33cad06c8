package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.queue.QueueSpec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-cycle ledger: what every agent has free (indexed), which queue an agent is reserved for by a
 * live offer and which queue placed on it, which queues declined it, what every queue holds and wants,
 * where every run's instances are. Built from the snapshot at the start of a cycle, changed by the steps
 * of {@link OfferCycle} as they decide, dropped at the end. Never escapes the cycle.
 *
 * <p>Checks of the {@link PlacementStack} read it through the public accessors; agents are addressed by
 * their index {@code 0..agents()-1} in agent id order.
 */
public final class Ledger {

    private static final Comparator<AgentSlot> BY_ID = Comparator.comparing(AgentSlot::agentId);

    final ClusterSnapshot snap;
    final long cycle;
    final Instant now;
    final AgentSlot[] agents;
    final Resources[] scale;
    final int n;
    final AgentIndex index;
    /** Queue index an agent is reserved for by a live offer carried over, or -1. */
    final int[] claimedBy;
    /** Queue index that placed on the agent this cycle (the last one), or -1. */
    final int[] placer;
    final Offer[] liveOffer;
    final QueueState[] queues;
    final Map<String, QueueState> queueByName = new HashMap<>();
    /** Per queue index: agents the queue declined with a filter still in force (null: none). */
    final BitSet[] declined;
    /** Per queue index: the decline filter in force that runs out first (for the message). */
    final DeclineFilter[] declineExample;
    private final Veto[] declinedVeto;
    final RunCounts runs;
    /** Gang run id → its pending members in task id order. */
    final Map<String, List<PendingTask>> gangMembers = new HashMap<>();
    final Drf.Totals totals;
    /** This cycle's reservations (EASY backfill) and the check that protects them. */
    final Reservations reservations;
    private Map<String, Integer> agentIdx;
    private String lastQueueName;
    private int lastQueueIdx = -1;

    Ledger(ClusterSnapshot s) {
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
        this.queues = new QueueState[specs.size()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new QueueState(i, specs.get(i));
            queueByName.put(queues[i].name, queues[i]);
        }
        this.declined = new BitSet[queues.length];
        this.declineExample = new DeclineFilter[queues.length];
        this.declinedVeto = new Veto[queues.length];
        this.runs = new RunCounts(s, this);
        this.totals = DrfOrdering.totals(s);
        this.reservations = new Reservations(this);
        account();
    }

    private static boolean isSorted(AgentSlot[] a) {
        for (int i = 1; i < a.length; i++) {
            if (a[i - 1].agentId().compareTo(a[i].agentId()) >= 0) return false;
        }
        return true;
    }

    /** Queues' pending counts and running allocation; gang members; instances running per gang. */
    private void account() {
        for (PendingTask t : snap.pending()) {
            QueueState q = queueByName.get(t.queue());
            if (q != null) {
                q.pendingLeft++;
                if (q.newestQueuedAt == null || t.queuedAt().isAfter(q.newestQueuedAt)) q.newestQueuedAt = t.queuedAt();
            }
            if (t.isGang()) gangMembers.computeIfAbsent(t.runId(), k -> new ArrayList<>()).add(t);
        }
        for (List<PendingTask> members : gangMembers.values()) members.sort(Comparator.comparing(PendingTask::taskId));
        QueueState last = null;
        for (RunningTask r : snap.running()) {
            QueueState q = last != null && last.name.equals(r.queue()) ? last : queueByName.get(r.queue());
            if (q != null) {
                q.add(r.resources(), 1);
                q.running++;
                last = q;
            }
            if (!gangMembers.isEmpty() && gangMembers.containsKey(r.runId())) {
                runs.runningPerGang.merge(r.runId(), 1, Integer::sum);
            }
        }
    }

    // ---------------------------------------------------------------- read API for checks

    /** How many agents the snapshot has. */
    public int agents() {
        return n;
    }

    /** Agent {@code i} as the snapshot gave it (its {@code free} is as of the snapshot, not this cycle). */
    public AgentSlot agent(int i) {
        return agents[i];
    }

    /** What agent {@code i} has free now, after this cycle's placements so far. */
    public Resources free(int i) {
        return index.free(i);
    }

    /** The snapshot's instant. */
    public Instant now() {
        return now;
    }

    /** The index of queue {@code name}, or -1 when the snapshot has no such queue. Cheap for repeated names. */
    public int queueIndex(String name) {
        if (name == lastQueueName) return lastQueueIdx;
        QueueState q = queueByName.get(name);
        lastQueueName = name;
        lastQueueIdx = q == null ? -1 : q.idx;
        return lastQueueIdx;
    }

    /** The queue a live offer reserves agent {@code i} for, as a queue index, or -1. */
    public int reservedFor(int i) {
        return claimedBy[i];
    }

    /** True when queue {@code queue} (an index) declined agent {@code i} with a filter still in force. */
    public boolean declined(int queue, int i) {
        BitSet d = declined[queue];
        return d != null && d.get(i);
    }

    /** Instances of each run per attribute value, for counting constraints. */
    public ConstraintFilter.Counts counts() {
        return runs;
    }

    // ---------------------------------------------------------------- for the steps

    /** The index of agent {@code id}, or null when the snapshot has no such agent. */
    Integer indexOf(String id) {
        if (agentIdx == null) {
            agentIdx = new HashMap<>(Math.max(16, n * 2));
            for (int i = 0; i < n; i++) agentIdx.put(agents[i].agentId(), i);
        }
        return agentIdx.get(id);
    }

    /** The veto of agents that queue {@code queue} declined (one per queue and cycle). */
    Veto declinedVeto(int queue) {
        Veto v = declinedVeto[queue];
        if (v == null) {
            v = Veto.of(VetoCode.OFFER_DECLINED, Veto.Kind.DYNAMIC, "queue %s declined the agent until %s"
                    .formatted(queues[queue].name, declineExample[queue].until()));
            declinedVeto[queue] = v;
        }
        return v;
    }

    /** Takes {@code r} from agent {@code i}'s free resources and books it to queue {@code q} as placed there. */
    Placement place(PendingTask t, QueueState q, int i) {
        index.take(i, t.resources());
        placer[i] = q.idx;
        reservations.placed(t, i);
        runs.add(t.runId(), i);
        q.add(t.resources(), 1);
        q.running++;
        q.pendingLeft--;
        String agentId = agents[i].agentId();
        String offerId = liveOffer[i] != null ? liveOffer[i].id() : Offer.idFor(cycle, agentId);
        return new Placement(t.taskId(), t.jobId(), agentId, offerId, t.resources(), q.name);
    }

    /** Best-fit score of {@code asked} on agent {@code a}: {@link OfferCycle#leftover} on the index's arrays. */
    double leftover(int a, Resources asked) {
        Resources sc = scale[a];
        return share(index.cpus[a] - asked.cpus(), sc.cpus()) + share(index.memMb[a] - asked.memMb(), sc.memMb())
                + share(index.diskMb[a] - asked.diskMb(), sc.diskMb()) + share(index.gpus[a] - asked.gpus(), sc.gpus());
    }

    static double share(double left, double size) {
        return size > 0 ? Math.max(0, left) / size : 0;
    }
}
