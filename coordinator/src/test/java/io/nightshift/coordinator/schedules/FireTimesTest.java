package io.nightshift.coordinator.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.spec.ScheduleSpec;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fire times over DST, in both zones the issue names; instants written in UTC so the offsets are explicit. */
class FireTimesTest {

    /** Every fire time in [from, to), walking the way the leader does: next after the previous one. */
    static List<Instant> between(ScheduleSpec s, Instant from, Instant to) {
        FireTimes times = FireTimes.of(s);
        List<Instant> out = new ArrayList<>();
        for (Instant t = times.next(from.minusNanos(1)); t != null && t.isBefore(to); t = times.next(t)) out.add(t);
        return out;
    }

    static Instant utc(String s) {
        return Instant.parse(s);
    }

    static List<Instant> day(String zone, String date, String cron) {
        ZoneId z = ZoneId.of(zone);
        LocalDate d = LocalDate.parse(date);
        return between(ScheduleSpec.cron(cron, zone), d.atStartOfDay(z).toInstant(), d.plusDays(1).atStartOfDay(z).toInstant());
    }

    @Test
    void dailyTimeThatSpringForwardSkipsFiresOnceWhenTheClockJumpsInAmsterdam() {
        // 2026-03-29: 02:00 CET becomes 03:00 CEST; 02:30 does not exist that night.
        assertThat(between(ScheduleSpec.cron("30 2 * * *", "Europe/Amsterdam"), utc("2026-03-27T00:00:00Z"), utc("2026-03-31T00:00:00Z")))
                .containsExactly(utc("2026-03-27T01:30:00Z"), utc("2026-03-28T01:30:00Z"),
                        utc("2026-03-29T01:00:00Z"),          // the jump, 03:00 CEST
                        utc("2026-03-30T00:30:00Z"));         // 02:30 CEST
    }

    @Test
    void dailyTimeThatFallBackRepeatsFiresOnceAtItsFirstOccurrenceInAmsterdam() {
        // 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:30 happens twice (00:30Z and 01:30Z).
        assertThat(between(ScheduleSpec.cron("30 2 * * *", "Europe/Amsterdam"), utc("2026-10-24T00:00:00Z"), utc("2026-10-27T00:00:00Z")))
                .containsExactly(utc("2026-10-24T00:30:00Z"), utc("2026-10-25T00:30:00Z"), utc("2026-10-26T01:30:00Z"));
    }

    @Test
    void hourlyJobFires23TimesOnSpringForwardAnd24OnFallBackInAmsterdam() {
        List<Instant> spring = day("Europe/Amsterdam", "2026-03-29", "0 * * * *");
        assertThat(spring).hasSize(23).doesNotHaveDuplicates();
        List<Instant> fall = day("Europe/Amsterdam", "2026-10-25", "0 * * * *");
        assertThat(fall).hasSize(24).doesNotHaveDuplicates();
        assertThat(fall).contains(utc("2026-10-25T00:00:00Z")).doesNotContain(utc("2026-10-25T01:00:00Z")); // 02:00 once, CEST
    }

    @Test
    void newYorkSpringForwardAndFallBack() {
        // 2026-03-08: 02:00 EST becomes 03:00 EDT. 2026-11-01: 02:00 EDT becomes 01:00 EST (01:xx twice).
        assertThat(between(ScheduleSpec.cron("30 2 * * *", "America/New_York"), utc("2026-03-07T00:00:00Z"), utc("2026-03-10T00:00:00Z")))
                .containsExactly(utc("2026-03-07T07:30:00Z"), utc("2026-03-08T07:00:00Z"), utc("2026-03-09T06:30:00Z"));
        assertThat(between(ScheduleSpec.cron("30 1 * * *", "America/New_York"), utc("2026-10-31T00:00:00Z"), utc("2026-11-03T00:00:00Z")))
                .containsExactly(utc("2026-10-31T05:30:00Z"), utc("2026-11-01T05:30:00Z"), utc("2026-11-02T06:30:00Z"));
        assertThat(day("America/New_York", "2026-03-08", "*/15 * * * *")).hasSize(23 * 4).doesNotHaveDuplicates();
        assertThat(day("America/New_York", "2026-11-01", "*/15 * * * *")).hasSize(24 * 4).doesNotHaveDuplicates();
    }

    @Test
    void aWalkStartingInsideTheRepeatedHourDoesNotFireItsFirstOccurrenceAgain() {
        // Started at 01:10 EST on 2026-11-01 (the second 01:10): 01:30 fired at 05:30Z already, next is the 2nd.
        FireTimes t = FireTimes.of(ScheduleSpec.cron("30 1 * * *", "America/New_York"));
        assertThat(t.next(utc("2026-11-01T06:10:00Z"))).isEqualTo(utc("2026-11-02T06:30:00Z"));
    }

    @Test
    void quartzSyntaxWithSecondsAndOneShotAt() {
        ScheduleSpec q = ScheduleSpec.cron("*/20 * * * * ?", "UTC").withSyntax(ScheduleSpec.CronSyntax.QUARTZ);
        assertThat(between(q, utc("2026-01-01T00:00:00Z"), utc("2026-01-01T00:01:00Z")))
                .containsExactly(utc("2026-01-01T00:00:00Z"), utc("2026-01-01T00:00:20Z"), utc("2026-01-01T00:00:40Z"));
        FireTimes at = FireTimes.of(ScheduleSpec.at(utc("2026-01-01T06:00:00Z")));
        assertThat(at.next(utc("2026-01-01T05:00:00Z"))).isEqualTo(utc("2026-01-01T06:00:00Z"));
        assertThat(at.next(utc("2026-01-01T06:00:00Z"))).isNull();
    }

    @Test
    void aYearOfDailyFiringsInAmsterdamIsOnePerDay() {
        ZoneId z = ZoneId.of("Europe/Amsterdam");
        List<Instant> year = between(ScheduleSpec.cron("30 2 * * *", "Europe/Amsterdam"),
                ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, z).toInstant(), ZonedDateTime.of(2027, 1, 1, 0, 0, 0, 0, z).toInstant());
        assertThat(year).hasSize(365);
        assertThat(year.stream().map(i -> i.atZone(z).toLocalDate()).distinct().count()).isEqualTo(365);
    }
}
