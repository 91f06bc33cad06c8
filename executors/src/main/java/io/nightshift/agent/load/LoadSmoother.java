package io.nightshift.agent.load;

import io.nightshift.api.model.OwnerLoad;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Smooths raw owner-load samples: an exponentially weighted moving average whose weight follows the
 * time between samples ({@code α = 1 − 2^(−Δt / halfLife)}, so a step change is half-way reflected after
 * one half-life whatever the sampling interval), and the peak of the raw samples of the last
 * {@code peakWindow}. Pure; the caller gives the time. Not thread-safe.
 */
public final class LoadSmoother {
    private record Sample(Instant at, double cpus, long memMb) {
    }

    private final Duration halfLife;
    private final Duration peakWindow;
    private final Deque<Sample> window = new ArrayDeque<>();
    private Instant last;
    private double cpus;
    private double memMb;

    public LoadSmoother(Duration halfLife, Duration peakWindow) {
        if (halfLife.isNegative() || halfLife.isZero()) throw new IllegalArgumentException("halfLife must be positive");
        this.halfLife = halfLife;
        this.peakWindow = peakWindow;
    }

    /** Adds one raw sample taken at {@code at} and returns the smoothed load with the window's peak. */
    public OwnerLoad add(Instant at, ProcLoad.Raw raw) {
        if (last == null) {
            cpus = raw.cpus();
            memMb = raw.memMb();
        } else {
            long dt = Math.max(0, Duration.between(last, at).toMillis());
            double alpha = 1 - Math.pow(2, -dt / (double) halfLife.toMillis());
            cpus += alpha * (raw.cpus() - cpus);
            memMb += alpha * (raw.memMb() - memMb);
        }
        last = at;
        window.addLast(new Sample(at, raw.cpus(), raw.memMb()));
        Instant oldest = at.minus(peakWindow);
        while (!window.isEmpty() && window.peekFirst().at().isBefore(oldest)) window.removeFirst();
        double peakCpus = 0;
        long peakMem = 0;
        for (Sample s : window) {
            peakCpus = Math.max(peakCpus, s.cpus());
            peakMem = Math.max(peakMem, s.memMb());
        }
        return new OwnerLoad(Math.round(cpus * 1000d) / 1000d, Math.round(memMb), peakCpus, peakMem);
    }
}
