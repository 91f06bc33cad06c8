package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.model.PendingReason;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Places a gang (all pending instances of one run of a gang job) all or nothing. The gang may use what
 * it holds ({@link GangHold}); its instances are placed tentatively one by one through the same
 * {@link Placer}; if one does not fit, every tentative placement is rolled back and the gang holds what
 * fit (unless it is in hold back-off), so smaller work cannot take it while the gang waits.
 */
final class GangPlacer {

    /** A gang's hold during a cycle. */
    static final class Hold {
        final String gang;
        final QueueState queue;
        final TreeMap<Integer, Resources> held = new TreeMap<>();
        Instant heldSince;
        int releases;
        Instant holdAgainAt;
        boolean started;

        Hold(String gang, QueueState queue) {
            this.gang = gang;
            this.queue = queue;
        }
    }

    /** An undo record of one tentative placement. */
    private record Undo(PendingTask task, int agent, double cpus, long mem, long disk, int gpus, int claim, int placer) {
    }

    private final Ledger ledger;
    private final PlacementStack stack;
    private final Placer placer;
    private final PendingExplainer explainer;
    private final Decisions decisions;
    private final SchedulingPolicy policy;
    final Map<String, Hold> holds;

    GangPlacer(Ledger ledger, PlacementStack stack, Placer placer, PendingExplainer explainer, Decisions decisions,
               SchedulingPolicy policy, Map<String, Hold> holds) {
        this.ledger = ledger;
        this.stack = stack;
        this.placer = placer;
        this.explainer = explainer;
        this.decisions = decisions;
        this.policy = policy;
        this.holds = holds;
    }

