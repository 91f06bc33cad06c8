package io.nightshift.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * When a job runs: on a cron expression in a time zone, or once {@code at} an instant. Each firing opens a
 * new run of the job (runs are numbered 1..n); the job itself stays {@code QUEUED} between firings and ends
 * only when it is killed or, for {@code at}, when its one run has ended. Checked by {@link ScheduleRules}.
 *
 * <ul>
 *   <li>{@code concurrency}: what a firing does while the previous run is still going: {@code forbid} (the
 *       firing waits until it has ended; at most {@code missedCap} firings wait, older ones are dropped as
 *       skipped) or {@code replace} (the running run is killed and the newest firing starts).</li>
 *   <li>{@code missed}: what happens to firings that were due more than {@code missedAfter} ago when the
 *       leader sees them (after a downtime): {@code run-once} (one run stands for all of them), {@code skip}
 *       (none runs) or {@code run-all} (each runs, at most {@code missedCap} of them, oldest first).</li>
 * </ul>
 * DST: a cron time that a spring-forward skips fires once, when the clock jumps over it; a time that a
 * fall-back repeats fires once, at its first occurrence.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScheduleSpec(
        String cron,
        CronSyntax syntax,
        String zone,
        Instant at,
        Concurrency concurrency,
        Missed missed,
        int missedCap,
        Duration missedAfter) {

    public static final int DEFAULT_MISSED_CAP = 10;
    public static final Duration DEFAULT_MISSED_AFTER = Duration.ofMinutes(1);

    public ScheduleSpec {
        if ((cron == null) == (at == null))
            throw new InvalidSpecException("/schedule", "needs exactly one of 'cron' and 'at'");
        if (cron != null) {
            syntax = syntax == null ? CronSyntax.UNIX : syntax;
            zone = zone == null ? "UTC" : zone;
        }
        concurrency = concurrency == null ? Concurrency.FORBID : concurrency;
        missed = missed == null ? Missed.RUN_ONCE : missed;
        missedCap = missedCap == 0 ? DEFAULT_MISSED_CAP : missedCap;
        missedAfter = missedAfter == null ? DEFAULT_MISSED_AFTER : missedAfter;
    }

    public static ScheduleSpec cron(String expression, String zone) {
        return new ScheduleSpec(expression, CronSyntax.UNIX, zone, null, null, null, 0, null);
    }

    public static ScheduleSpec at(Instant at) {
        return new ScheduleSpec(null, null, null, at, null, null, 0, null);
    }

    public ScheduleSpec withConcurrency(Concurrency c) {
        return new ScheduleSpec(cron, syntax, zone, at, c, missed, missedCap, missedAfter);
    }

    public ScheduleSpec withMissed(Missed m, int cap, Duration after) {
        return new ScheduleSpec(cron, syntax, zone, at, concurrency, m, cap, after);
    }

    public ScheduleSpec withSyntax(CronSyntax s) {
        return new ScheduleSpec(cron, s, zone, at, concurrency, missed, missedCap, missedAfter);
    }

    /** The zone cron times are read in (UTC for {@code at}). */
    public ZoneId zoneId() {
        return zone == null ? ZoneId.of("UTC") : ZoneId.of(zone);
    }

    /** {@code unix}: 5 fields, minute first. {@code quartz}: 6 or 7 fields, seconds first, optional year. */
    public enum CronSyntax {
        UNIX("unix"), QUARTZ("quartz");

        private final String wire;

        CronSyntax(String wire) {
            this.wire = wire;
        }

        @JsonValue
        public String wire() {
            return wire;
        }

        public static CronSyntax fromWire(String s) {
            for (CronSyntax v : values()) if (v.wire.equals(s)) return v;
            return null;
        }
    }

    public enum Concurrency {
        FORBID("forbid"), REPLACE("replace");

        private final String wire;

        Concurrency(String wire) {
            this.wire = wire;
        }

        @JsonValue
        public String wire() {
            return wire;
        }

        public static Concurrency fromWire(String s) {
            for (Concurrency v : values()) if (v.wire.equals(s)) return v;
            return null;
        }
    }

    public enum Missed {
        RUN_ONCE("run-once"), SKIP("skip"), RUN_ALL("run-all");

        private final String wire;

        Missed(String wire) {
            this.wire = wire;
        }

        @JsonValue
        public String wire() {
            return wire;
        }

        public static Missed fromWire(String s) {
            for (Missed v : values()) if (v.wire.equals(s)) return v;
            return null;
        }
    }
}
