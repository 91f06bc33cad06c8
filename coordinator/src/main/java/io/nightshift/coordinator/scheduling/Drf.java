package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.util.Arrays;

/**
 * Weighted Dominant Resource Fairness arithmetic (Ghodsi et al., NSDI 2011), over cpus, memMb and gpus
 * (disk is not a contended dimension here). Pure functions.
 *
 * <p>A queue's dominant share is the largest of its shares of the cluster's cpus, memory and gpus; DRF
 * gives the next resources to the queue whose dominant share divided by its weight is smallest. Example:
 * a cluster of 100 cpus and 400 GiB; queue A holds 20 cpus + 40 GiB (shares 0.2 and 0.1, dominant 0.2),
 * queue B 10 cpus + 120 GiB (0.1 and 0.3, dominant 0.3). With equal weights A goes next; with B's
 * weight 2, B's normalized share is 0.15 and B goes next.
 */
public final class Drf {

    private Drf() {
    }

    /** The cluster's size in the dimensions DRF compares. A zero dimension is ignored. */
    public record Totals(double cpus, double memMb, double gpus) {
        public static Totals of(Resources r) {
            return new Totals(r.cpus(), r.memMb(), r.gpus());
        }
    }

    /** Dominant share in [0, ∞) (above 1 only when holding more than the cluster, e.g. when agents vanish). */
    public static double dominantShare(double cpus, double memMb, double gpus, Totals totals) {
        double s = 0;
        if (totals.cpus > 0) s = Math.max(s, cpus / totals.cpus);
        if (totals.memMb > 0) s = Math.max(s, memMb / totals.memMb);
        if (totals.gpus > 0) s = Math.max(s, gpus / totals.gpus);
        return s;
    }

    public static double dominantShare(Resources r, Totals totals) {
        return dominantShare(r.cpus(), r.memMb(), r.gpus(), totals);
    }

    /**
     * Weighted max-min fair dominant shares (water filling). Each queue i wants {@code demand[i]} (its
     * dominant share if all its work ran, already capped by its limit) and is guaranteed
     * {@code guarantee[i]}; the result gives each queue {@code min(demand, max(guarantee, weight × L))} for the
     * level L at which the cluster (dominant share 1) is used up, or its whole demand when everything fits.
     * Example: weights 1:2:3, all demanding 1, no guarantees: L = 1/6, shares 1/6, 2/6, 3/6.
     */
    public static double[] fairShares(double[] weight, double[] demand, double[] guarantee) {
        int n = weight.length;
        double[] fair = new double[n];
        double sumDemand = 0;
        for (double d : demand) sumDemand += d;
        if (sumDemand <= 1) return Arrays.copyOf(demand, n);
        double sumGuaranteed = 0;
        for (int i = 0; i < n; i++) sumGuaranteed += Math.min(demand[i], guarantee[i]);
        if (sumGuaranteed >= 1) {   // over-promised guarantees: share the cluster in proportion to them
            for (int i = 0; i < n; i++) fair[i] = Math.min(demand[i], guarantee[i]) / sumGuaranteed;
            return fair;
        }
        double hi = 0;
        for (int i = 0; i < n; i++) if (weight[i] > 0) hi = Math.max(hi, demand[i] / weight[i]);
        double lo = 0;
        for (int iter = 0; iter < 100; iter++) {
            double mid = (lo + hi) / 2;
            if (filled(weight, demand, guarantee, mid) > 1) hi = mid;
            else lo = mid;
        }
        for (int i = 0; i < n; i++) fair[i] = Math.min(demand[i], Math.max(guarantee[i], weight[i] * lo));
        return fair;
    }

    private static double filled(double[] weight, double[] demand, double[] guarantee, double level) {
        double s = 0;
        for (int i = 0; i < weight.length; i++) s += Math.min(demand[i], Math.max(guarantee[i], weight[i] * level));
        return s;
    }
}
