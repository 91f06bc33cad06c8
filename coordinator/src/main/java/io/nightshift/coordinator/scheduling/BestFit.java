package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

/**
 * The ranker: among the candidate agents a search found (admitted by the whole stack, in id order),
 * the tightest fit, by {@link OfferCycle#leftover}; equal scores keep the smaller agent id. Pure.
 */
final class BestFit {

    private BestFit() {
    }

    static int pick(Ledger l, int[] found, int count, Resources asked) {
        int best = found[0];
        if (count > 1) {
            double bestScore = l.leftover(best, asked);
            for (int k = 1; k < count; k++) {
                int a = found[k];
                double score = l.leftover(a, asked);
                if (score < bestScore) {   // strict: equal scores keep the smaller agent id
                    best = a;
                    bestScore = score;
                }
            }
        }
        return best;
    }
}
