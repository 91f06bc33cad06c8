package io.nightshift.coordinator.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.Resources;
import io.nightshift.coordinator.pools.HourOfWeekProfile;
import io.nightshift.coordinator.scheduling.DeadlineAdmission;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Admission's idle cpus: now's for the current hour, then the pools' hour-of-week profile where it has been observed. */
class DeadlinesForecastTest {
    private static final Instant NOW = Instant.parse("2026-03-02T01:20:00Z"); // a Monday

    @Test
    void theCurrentHourIsNowAndLaterHoursAreTheProfileSummedOverPools() {
        HourOfWeekProfile profile = new HourOfWeekProfile();
        // last week, Monday 03:00-04:00: office had 12 idle cpus and lab 4
        profile.observe("office", ZoneOffset.UTC, "a1", Instant.parse("2026-02-23T03:10:00Z"), Resources.of(12, 1024));
        profile.observe("lab", ZoneOffset.UTC, "b1", Instant.parse("2026-02-23T03:10:00Z"), Resources.of(4, 1024));

        DeadlineAdmission.IdleCpus idle = Deadlines.forecast(NOW, 2, List.of(), profile, List.of("office", "lab"));

        assertThat(idle.at(NOW)).isEqualTo(2);
        assertThat(idle.at(Instant.parse("2026-03-02T01:59:00Z"))).as("still the current hour").isEqualTo(2);
        assertThat(idle.at(Instant.parse("2026-03-02T03:30:00Z"))).isEqualTo(16);
        assertThat(idle.at(Instant.parse("2026-03-02T02:30:00Z"))).as("an hour never observed: now's").isEqualTo(2);
        assertThat(Deadlines.forecast(NOW, 2, List.of(), profile, List.of()).at(Instant.parse("2026-03-02T03:30:00Z")))
                .as("no pools: now's").isEqualTo(2);
    }

    @Test
    void aRunThatFitsOnlyOnceTheNightCapacityComesIsAdmittedFromTheForecast() {
        HourOfWeekProfile profile = new HourOfWeekProfile();
        profile.observe("office", ZoneOffset.UTC, "a1", Instant.parse("2026-02-23T03:10:00Z"), Resources.of(16, 1024));
        DeadlineAdmission.Decision d = DeadlineAdmission.decide(NOW, 0, Instant.parse("2026-03-02T06:00:00Z"), 8,
                new DeadlineAdmission.Estimate(java.time.Duration.ofMinutes(50), DeadlineAdmission.Basis.HISTORY, 5), List.of(),
                Deadlines.forecast(NOW, 1, List.of(), profile, List.of("office")));

        assertThat(d.expectedStart()).isEqualTo(Instant.parse("2026-03-02T03:00:00Z"));
        assertThat(d.verdict()).isEqualTo(DeadlineAdmission.Verdict.ADMITTED);
    }

    @Test
    void runningWorkHandsItsCpusBackWhenItIsExpectedToEnd() {
        // a saturated pool: nothing idle now, 8 cpus held by a run expected to end at 01:40
        List<Deadlines.Release> releases = List.of(new Deadlines.Release(Instant.parse("2026-03-02T01:40:00Z"), 8));
        DeadlineAdmission.IdleCpus idle = Deadlines.forecast(NOW, 0, releases, new HourOfWeekProfile(), List.of());

        assertThat(idle.at(NOW)).isEqualTo(0);
        assertThat(idle.at(Instant.parse("2026-03-02T01:40:00Z"))).isEqualTo(8);
        DeadlineAdmission.Decision d = DeadlineAdmission.decide(NOW, 0, Instant.parse("2026-03-02T06:00:00Z"), 4,
                new DeadlineAdmission.Estimate(java.time.Duration.ofHours(1), DeadlineAdmission.Basis.HISTORY, 3), List.of(), idle);
        assertThat(d.expectedStart()).isEqualTo(Instant.parse("2026-03-02T01:40:00Z"));
        assertThat(d.verdict()).isEqualTo(DeadlineAdmission.Verdict.ADMITTED);
    }
}
