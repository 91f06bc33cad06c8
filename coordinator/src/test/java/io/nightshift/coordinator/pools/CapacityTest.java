package io.nightshift.coordinator.pools;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.Resources;
import io.nightshift.api.model.OwnerLoad;
import io.nightshift.api.pool.PoolSpec;
import io.nightshift.api.pool.PoolSpecParser;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CapacityTest {
    static final PoolSpec OFFICE = PoolSpecParser.parse("""
            {"name":"office","reservation":{"cpus":8,"memMb":16384},"headroom":{"cpuPercent":20,"memMb":4096},
             "windows":[{"name":"night","zone":"UTC","ranges":[{"from":"22:00","to":"06:00"}]}]}""");
    static final Resources MACHINE = Resources.of(16, 65536);
    static final Instant NOON = Instant.parse("2026-01-14T12:00:00Z");
    static final Instant MIDNIGHT = Instant.parse("2026-01-15T00:00:00Z");

    @Test
    void byDayTheOwnersHoldTheirReservationEvenWhenTheyUseLess() {
        // owners use 3 cpus / 8 GiB, but 8 cpus / 16 GiB are theirs; headroom 20 % of 16 = 3.2 cpus, 4 GiB
        Resources idle = Capacity.idle(MACHINE, Resources.of(2, 1024), new OwnerLoad(3, 8192, 5, 9000), OFFICE, NOON);
        assertThat(idle).isEqualTo(Resources.of(16 - 2 - 8 - 3.2, 65536 - 1024 - 16384 - 4096));
    }

    @Test
    void byDayOwnersAboveTheirReservationTakeWhatTheyUse() {
        Resources idle = Capacity.idle(MACHINE, Resources.ZERO, new OwnerLoad(10, 20000, 10, 20000), OFFICE, NOON);
        assertThat(idle).isEqualTo(Resources.of(16 - 10 - 3.2, 65536 - 20000 - 4096));
    }

    @Test
    void insideTheWindowTheReservationIsLentAndOnlyTheMeasuredLoadAndHeadroomAreKept() {
        Resources idle = Capacity.idle(MACHINE, Resources.ZERO, new OwnerLoad(1, 4096, 1, 4096), OFFICE, MIDNIGHT);
        assertThat(idle).isEqualTo(Resources.of(16 - 1 - 3.2, 65536 - 4096 - 4096));
    }

    @Test
    void withoutAPoolIdleIsTotalMinusAllocatedMinusLoadAndNeverNegative() {
        assertThat(Capacity.idle(MACHINE, Resources.of(4, 0), new OwnerLoad(2, 1000, 2, 1000), null, NOON))
                .isEqualTo(Resources.of(10, 64536));
        assertThat(Capacity.idle(Resources.of(2, 1024), Resources.of(2, 1024), new OwnerLoad(2, 1000, 2, 1000), OFFICE, NOON))
                .isEqualTo(Resources.ZERO);
    }

    @Test
    void theProfileRemembersIdleCapacityByHourOfWeekSummedOverThePoolsAgents() {
        HourOfWeekProfile p = new HourOfWeekProfile();
        Instant mondayTen = Instant.parse("2026-01-12T10:00:00Z");
        p.observe("office", ZoneOffset.UTC, "a1", mondayTen, Resources.of(4, 1000));
        p.observe("office", ZoneOffset.UTC, "a2", mondayTen.plusSeconds(1), Resources.of(6, 1000)); // same minute: not sampled
        p.observe("office", ZoneOffset.UTC, "a1", mondayTen.plusSeconds(61), Resources.of(4, 1000)); // next sample: 4 + 6
        assertThat(HourOfWeekProfile.hourOfWeek(mondayTen, ZoneOffset.UTC)).isEqualTo(10);
        // the first sample of the hour set it to 4; the second moved it 5 % of the way to 10
        assertThat(p.idleAt("office", mondayTen.plus(java.time.Duration.ofDays(7))).orElseThrow().cpus())
                .isEqualTo(Math.round((4 + 0.05 * (10 - 4)) * 100) / 100d);
        assertThat(p.idleAt("office", mondayTen.plusSeconds(3600))).isEmpty(); // 11:00 never observed
        assertThat(p.idleAt("lab", mondayTen)).isEmpty();
        assertThat(p.profile("office")).containsOnlyKeys("Mon 10");
    }
}
