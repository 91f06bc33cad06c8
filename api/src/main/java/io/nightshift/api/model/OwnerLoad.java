package io.nightshift.api.model;

/**
 * What a machine's own (day-time) services use, as its agent measured it: the machine's total use
 * minus Nightshift's (the agent and its tasks' process trees). {@code cpus} in cores and {@code memMb}
 * in MiB are smoothed (an exponentially weighted moving average); {@code peakCpus} and {@code peakMemMb}
 * are the highest raw samples of the agent's peak window. Never negative.
 */
public record OwnerLoad(double cpus, long memMb, double peakCpus, long peakMemMb) {

    public static final OwnerLoad NONE = new OwnerLoad(0, 0, 0, 0);

    public OwnerLoad {
        if (!(cpus >= 0) || !(peakCpus >= 0) || Double.isInfinite(cpus) || Double.isInfinite(peakCpus) || memMb < 0
                || peakMemMb < 0)
            throw new IllegalArgumentException("owner load must not be negative: cpus=%s memMb=%s peakCpus=%s peakMemMb=%s"
                    .formatted(cpus, memMb, peakCpus, peakMemMb));
    }

    /** The larger of the smoothed value and the peak, per resource: what reclaim decisions compare to the headroom. */
    public double worstCpus() {
        return Math.max(cpus, peakCpus);
    }

    public long worstMemMb() {
        return Math.max(memMb, peakMemMb);
    }

    /** True when {@code o} differs from this by more than {@code cpus} cores or {@code memMb} MiB in any figure. */
    public boolean differsFrom(OwnerLoad o, double cpuStep, long memStep) {
        return o == null || Math.abs(cpus - o.cpus) > cpuStep || Math.abs(peakCpus - o.peakCpus) > cpuStep
                || Math.abs(memMb - o.memMb) > memStep || Math.abs(peakMemMb - o.peakMemMb) > memStep;
    }
}