    /** Places the gang of {@code first} or explains why not; returns its placements (empty when it did not start). */
    List<Placement> place(PendingTask first, QueueState q) {
        String gang = first.runId();
        List<PendingTask> members = ledger.gangMembers.get(gang);
        int size = first.instances();
        if (members.size() < size) {
            QueueChecks.vetoAll(decisions, members, Decisions.reason(VetoCode.GANG_WAITING,
                    "gang %s: %d of %d instances are pending; waiting for the rest".formatted(gang, members.size(), size)));
            return List.of();
        }
        for (PendingTask m : members) {
            if (m.backingOffAt(ledger.now)) {
                QueueChecks.vetoAll(decisions, members, Decisions.reason(VetoCode.BACKOFF,
                        "gang %s: instance %s is in retry back-off until %s".formatted(gang, m.taskId(), m.notBefore())));
                decisions.wakeAt(m.notBefore());
                return List.of();
            }
        }
        if (ledger.n == 0) {
            QueueChecks.vetoAll(decisions, members, Decisions.reason(Veto.noAgents(), 0));
            return List.of();
        }
        Hold hold = holds.get(gang);
        if (hold != null && !hold.held.isEmpty()) {   // the gang may use what it holds
            for (Map.Entry<Integer, Resources> e : hold.held.entrySet()) {
                ledger.index.give(e.getKey(), e.getValue());
                q.add(e.getValue(), -1);
            }
            stack.forgetDynamic();
        }
        Resources all = Resources.ZERO;
        for (PendingTask m : members) all = all.plus(m.resources());
        PendingReason queueVeto = QueueChecks.veto(q, members.size(), all);
        if (queueVeto != null) {
            QueueChecks.vetoAll(decisions, members, queueVeto);
            retake(hold, q);
            return List.of();
        }
        List<Undo> tentative = new ArrayList<>(members.size());
        List<PendingReason> failure = null;
        AgentIndex ix = ledger.index;
        for (PendingTask m : members) {
            Shape shape = stack.shapeOf(m, q.idx);
            int agent = placer.search(m, shape);
            if (agent < 0) {
                failure = explainer.explain(m, shape);
                break;
            }
            tentative.add(new Undo(m, agent, ix.cpus[agent], ix.memMb[agent], ix.diskMb[agent], ix.gpus[agent],
                    ledger.claimedBy[agent], ledger.placer[agent]));
            placer.place(m, q, agent);
        }
        List<Placement> placements = decisions.placements;
        if (failure == null) {   // the whole gang starts: its hold is used up
            if (hold != null) hold.started = true;
            return List.copyOf(placements.subList(placements.size() - members.size(), placements.size()));
        }
        // all or nothing: roll back, then hold what fit (unless backing off)
        TreeMap<Integer, Resources> fit = new TreeMap<>();
        for (int k = tentative.size() - 1; k >= 0; k--) {
            Undo u = tentative.get(k);
            ix.set(u.agent, u.cpus, u.mem, u.disk, u.gpus);
            ledger.claimedBy[u.agent] = u.claim;
            ledger.placer[u.agent] = u.placer;
            ledger.runs.remove(u.task.runId(), u.agent);
            ledger.reservations.unplaced(u.task, u.agent);
            q.add(u.task.resources(), -1);
            q.running--;
            q.pendingLeft++;
            placements.remove(placements.size() - 1);
            fit.merge(u.agent, u.task.resources(), Resources::plus);
        }
        stack.forgetDynamic();
        if (hold == null) {
            hold = new Hold(gang, q);
            holds.put(gang, hold);
        }
        hold.held.clear();
        Reservation reserved = policy.reservations() ? ledger.reservations.reserve(members, q, stack.shapeOf(members.get(0), q.idx)) : null;
        if (reserved != null) {   // room is promised from a set time: nothing is held idle meanwhile
            hold.heldSince = null;
            stack.forgetDynamic();
            List<PendingReason> why = new ArrayList<>(failure.size() + 1);
            why.add(Decisions.reason(VetoCode.GANG_INCOMPLETE, "gang %s: %d of %d instances fit this cycle, none is started; reserved from %s on %s"
                    .formatted(gang, tentative.size(), members.size(), reserved.start(), ReasonSummary.agents(reserved.agents().size()))));
            why.addAll(failure);
            for (PendingTask m : members) {
                explainer.unplaced(m, q, why);
                decisions.etas.put(m.taskId(), reserved.start());
            }
            return List.of();
        }
        boolean mayHold = hold.holdAgainAt == null || !ledger.now.isBefore(hold.holdAgainAt);
        if (mayHold && !fit.isEmpty()) {
            hold.held.putAll(fit);
            if (hold.heldSince == null) hold.heldSince = ledger.now;
        } else {
            hold.heldSince = null;
        }
        retake(hold, q);
        String holding;
        if (!hold.held.isEmpty()) {
            Instant until = hold.heldSince.plus(policy.gangTimeout());
            holding = "holding what fits on %s until %s".formatted(ReasonSummary.agents(hold.held.size()), until);
            decisions.wakeAt(until);
        } else if (hold.holdAgainAt != null) {
            holding = "not holding resources: back-off after %d release%s until %s".formatted(hold.releases,
                    hold.releases == 1 ? "" : "s", hold.holdAgainAt);
            decisions.wakeAt(hold.holdAgainAt);
        } else {
            holding = "nothing to hold";
        }
        List<PendingReason> why = new ArrayList<>(failure.size() + 1);
        why.add(Decisions.reason(VetoCode.GANG_INCOMPLETE, "gang %s: %d of %d instances fit this cycle, none is started; %s"
                .formatted(gang, tentative.size(), members.size(), holding)));
        why.addAll(failure);
        for (PendingTask m : members) explainer.unplaced(m, q, why);
        return List.of();
    }

    /** Takes a gang's hold out of the free resources again (after it looked and did not start). */
    private void retake(Hold hold, QueueState q) {
        if (hold == null) return;
        for (Map.Entry<Integer, Resources> e : hold.held.entrySet()) {
            ledger.index.take(e.getKey(), e.getValue());
            q.add(e.getValue(), 1);
        }
        if (!hold.held.isEmpty()) stack.forgetDynamic();
    }

    /** The holds still in force, for the plan; arms wake-ups for their time-outs and back-offs. */
    List<GangHold> out() {
        List<GangHold> out = new ArrayList<>();
        for (Hold h : holds.values()) {
            if (h.started) continue;
            if (h.held.isEmpty() && h.releases == 0) continue;
            Map<String, Resources> held = new TreeMap<>();
            h.held.forEach((i, r) -> held.put(ledger.agents[i].agentId(), r));
            out.add(new GangHold(h.gang, h.queue.name, held, h.heldSince, h.releases, h.holdAgainAt));
            if (!h.held.isEmpty()) decisions.wakeAt(h.heldSince.plus(policy.gangTimeout()));
            if (h.holdAgainAt != null) decisions.wakeAt(h.holdAgainAt);
        }
        return out;
    }
}
