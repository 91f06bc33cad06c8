package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The last step: what is left on each agent is offered to the first queue, in {@link QueueOrder}, that
 * still waits for capacity and could use it (its smallest waiting task fits); a queue that could not is
 * recorded as declining it with a filter. A live offer stays with its queue while that queue placed on
 * the agent and still wants it; otherwise its queue declines it. Leftovers no queue wants are open
 * offers. Also gives the plan its decline filters (kept and new).
 */
final class OfferMaker {

    private OfferMaker() {
    }

    static List<Offer> offers(Ledger l, Decisions d, SchedulingPolicy policy) {
        List<QueueState> wanting = new ArrayList<>();
        for (QueueState q : l.queues) if (q.wanting) wanting.add(q);
        wanting.sort(QueueOrder.byAllocation(l.totals));
        Instant expiresAt = l.now.plus(policy.offerTtl());
        Instant filterUntil = l.now.plus(policy.declineFilter());
        List<Offer> out = new ArrayList<>();
        for (int i = 0; i < l.n; i++) {
            if (l.index.isZero(i)) continue;
            Resources left = l.index.free(i);
            String agentId = l.agents[i].agentId();
            QueueState skip = null;
            Offer live = l.liveOffer[i];
            if (live != null) {
                QueueState q = l.queueByName.get(live.queue());
                if (l.placer[i] == q.idx && q.wants(l.index, i)) {
                    out.add(live.withResources(left));
                    continue;
                }
                if (l.placer[i] != q.idx) decline(l, d, q, i, left, filterUntil);
                skip = q;
            }
            QueueState to = null;
            for (QueueState q : wanting) {
                if (q == skip || l.declined(q.idx, i)) continue;
                if (q.wants(l.index, i)) {
                    to = q;
                    break;
                }
                decline(l, d, q, i, left, filterUntil);
            }
            out.add(new Offer(Offer.idFor(l.cycle, agentId), agentId, left, l.now, expiresAt, to == null ? null : to.name));
        }
        return out;
    }

    private static void decline(Ledger l, Decisions d, QueueState q, int agent, Resources left, Instant until) {
        d.newFilters.add(new DeclineFilter(q.name, l.agents[agent].agentId(), left, l.now, until));
    }

    /** Every decline filter in force after this cycle, by queue then agent. */
    static List<DeclineFilter> filters(Decisions d) {
        List<DeclineFilter> all = new ArrayList<>(d.keptFilters.size() + d.newFilters.size());
        all.addAll(d.keptFilters);
        all.addAll(d.newFilters);
        all.sort((a, b) -> {
            int c = a.queue().compareTo(b.queue());
            return c != 0 ? c : a.agentId().compareTo(b.agentId());
        });
        return all;
    }
}
