package io.nightshift.coordinator.scheduling;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Can a run with a deadline make it? Pure: time, history and capacity come in as arguments.
 *
 * <p>The run's runtime is estimated ({@link #estimate}) as the p90 of the job's last {@link #HISTORY} successful
 * runtimes, else its {@code expectedRuntime}, else its {@code maxRuntime}. Its expected start is when the work
 * queued ahead of it (higher priority, or equal priority and a deadline no later than its own; each item's cpus ×
 * its remaining estimate) has drained through the forecast idle cpus, walked in {@link #STEP}s from {@code now},
 * and the idle cpus are at least its own. Then:
 * <ul>
 *   <li>{@code admitted}: start + estimate leaves at least {@link #MARGIN} of the estimate (and one step) before the
 *       deadline;</li>
 *   <li>{@code at-risk}: it fits, but with less room than that, or there is no runtime estimate at all;</li>
 *   <li>{@code refused}: start + estimate is after the deadline, or the capacity never frees up before it.</li>
 * </ul>
 */
public final class DeadlineAdmission {
    /** How many of a job's latest successful runs its p90 is taken over. */
    public static final int HISTORY = 50;
    /** The capacity walk's resolution. */
    public static final Duration STEP = Duration.ofMinutes(5);
    /** Room to spare, as a share of the estimate, below which a fitting run is only at risk. */
    public static final double MARGIN = 0.10;
    /** The walk never looks further than this past {@code now} (a week of hour-of-week profile and a day). */
    public static final Duration HORIZON = Duration.ofDays(8);

    private DeadlineAdmission() {
    }

    public enum Verdict {
        ADMITTED("admitted"), AT_RISK("at-risk"), REFUSED("refused");

        private final String wire;

        Verdict(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /** Where an estimate came from: the job's history (p90), its {@code expectedRuntime}, its {@code maxRuntime}, or none. */
    public enum Basis {
        HISTORY("history"), EXPECTED_RUNTIME("expectedRuntime"), MAX_RUNTIME("maxRuntime"), NONE("none");

        private final String wire;

        Basis(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /** A runtime estimate: null {@code runtime} only with basis {@code none}; {@code runs}: how many successful runs it rests on. */
    public record Estimate(Duration runtime, Basis basis, int runs) {
    }

    /**
     * Work that runs or waits: its priority, its deadline (null: none, after every deadline at equal priority), the cpus
     * it holds or will hold, and how long it still runs (its whole estimate while it waits).
     */
    public record Work(int priority, Instant deadline, double cpus, Duration remaining) {
    }

    /** Idle cpus forecast for the moment {@code at} (the shell answers from the current idle and the hour-of-week profile). */
    @FunctionalInterface
    public interface IdleCpus {
        double at(Instant at);
    }

    /**
     * The verdict with the numbers behind it. {@code expectedStart} / {@code expectedEnd} are null when the capacity never
     * frees up within the walk; {@code aheadCpuSeconds}: the work queued ahead; {@code reason}: a sentence for a user.
     */
    public record Decision(Verdict verdict, Instant deadline, Duration estimate, Basis basis, int historyRuns,
                           double aheadCpuSeconds, Instant expectedStart, Instant expectedEnd, String reason) {
    }

    /**
     * The p90 (nearest rank) of the latest {@link #HISTORY} of {@code successfulRuntimes} (oldest first), else
     * {@code expectedRuntime}, else {@code maxRuntime}, else none.
     */
    public static Estimate estimate(List<Duration> successfulRuntimes, Duration expectedRuntime, Duration maxRuntime) {
        if (!successfulRuntimes.isEmpty()) {
            List<Duration> last = new ArrayList<>(successfulRuntimes.subList(
                    Math.max(0, successfulRuntimes.size() - HISTORY), successfulRuntimes.size()));
            last.sort(null);
            int rank = (int) Math.ceil(0.9 * last.size()); // nearest rank, 1-based
            return new Estimate(last.get(rank - 1), Basis.HISTORY, last.size());
        }
        if (expectedRuntime != null) return new Estimate(expectedRuntime, Basis.EXPECTED_RUNTIME, 0);
        if (maxRuntime != null) return new Estimate(maxRuntime, Basis.MAX_RUNTIME, 0);
        return new Estimate(null, Basis.NONE, 0);
    }

    /** True when {@code other} is served before a run of {@code priority} with {@code deadline}: EDF inside priority. */
    static boolean ahead(Work other, int priority, Instant deadline) {
        if (other.priority() != priority) return other.priority() > priority;
        return other.deadline() != null && !other.deadline().isAfter(deadline);
    }

    /**
     * Decides for a run needing {@code cpus} with {@code deadline} and {@code estimate}, at {@code now}, behind whichever of
     * {@code others} (running or waiting) comes {@link #ahead} of it.
     */
    public static Decision decide(Instant now, int priority, Instant deadline, double cpus, Estimate estimate,
                                  List<Work> others, IdleCpus idle) {
        double aheadCpuSeconds = 0;
        for (Work w : others) {
            if (ahead(w, priority, deadline)) aheadCpuSeconds += w.cpus() * Math.max(0, w.remaining().toMillis()) / 1000.0;
        }
        if (!deadline.isAfter(now))
            return new Decision(Verdict.REFUSED, deadline, estimate.runtime(), estimate.basis(), estimate.runs(), aheadCpuSeconds,
                    null, null, "the deadline %s has passed".formatted(deadline));
        Duration runtime = estimate.runtime() == null ? Duration.ZERO : estimate.runtime();
        Instant start = start(now, deadline, cpus, aheadCpuSeconds, idle);
        if (start == null)
            return new Decision(Verdict.REFUSED, deadline, estimate.runtime(), estimate.basis(), estimate.runs(), aheadCpuSeconds,
                    null, null, ("%.0f cpu-seconds of work are ahead and %.2f cpus are not forecast free before the deadline %s")
                            .formatted(aheadCpuSeconds, cpus, deadline));
        Instant end = start.plus(runtime);
        if (estimate.runtime() == null)
            return new Decision(Verdict.AT_RISK, deadline, null, Basis.NONE, 0, aheadCpuSeconds, start, null,
                    "no runtime estimate: the job has no successful runs, no expectedRuntime and no maxRuntime");
        Duration slack = Duration.between(end, deadline);
        long marginMillis = Math.max(STEP.toMillis(), (long) (runtime.toMillis() * MARGIN));
        if (slack.isNegative())
            return new Decision(Verdict.REFUSED, deadline, runtime, estimate.basis(), estimate.runs(), aheadCpuSeconds, start, end,
                    "expected to end at %s, %s after the deadline %s".formatted(secs(end), secs(slack.negated()), secs(deadline)));
        if (slack.toMillis() < marginMillis)
            return new Decision(Verdict.AT_RISK, deadline, runtime, estimate.basis(), estimate.runs(), aheadCpuSeconds, start, end,
                    "expected to end at %s, only %s before the deadline %s".formatted(secs(end), secs(slack), secs(deadline)));
        return new Decision(Verdict.ADMITTED, deadline, runtime, estimate.basis(), estimate.runs(), aheadCpuSeconds, start, end,
                "expected to end at %s, %s before the deadline %s".formatted(secs(end), secs(slack), secs(deadline)));
    }

    /** A reason's times in whole seconds: "PT59M57S", not the clock's nanoseconds. */
    private static Instant secs(Instant t) {
        return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    private static Duration secs(Duration d) {
        return d.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    /** Where a live run stands against its deadline: on track, at risk (it will miss at the estimate), or missed. */
    public enum Standing {
        ON_TRACK("on-track"), AT_RISK("at-risk"), MISSED("missed");

        private final String wire;

        Standing(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /**
     * The early warning: a run not yet ended is {@code missed} once {@code now} is past its deadline, {@code at-risk} while
     * now + its remaining estimate is (the whole {@code estimate} while it waits, the estimate less the time it has run
     * since {@code startedAt} once it runs, never below zero), else on track. Without an estimate it is on track until it
     * misses.
     */
    public static Standing standing(Instant now, Instant deadline, Duration estimate, Instant startedAt) {
        if (now.isAfter(deadline)) return Standing.MISSED;
        if (estimate == null) return Standing.ON_TRACK;
        Duration remaining = startedAt == null ? estimate : estimate.minus(Duration.between(startedAt, now));
        if (remaining.isNegative()) remaining = Duration.ZERO;
        return now.plus(remaining).isAfter(deadline) ? Standing.AT_RISK : Standing.ON_TRACK;
    }

    /**
     * The first moment, no later than {@code latest}, when {@code aheadCpuSeconds} have drained through the idle cpus and
     * at least {@code cpus} are idle; null when there is none within {@link #HORIZON}.
     */
    static Instant start(Instant now, Instant latest, double cpus, double aheadCpuSeconds, IdleCpus idle) {
        Instant limit = now.plus(HORIZON);
        if (latest.isAfter(limit)) latest = limit;
        double left = aheadCpuSeconds;
        for (Instant t = now; !t.isAfter(latest); t = t.plus(STEP)) {
            double free = Math.max(0, idle.at(t));
            double stepSeconds = STEP.toMillis() / 1000.0;
            if (left > 0) {
                if (free * stepSeconds < left) {
                    left -= free * stepSeconds;
                    continue;
                }
                double seconds = left / free; // drained inside this step
                left = 0;
                Instant drained = t.plusMillis((long) Math.ceil(seconds * 1000));
                if (free >= cpus && !drained.isAfter(latest)) return drained;
                continue;
            }
            if (free >= cpus) return t;
        }
        return null;
    }
}
