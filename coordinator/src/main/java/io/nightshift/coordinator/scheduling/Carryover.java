package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The first step of a cycle: what earlier cycles left in the snapshot, applied to the {@link Ledger}.
 * <ul>
 *   <li>Offers whose agent is gone are rescinded; offers past {@code expiresAt} (or to a queue that no
 *       longer exists) expire; a live offer to a queue reserves its agent for that queue.</li>
 *   <li>Decline filters apply until they run out, unless the agent grew beyond what was declined or the
 *       queue got new work after the filter was made.</li>
 *   <li>Gang holds are clipped to what their agents still have and taken out of the free resources; a hold
 *       past {@link SchedulingPolicy#gangTimeout()} is released with back-off.</li>
 * </ul>
 */
final class Carryover {

    private Carryover() {
    }

    static void offers(Ledger l, Decisions d) {
        List<Offer> offers = new ArrayList<>(l.snap.offers());
        offers.sort(Comparator.comparing(Offer::agentId).thenComparing(Offer::id));
        for (Offer o : offers) {
            Integer i = l.indexOf(o.agentId());
            if (i == null) {
                d.rescinded.add(o.id());
            } else if (o.queue() != null) {
                QueueState q = l.queueByName.get(o.queue());
                if (!l.now.isBefore(o.expiresAt()) || q == null) {
                    d.expired.add(o.id());
                } else if (l.liveOffer[i] == null) {
                    l.liveOffer[i] = o;
                    l.claimedBy[i] = q.idx;
                }
            }
        }
    }

    static void declineFilters(Ledger l, Decisions d) {
        for (DeclineFilter f : l.snap.declineFilters()) {
            Integer i = l.indexOf(f.agentId());
            QueueState q = l.queueByName.get(f.queue());
            if (i == null || q == null || !l.now.isBefore(f.until())) continue;
            if (q.newestQueuedAt != null && q.newestQueuedAt.isAfter(f.createdAt())) continue;   // revived
            if (!f.declined().fits(l.agents[i].free())) continue;                                  // grew: offer again
            if (l.declined[q.idx] == null) l.declined[q.idx] = new BitSet(l.n);
            if (l.declined[q.idx].get(i)) continue;
            l.declined[q.idx].set(i);
            if (l.declineExample[q.idx] == null || f.until().isBefore(l.declineExample[q.idx].until())) {
                l.declineExample[q.idx] = f;
            }
            d.keptFilters.add(f);
        }
    }

    /** The snapshot's gang holds that still apply, by gang, with what they hold taken from the ledger. */
    static Map<String, GangPlacer.Hold> gangHolds(Ledger l, SchedulingPolicy policy) {
        Map<String, GangPlacer.Hold> holds = new TreeMap<>();
        for (GangHold g : l.snap.gangHolds()) {
            QueueState q = l.queueByName.get(g.queue());
            if (q == null || !l.gangMembers.containsKey(g.gang()) || holds.containsKey(g.gang())) continue;
            GangPlacer.Hold h = new GangPlacer.Hold(g.gang(), q);
            h.releases = g.releases();
            h.holdAgainAt = g.holdAgainAt() != null && g.holdAgainAt().isAfter(l.now) ? g.holdAgainAt() : null;
            h.heldSince = g.heldSince();
            for (Map.Entry<String, Resources> e : g.held().entrySet()) {
                Integer i = l.indexOf(e.getKey());
                if (i == null) continue;
                Resources r = e.getValue();
                AgentIndex ix = l.index;
                Resources clipped = new Resources(Math.min(r.cpus(), ix.cpus[i]), Math.min(r.memMb(), ix.memMb[i]),
                        Math.min(r.diskMb(), ix.diskMb[i]), Math.min(r.gpus(), ix.gpus[i]));
                if (!clipped.isZero()) h.held.put(i, clipped);
            }
            if (!h.held.isEmpty() && !l.now.isBefore(h.heldSince.plus(policy.gangTimeout()))) {
                h.held.clear();
                h.releases++;
                h.holdAgainAt = l.now.plus(backoff(policy, h.releases));
            }
            if (h.held.isEmpty()) h.heldSince = null;
            for (Map.Entry<Integer, Resources> e : h.held.entrySet()) {
                l.index.take(e.getKey(), e.getValue());
                q.add(e.getValue(), 1);
            }
            holds.put(g.gang(), h);
        }
        return holds;
    }

    /** gangTimeout × 2^(releases-1), capped at {@link SchedulingPolicy#maxGangBackoff()}. */
    static Duration backoff(SchedulingPolicy policy, int releases) {
        Duration d = policy.gangTimeout().multipliedBy(1L << Math.min(20, Math.max(0, releases - 1)));
        return d.compareTo(policy.maxGangBackoff()) > 0 ? policy.maxGangBackoff() : d;
    }

}
