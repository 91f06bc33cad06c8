package io.nightshift.coordinator.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.Resources;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.OwnerLoad;
import io.nightshift.api.pool.PoolSpec;
import io.nightshift.api.pool.PoolSpecParser;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How much an agent's pool takes back: the window closing within the lead, or the owners reaching into the headroom. */
class PoolReclaimTest {
    static final PoolSpec OFFICE = PoolSpecParser.parse("""
            {"name":"office","reservation":{"cpus":4,"memMb":4096},"headroom":{"cpuPercent":25,"memMb":1024},
             "windows":[{"name":"night","zone":"UTC","ranges":[{"from":"22:00","to":"06:00"}]}]}""");
    static final AgentInfo AGENT = new AgentInfo(1, "a1", "h", null, AgentInfo.AgentStatus.ACTIVE, Resources.of(8, 8192),
            Resources.ZERO, Map.of("pool", "office"), null, null, null, null);
    static final OwnerLoad QUIET = new OwnerLoad(1, 1024, 1, 1024);

    @Test
    void inTheMiddleOfTheNightLentCapacityStaysLent() {
        // 8 - 1 (owners) - 2 (25 % headroom) = 5 cpus may be held
        assertThat(PoolAdmin.reclaim(AGENT, Resources.of(5, 2048), QUIET, OFFICE, Instant.parse("2026-01-15T01:00:00Z")))
                .isEqualTo(Resources.ZERO);
    }

    @Test
    void shortlyBeforeTheWindowClosesTheReservationIsTakenBack() {
        // at 05:59:45 the window closes within the 30 s lead: 8 - max(4, 1) - 2 = 2 cpus may be held, 5 are
        assertThat(PoolAdmin.reclaim(AGENT, Resources.of(5, 2048), QUIET, OFFICE, Instant.parse("2026-01-15T05:59:45Z")))
                .isEqualTo(Resources.of(3, 0));
    }

    @Test
    void ownersRisingIntoTheHeadroomTakeCapacityBackEvenInsideTheWindow() {
        OwnerLoad busy = new OwnerLoad(4.5, 1024, 5, 1024);
        // the owners' peak (5) counts, not only their average (4.5): 8 - 5 - 2 = 1 cpu may be held, 5 are
        assertThat(PoolAdmin.reclaim(AGENT, Resources.of(5, 2048), busy, OFFICE, Instant.parse("2026-01-15T01:00:00Z")))
                .isEqualTo(Resources.of(4, 0));
    }
}
