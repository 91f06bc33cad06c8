package io.nightshift.coordinator.scheduling;

import java.time.Duration;
import java.util.Objects;

/**
 * The knobs of the scheduling core, each declared once with its default and its meaning.
 *
 * @param offerTtl             how long an offer made to a queue stays valid; positive. Default 30 s.
 * @param declineFilter        how long a queue that declined an agent is not offered it again (unless the
 *                             agent grows beyond what was declined, or the queue gets new work); positive.
 *                             Default 5 s (Mesos' {@code refuse_seconds}).
 * @param gangTimeout          how long resources may be held for a gang that cannot start yet; after that
 *                             they are released and the gang may hold again only after a back-off of
 *                             {@code gangTimeout × 2^(releases-1)}, capped by {@code maxGangBackoff}. Default 2 min.
 * @param maxGangBackoff       cap of that back-off. Default 1 h.
 * @param preemption           whether the core may preempt at all. Default on.
 * @param maxPreemptionsPerRun a run whose tasks were preempted this often is not preempted again (the
 *                             preemption budget). Default 3.
 * @param preemptionTolerance  hysteresis of fairness preemption, in [0, 1): a queue preempts for its fair
 *                             share only while its share is below {@code (1 - tolerance) × fairShare}, so
 *                             queues a task or two off their share in a full cluster do not churn. Default
 *                             0.05. (Guarantees and priorities preempt regardless.)
 * @param maxPreemptorsPerCycle at most this many pending tasks may start preemptions in one cycle; bounds
 *                             the preemption pass at O(this × agents). Default 32.
 * @param placementCandidates  best fit is chosen among the first this-many feasible agents in id order
 *                             (Nomad's limit); 1 is first fit. Default 4.
 * @param maxExplainedShapes   per cycle, at most this many distinct unplaceable task shapes get a per-agent
 *                             explanation (O(agents) each); later ones get a summary from the agent index.
 *                             Default 512.
 */
public record SchedulingPolicy(Duration offerTtl, Duration declineFilter, Duration gangTimeout, Duration maxGangBackoff,
                               boolean preemption, int maxPreemptionsPerRun, double preemptionTolerance,
                               int maxPreemptorsPerCycle, int placementCandidates, int maxExplainedShapes) {

    public static final Duration DEFAULT_OFFER_TTL = OfferPolicy.DEFAULT_OFFER_TTL;
    public static final Duration DEFAULT_DECLINE_FILTER = Duration.ofSeconds(5);
    public static final Duration DEFAULT_GANG_TIMEOUT = Duration.ofMinutes(2);
    public static final Duration DEFAULT_MAX_GANG_BACKOFF = Duration.ofHours(1);
    public static final int DEFAULT_MAX_PREEMPTIONS_PER_RUN = 3;
    public static final double DEFAULT_PREEMPTION_TOLERANCE = 0.05;

    public SchedulingPolicy {
        positive(offerTtl, "offerTtl");
        positive(declineFilter, "declineFilter");
        positive(gangTimeout, "gangTimeout");
        positive(maxGangBackoff, "maxGangBackoff");
        if (maxPreemptionsPerRun < 0) throw new IllegalArgumentException("maxPreemptionsPerRun must not be negative");
        if (!(preemptionTolerance >= 0 && preemptionTolerance < 1)) {
            throw new IllegalArgumentException("preemptionTolerance must be in [0, 1), got " + preemptionTolerance);
        }
        if (maxPreemptorsPerCycle < 0) throw new IllegalArgumentException("maxPreemptorsPerCycle must not be negative");
        if (placementCandidates < 1 || placementCandidates > 64) {
            throw new IllegalArgumentException("placementCandidates must be 1..64, got " + placementCandidates);
        }
        if (maxExplainedShapes < 0) throw new IllegalArgumentException("maxExplainedShapes must not be negative");
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive: " + d);
    }

    public static SchedulingPolicy defaults() {
        return new SchedulingPolicy(DEFAULT_OFFER_TTL, DEFAULT_DECLINE_FILTER, DEFAULT_GANG_TIMEOUT,
                DEFAULT_MAX_GANG_BACKOFF, true, DEFAULT_MAX_PREEMPTIONS_PER_RUN, DEFAULT_PREEMPTION_TOLERANCE, 32, 4, 512);
    }

    /** The defaults with the first core's offer policy. */
    public static SchedulingPolicy of(OfferPolicy offers) {
        return defaults().withOfferTtl(offers.offerTtl());
    }

    public SchedulingPolicy withOfferTtl(Duration v) {
        return new SchedulingPolicy(v, declineFilter, gangTimeout, maxGangBackoff, preemption,
                maxPreemptionsPerRun, preemptionTolerance, maxPreemptorsPerCycle, placementCandidates, maxExplainedShapes);
    }

    public SchedulingPolicy withDeclineFilter(Duration v) {
        return new SchedulingPolicy(offerTtl, v, gangTimeout, maxGangBackoff, preemption,
                maxPreemptionsPerRun, preemptionTolerance, maxPreemptorsPerCycle, placementCandidates, maxExplainedShapes);
    }

    public SchedulingPolicy withGangTimeout(Duration v) {
        return new SchedulingPolicy(offerTtl, declineFilter, v, maxGangBackoff, preemption,
                maxPreemptionsPerRun, preemptionTolerance, maxPreemptorsPerCycle, placementCandidates, maxExplainedShapes);
    }

    public SchedulingPolicy withPreemption(boolean v) {
        return new SchedulingPolicy(offerTtl, declineFilter, gangTimeout, maxGangBackoff, v,
                maxPreemptionsPerRun, preemptionTolerance, maxPreemptorsPerCycle, placementCandidates, maxExplainedShapes);
    }

    public SchedulingPolicy withMaxPreemptionsPerRun(int v) {
        return new SchedulingPolicy(offerTtl, declineFilter, gangTimeout, maxGangBackoff, preemption,
                v, preemptionTolerance, maxPreemptorsPerCycle, placementCandidates, maxExplainedShapes);
    }

    public SchedulingPolicy withPreemptionTolerance(double v) {
        return new SchedulingPolicy(offerTtl, declineFilter, gangTimeout, maxGangBackoff, preemption,
                maxPreemptionsPerRun, v, maxPreemptorsPerCycle, placementCandidates, maxExplainedShapes);
    }

    public SchedulingPolicy withPlacementCandidates(int v) {
        return new SchedulingPolicy(offerTtl, declineFilter, gangTimeout, maxGangBackoff, preemption,
                maxPreemptionsPerRun, preemptionTolerance, maxPreemptorsPerCycle, v, maxExplainedShapes);
    }

    public OfferPolicy offerPolicy() {
        return new OfferPolicy(offerTtl);
    }
}
