package io.nightshift.coordinator.schedules;

import com.cronutils.model.time.ExecutionTime;
import io.nightshift.api.spec.Crons;
import io.nightshift.api.spec.ScheduleSpec;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Optional;

/**
 * The scheduled times of one schedule, as instants. Pure: no clock, every answer is a function of its input.
 *
 * <p>A cron expression matches <em>wall-clock</em> times in the schedule's zone; each matching wall time fires
 * once. Over DST that means: a wall time that a spring-forward skips (02:30 on the last Sunday of March in
 * Europe/Amsterdam) fires once, at the instant the clock jumps over it (03:00 CEST); a wall time that a
 * fall-back repeats (02:30 on the last Sunday of October) fires once, at its first occurrence (CEST). So a
 * daily job fires exactly once a day, and an hourly one 23 times on a spring-forward day and 24 on a
 * fall-back day (the repeated hour does not fire twice).
 *
 * <p>cron-utils walks wall times in UTC (where nothing is skipped or repeated); the zone's rules then map each
 * to its instant.
 */
public final class FireTimes {
    /** At most this many wall times are walked for one answer (every second of a repeated hour is 3,600). */
    private static final int MAX_STEPS = 100_000;

    private final ExecutionTime cron;
    private final ZoneRules rules;
    private final Instant at;

    private FireTimes(ExecutionTime cron, ZoneId zone, Instant at) {
        this.cron = cron;
        this.rules = zone.getRules();
        this.at = at;
    }

    public static FireTimes of(ScheduleSpec s) {
        if (s.at() != null) return new FireTimes(null, ZoneOffset.UTC, s.at());
        return new FireTimes(ExecutionTime.forCron(Crons.parse(s.syntax(), s.cron())), s.zoneId(), null);
    }

    /** The first scheduled time strictly after {@code after}, or null when there is none. */
    public Instant next(Instant after) {
        if (at != null) return at.isAfter(after) ? at : null;
        // whole seconds: cron-utils keeps the fraction of the time it starts from
        LocalDateTime wall = LocalDateTime.ofInstant(after, rules.getOffset(after)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        for (int i = 0; i < MAX_STEPS; i++) {
            Optional<java.time.ZonedDateTime> n = cron.nextExecution(wall.atZone(ZoneOffset.UTC));
            if (n.isEmpty()) return null;
            wall = n.get().toLocalDateTime();
            Instant t = instantOf(wall);
            if (t.isAfter(after)) return t;
            // a repeated wall time whose first occurrence is already past: it has fired (or was before `after`)
        }
        return null;
    }

    /** The instant a wall time fires at: its only one, the end of the gap it falls in, or its first occurrence. */
    Instant instantOf(LocalDateTime wall) {
        List<ZoneOffset> offsets = rules.getValidOffsets(wall);
        if (offsets.isEmpty()) {
            ZoneOffsetTransition gap = rules.getTransition(wall);
            return gap.getInstant();
        }
        Instant first = wall.toInstant(offsets.get(0));
        for (ZoneOffset o : offsets) {
            Instant t = wall.toInstant(o);
            if (t.isBefore(first)) first = t;
        }
        return first;
    }
}
