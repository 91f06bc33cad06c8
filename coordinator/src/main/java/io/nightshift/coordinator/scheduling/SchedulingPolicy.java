package io.nightshift.coordinator.scheduling;

import io.nightshift.api.config.Config;
import io.nightshift.api.config.Setting;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The knobs of the scheduling core, each declared once as a {@link Setting} (name, default, bounds, meaning)
 * and read from that declaration ({@link #from}); {@code docs/operations.md} lists them.
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
 * @param reservations         whether the first task (or gang) of each queue that cannot start for want of room
 *                             gets a {@link Reservation} from the running tasks' expected ends, which smaller
 *                             work may backfill only without delaying it (EASY backfill). Default on.
 */
public record SchedulingPolicy(Duration offerTtl, Duration declineFilter, Duration gangTimeout, Duration maxGangBackoff,
                               boolean preemption, int maxPreemptionsPerRun, double preemptionTolerance,
                               int maxPreemptorsPerCycle, int placementCandidates, int maxExplainedShapes,
                               boolean reservations) {

    // Each knob declared once: name, type, default, bounds, meaning. The coordinator reads them from its
    // configuration (coordinator.scheduler.*), the simulator from its key=value arguments.
    public static final Setting<Duration> OFFER_TTL = Setting.duration("coordinator.scheduler.offer-ttl",
            OfferPolicy.DEFAULT_OFFER_TTL, Duration.ofSeconds(1), Duration.ofHours(1),
            "How long an unused offer is held before it is declined.");
    public static final Setting<Duration> DECLINE_FILTER = Setting.duration("coordinator.scheduler.decline-filter",
            Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofHours(1),
            "How long a queue that declined an agent is not offered it again (unless the agent grows or the queue gets new work).");
    public static final Setting<Duration> GANG_TIMEOUT = Setting.duration("coordinator.scheduler.gang-timeout",
            Duration.ofMinutes(2), Duration.ofSeconds(1), Duration.ofDays(1),
            "How long resources may be held for a gang that cannot start yet before they are released.");
    public static final Setting<Duration> MAX_GANG_BACKOFF = Setting.duration("coordinator.scheduler.max-gang-backoff",
            Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofDays(7),
            "Cap of the back-off (gang-timeout x 2^(releases-1)) before a released gang may hold again.");
    public static final Setting<Boolean> PREEMPTION = Setting.bool("coordinator.scheduler.preemption", true,
            "Whether the scheduler may preempt running tasks for guarantees, fair shares and priorities.");
    public static final Setting<Integer> MAX_PREEMPTIONS_PER_RUN = Setting.integer("coordinator.scheduler.max-preemptions-per-run",
            3, 0, 1_000, "A run preempted this often is not preempted again (the preemption budget).");
    public static final Setting<Double> PREEMPTION_TOLERANCE = Setting.decimal("coordinator.scheduler.preemption-tolerance",
            0.05, 0, 0.99, "A queue preempts for its fair share only while below (1 - this) x its fair share.");
    public static final Setting<Integer> MAX_PREEMPTORS_PER_CYCLE = Setting.integer("coordinator.scheduler.max-preemptors-per-cycle",
            32, 0, 100_000, "At most this many pending tasks may start preemptions in one cycle.");
    public static final Setting<Integer> PLACEMENT_CANDIDATES = Setting.integer("coordinator.scheduler.placement-candidates",
            4, 1, 64, "Best fit is chosen among the first this-many feasible agents; 1 is first fit.");
    public static final Setting<Integer> MAX_EXPLAINED_SHAPES = Setting.integer("coordinator.scheduler.max-explained-shapes",
            512, 0, 1_000_000, "Per cycle, at most this many distinct unplaceable task shapes get a per-agent explanation.");

    public static final Setting<Boolean> RESERVATIONS = Setting.bool("coordinator.scheduler.reservations", true,
            "Whether the first task or gang of each queue that cannot start gets a reservation from running tasks' expected ends (maxRuntime), which smaller work may backfill only without delaying it (EASY backfill).");

    /** Every knob, in record order. */
    public static final List<Setting<?>> SETTINGS = List.of(OFFER_TTL, DECLINE_FILTER, GANG_TIMEOUT, MAX_GANG_BACKOFF,
            PREEMPTION, MAX_PREEMPTIONS_PER_RUN, PREEMPTION_TOLERANCE, MAX_PREEMPTORS_PER_CYCLE, PLACEMENT_CANDIDATES,
            MAX_EXPLAINED_SHAPES, RESERVATIONS);

    public static final Duration DEFAULT_OFFER_TTL = OFFER_TTL.defaultValue();
    public static final Duration DEFAULT_DECLINE_FILTER = DECLINE_FILTER.defaultValue();
    public static final Duration DEFAULT_GANG_TIMEOUT = GANG_TIMEOUT.defaultValue();
    public static final Duration DEFAULT_MAX_GANG_BACKOFF = MAX_GANG_BACKOFF.defaultValue();
    public static final int DEFAULT_MAX_PREEMPTIONS_PER_RUN = MAX_PREEMPTIONS_PER_RUN.defaultValue();
    public static final double DEFAULT_PREEMPTION_TOLERANCE = PREEMPTION_TOLERANCE.defaultValue();

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
        return from(Config.defaults(SETTINGS));
    }

    /** Every knob read from its declaration in {@code c} (which must declare {@link #SETTINGS}). */
    public static SchedulingPolicy from(Config c) {
        return new SchedulingPolicy(c.get(OFFER_TTL), c.get(DECLINE_FILTER), c.get(GANG_TIMEOUT), c.get(MAX_GANG_BACKOFF),
                c.get(PREEMPTION), c.get(MAX_PREEMPTIONS_PER_RUN), c.get(PREEMPTION_TOLERANCE),
                c.get(MAX_PREEMPTORS_PER_CYCLE), c.get(PLACEMENT_CANDIDATES), c.get(MAX_EXPLAINED_SHAPES), c.get(RESERVATIONS));
    }

    /** The defaults with the first core's offer policy. */
    public static SchedulingPolicy of(OfferPolicy offers) {
        return defaults().withOfferTtl(offers.offerTtl());
    }

    public SchedulingPolicy withOfferTtl(Duration v) {
        return new SchedulingPolicy(v, declineFilter, gangTimeout, maxGangBackoff, preemption,
                maxPreemptionsPerRun, preemptionTolerance, maxPreemptorsPerCycle, placementCandidates, maxExplainedShapes, reservations);
    }

    public SchedulingPolicy withDeclineFilter(Duration v) {
        return new SchedulingPolicy(offerTtl, v, gangTimeout, maxGangBackoff, preemption,
                maxPreemptionsPerRun, preemptionTolerance, maxPreemptorsPerCycle, placementCandidates, maxExplainedShapes, reservations);
    }

    public SchedulingPolicy withGangTimeout(Duration v) {
        return new SchedulingPolicy(offerTtl, declineFilter, v, maxGangBackoff, preemption,
                maxPreemptionsPerRun, preemptionTolerance, maxPreemptorsPerCycle, placementCandidates, maxExplainedShapes, reservations);
    }

    public SchedulingPolicy withPreemption(boolean v) {
        return new SchedulingPolicy(offerTtl, declineFilter, gangTimeout, maxGangBackoff, v,
                maxPreemptionsPerRun, preemptionTolerance, maxPreemptorsPerCycle, placementCandidates, maxExplainedShapes, reservations);
    }

    public SchedulingPolicy withMaxPreemptionsPerRun(int v) {
        return new SchedulingPolicy(offerTtl, declineFilter, gangTimeout, maxGangBackoff, preemption,
                v, preemptionTolerance, maxPreemptorsPerCycle, placementCandidates, maxExplainedShapes, reservations);
    }

    public SchedulingPolicy withPreemptionTolerance(double v) {
        return new SchedulingPolicy(offerTtl, declineFilter, gangTimeout, maxGangBackoff, preemption,
                maxPreemptionsPerRun, v, maxPreemptorsPerCycle, placementCandidates, maxExplainedShapes, reservations);
    }

    public SchedulingPolicy withPlacementCandidates(int v) {
        return new SchedulingPolicy(offerTtl, declineFilter, gangTimeout, maxGangBackoff, preemption,
                maxPreemptionsPerRun, preemptionTolerance, maxPreemptorsPerCycle, v, maxExplainedShapes, reservations);
    }

    public SchedulingPolicy withReservations(boolean v) {
        return new SchedulingPolicy(offerTtl, declineFilter, gangTimeout, maxGangBackoff, preemption,
                maxPreemptionsPerRun, preemptionTolerance, maxPreemptorsPerCycle, placementCandidates, maxExplainedShapes, v);
    }

    public OfferPolicy offerPolicy() {
        return new OfferPolicy(offerTtl);
    }
}
