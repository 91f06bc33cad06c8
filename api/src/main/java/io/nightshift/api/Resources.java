package io.nightshift.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.nightshift.api.spec.InvalidSpecException;

/**
 * An amount of machine resources. {@code cpus} is fractional (1.0 = one core), memory and disk are
 * in MiB. Immutable; arithmetic returns new values. Never negative.
 */
public record Resources(double cpus, long memMb, long diskMb, int gpus) {

    public static final Resources ZERO = new Resources(0, 0, 0, 0);

    /** Tolerance for fractional cpu arithmetic (1/10000 of a core). */
    private static final double EPS = 1e-4;

    public Resources {
        if (!(cpus >= 0) || Double.isInfinite(cpus) || memMb < 0 || diskMb < 0 || gpus < 0) {
            throw new InvalidSpecException("/resources",
                    "must not be negative: cpus=%s memMb=%s diskMb=%s gpus=%s".formatted(cpus, memMb, diskMb, gpus));
        }
    }

    public static Resources of(double cpus, long memMb) {
        return new Resources(cpus, memMb, 0, 0);
    }

    public Resources plus(Resources o) {
        return new Resources(cpus + o.cpus, memMb + o.memMb, diskMb + o.diskMb, gpus + o.gpus);
    }

    /** Subtraction that clamps at zero (an over-reported usage never yields negative free capacity). */
    public Resources minus(Resources o) {
        return new Resources(Math.max(0, round(cpus - o.cpus)), Math.max(0, memMb - o.memMb),
                Math.max(0, diskMb - o.diskMb), Math.max(0, gpus - o.gpus));
    }

    /** True when {@code asked} fits into this amount in every dimension. */
    public boolean fits(Resources asked) {
        return asked.cpus <= cpus + EPS && asked.memMb <= memMb && asked.diskMb <= diskMb && asked.gpus <= gpus;
    }

    @JsonIgnore   // a query, not a property: keeps {"zero": …} out of the JSON, which would not read back
    public boolean isZero() {
        return cpus < EPS && memMb == 0 && diskMb == 0 && gpus == 0;
    }

    private static double round(double v) {
        return Math.round(v * 10_000d) / 10_000d;
    }
}
