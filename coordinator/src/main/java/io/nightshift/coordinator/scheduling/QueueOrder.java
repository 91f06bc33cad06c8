package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.util.Comparator;

/**
 * The one order of queues that DRF placement ({@link DrfOrdering}), the {@link Preemptor} and the
 * {@link OfferMaker} share: queues below their guarantee first, least covered first (allocated ÷
 * guaranteed, the smallest over guaranteed dimensions); then the others by dominant share ÷ weight;
 * ties by name. Pure.
 */
final class QueueOrder {

    private QueueOrder() {
    }

    /** Compares two queues given their allocation, guarantee and weight. Negative: {@code a} goes first. */
    static int compare(double aCpus, double aMem, double aGpus, Resources aGuarantee, double aWeight, String aName,
                       double bCpus, double bMem, double bGpus, Resources bGuarantee, double bWeight, String bName,
                       Drf.Totals totals) {
        double ca = DrfOrdering.coverage(aCpus, aMem, aGpus, aGuarantee);
        double cb = DrfOrdering.coverage(bCpus, bMem, bGpus, bGuarantee);
        boolean ba = ca < 1, bb = cb < 1;
        if (ba != bb) return ba ? -1 : 1;
        double ka = ba ? ca : Drf.dominantShare(aCpus, aMem, aGpus, totals) / aWeight;
        double kb = bb ? cb : Drf.dominantShare(bCpus, bMem, bGpus, totals) / bWeight;
        int c = Double.compare(ka, kb);
        return c != 0 ? c : aName.compareTo(bName);
    }

    /** The order of queues by their current allocation in the ledger. */
    static Comparator<QueueState> byAllocation(Drf.Totals totals) {
        return (a, b) -> compare(a.cpus, a.mem, a.gpus, a.spec.guarantee(), a.weight, a.name,
                b.cpus, b.mem, b.gpus, b.spec.guarantee(), b.weight, b.name, totals);
    }
}
