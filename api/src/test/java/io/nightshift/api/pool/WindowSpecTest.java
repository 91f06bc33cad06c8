package io.nightshift.api.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.json.Json;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WindowSpecTest {
    static final String POOL = """
            {"name":"office","reservation":{"cpus":8,"memMb":16384},"headroom":{"cpuPercent":20,"memMb":4096},
             "windows":[{"name":"night","zone":"Europe/Amsterdam","ranges":[{"from":"22:00","to":"06:00"}]},
                        {"name":"weekend","zone":"Europe/Amsterdam","ranges":[{"from":"Sat 00:00","to":"Mon 06:00"}]}]}""";

    static WindowSpec window(String name) {
        return PoolSpecParser.parse(POOL).window(name).orElseThrow();
    }

    @Test
    void aNightIsOpenFromTenInTheEveningToSixInTheMorningLocalTime() {
        WindowSpec night = window("night");
        // Amsterdam in winter is UTC+1: 22:00 local = 21:00Z
        assertThat(night.isOpen(Instant.parse("2026-01-14T20:59:00Z"))).isFalse();
        assertThat(night.isOpen(Instant.parse("2026-01-14T21:00:00Z"))).isTrue();
        assertThat(night.isOpen(Instant.parse("2026-01-15T04:59:59Z"))).isTrue();
        assertThat(night.isOpen(Instant.parse("2026-01-15T05:00:00Z"))).isFalse();
        assertThat(night.nextOpening(Instant.parse("2026-01-15T12:00:00Z")).opens()).isEqualTo(Instant.parse("2026-01-15T21:00:00Z"));
    }

    @Test
    void theNightTheClocksGoForwardIsAnHourShorter() {
        // Sunday 29 March 2026, 02:00 CET -> 03:00 CEST
        WindowSpec.Opening o = window("night").openingAt(Instant.parse("2026-03-28T23:00:00Z")).orElseThrow();
        assertThat(o.opens()).isEqualTo(Instant.parse("2026-03-28T21:00:00Z"));   // 22:00 CET
        assertThat(o.closes()).isEqualTo(Instant.parse("2026-03-29T04:00:00Z"));  // 06:00 CEST
        assertThat(Duration.between(o.opens(), o.closes())).isEqualTo(Duration.ofHours(7));
        // the next evening is in summer time: 22:00 CEST = 20:00Z
        assertThat(window("night").nextOpening(o.opens()).opens()).isEqualTo(Instant.parse("2026-03-29T20:00:00Z"));
    }

    @Test
    void theNightTheClocksGoBackIsAnHourLonger() {
        // Sunday 25 October 2026, 03:00 CEST -> 02:00 CET
        WindowSpec.Opening o = window("night").openingAt(Instant.parse("2026-10-25T01:30:00Z")).orElseThrow();
        assertThat(o.opens()).isEqualTo(Instant.parse("2026-10-24T20:00:00Z"));   // 22:00 CEST
        assertThat(o.closes()).isEqualTo(Instant.parse("2026-10-25T05:00:00Z"));  // 06:00 CET
        assertThat(Duration.between(o.opens(), o.closes())).isEqualTo(Duration.ofHours(9));
    }

    @Test
    void aRangeThatStartsInTheSpringGapStartsWhenTheClockResumes() {
        WindowSpec w = PoolSpecParser.parse("""
                {"name":"p","windows":[{"name":"early","zone":"Europe/Amsterdam","ranges":[{"from":"02:30","to":"04:00"}]}]}""")
                .window("early").orElseThrow();
        WindowSpec.Opening o = w.nextOpening(Instant.parse("2026-03-28T12:00:00Z"));
        assertThat(o.opens()).isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));  // 02:30 does not exist: 03:30 CEST
        assertThat(o.closes()).isEqualTo(Instant.parse("2026-03-29T02:00:00Z"));  // 04:00 CEST
    }

    @Test
    void theWeekendRunsFromSaturdayMidnightToMondaySixAndThePoolLendsWhileAnyWindowIsOpen() {
        PoolSpec pool = PoolSpecParser.parse(POOL);
        WindowSpec weekend = pool.window("weekend").orElseThrow();
        Instant saturdayNoon = Instant.parse("2026-01-17T11:00:00Z");
        WindowSpec.Opening o = weekend.openingAt(saturdayNoon).orElseThrow();
        assertThat(o.opens()).isEqualTo(Instant.parse("2026-01-16T23:00:00Z"));
        assertThat(o.closes()).isEqualTo(Instant.parse("2026-01-19T05:00:00Z"));
        assertThat(pool.window("night").orElseThrow().isOpen(saturdayNoon)).isFalse();
        assertThat(pool.lending(saturdayNoon)).isTrue();
        assertThat(pool.lending(Instant.parse("2026-01-14T12:00:00Z"))).isFalse(); // a Wednesday noon
    }

    @Test
    void aPoolReadsBackFromItsJsonUnchanged() {
        PoolSpec pool = PoolSpecParser.parse(POOL);
        String json = Json.write(pool);
        assertThat(json).contains("\"zone\":\"Europe/Amsterdam\"").contains("\"from\":\"Sat 00:00\"");
        assertThat(Json.read(json, PoolSpec.class)).isEqualTo(pool);
        assertThat(PoolSpecParser.parse(json)).isEqualTo(pool);
    }
}
