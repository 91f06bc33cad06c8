package io.nightshift.coordinator.scheduling;

import static io.nightshift.api.model.PendingReason.Kind.DYNAMIC;
import static io.nightshift.coordinator.scheduling.Fixtures.NOW;
import static io.nightshift.coordinator.scheduling.Fixtures.snapshot;
import static io.nightshift.coordinator.scheduling.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.Resources;
import io.nightshift.api.model.PendingReason;
import io.nightshift.api.pool.PoolSpec;
import io.nightshift.api.pool.PoolSpecParser;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pool steps of the placement stack: lent capacity for revocable tasks only, windowed tasks inside their window. */
class NightPlacementTest {
    // NOW is Sunday 2026-03-01 22:00 UTC: the night has just opened and closes at 06:00
    static final PoolSpec OFFICE = PoolSpecParser.parse("""
            {"name":"office","reservation":{"cpus":6,"memMb":6144},
             "windows":[{"name":"night","zone":"UTC","ranges":[{"from":"22:00","to":"06:00"}]}]}""");
    static final OfferCycle CYCLE = new OfferCycle(SchedulingPolicy.defaults());

    static AgentSlot shared(String id, double freeCpus, double lentCpus) {
        return new AgentSlot(id, Resources.of(freeCpus, 8192), Map.of("pool", "office"), Resources.of(8, 8192),
                Resources.of(lentCpus, (long) (lentCpus * 1024)), OFFICE);
    }

    static AgentSlot plain(String id) {
        return new AgentSlot(id, Resources.of(8, 8192), Map.of(), Resources.of(8, 8192));
    }

    static PendingTask job(String id, double cpus, boolean revocable, String window, Duration runtime) {
        return task(id).cpus(cpus).memMb(512).build().night(revocable, window, runtime);
    }

    @Test
    void lentCapacityGoesOnlyToRevocableTasks() {
        // 8 cpus free, 6 of them lent by the owners: a 4-cpu task fits only if it is revocable
        Plan plan = CYCLE.plan(snapshot().agents(List.of(shared("a1", 8, 6)))
                .pending(List.of(job("steady", 4, false, null, null), job("batch", 4, true, null, null))).build());

        assertThat(plan.placementOf("batch")).isPresent();
        assertThat(plan.placementOf("steady")).isEmpty();
        assertThat(plan.reasonsFor("steady")).extracting(PendingReason::code).containsExactly("capacity.lent");
        assertThat(plan.reasonsFor("steady").get(0).message()).contains("pool 'office'").contains("revocable: true");
    }

    @Test
    void unreservedCapacityTakesEveryTask() {
        Plan plan = CYCLE.plan(snapshot().agents(List.of(shared("a1", 8, 6))).pending(List.of(job("steady", 2, false, null, null)))
                .build());
        assertThat(plan.placementOf("steady")).isPresent();
    }

    @Test
    void aWindowedTaskStartsInsideItsWindowWhenItsRuntimeFits() {
        Plan plan = CYCLE.plan(snapshot().agents(List.of(shared("a1", 8, 6)))
                .pending(List.of(job("etl", 2, true, "night", Duration.ofHours(7)), job("too-long", 2, true, "night",
                        Duration.ofHours(9)))).build());

        assertThat(plan.placementOf("etl")).isPresent();
        assertThat(plan.placementOf("too-long")).isEmpty();
        PendingReason why = plan.reasonsFor("too-long").get(0);
        assertThat(why.code()).isEqualTo("window.too-short");
        assertThat(why.message()).isEqualTo("may run up to 9h (maxRuntime) but window 'night' of pool 'office' closes at "
                + "2026-03-02T06:00:00Z, in 8h; no opening in the next two weeks is that long");
        assertThat(plan.etas()).doesNotContainKey("too-long"); // no night is 9 hours long
    }

    @Test
    void nearTheEndOfTheWindowALongTaskWaitsForTheNextOpeningWhichIsItsEta() {
        Instant fiveAm = Instant.parse("2026-03-02T05:00:00Z");
        Plan plan = CYCLE.plan(snapshot().now(fiveAm).agents(List.of(shared("a1", 8, 6)))
                .pending(List.of(job("etl", 2, true, "night", Duration.ofHours(2)))).build());

        assertThat(plan.placementOf("etl")).isEmpty();
        assertThat(plan.reasonsFor("etl")).extracting(PendingReason::code).containsExactly("window.too-short");
        assertThat(plan.etas()).containsEntry("etl", Instant.parse("2026-03-02T22:00:00Z"));
    }

    @Test
    void byDayTheWindowIsClosedAndWhyPendingSaysWhenItOpens() {
        Instant noon = Instant.parse("2026-03-02T12:00:00Z");
        Plan plan = CYCLE.plan(snapshot().now(noon).agents(List.of(shared("a1", 8, 0)))
                .pending(List.of(job("etl", 2, false, "night", null))).build());

        assertThat(plan.placementOf("etl")).isEmpty();
        assertThat(plan.reasonsFor("etl")).containsExactly(PendingReason.of("window.closed", DYNAMIC, 1,
                "window 'night' of pool 'office' is closed; it opens next at 2026-03-02T22:00:00Z"));
        assertThat(plan.etas()).containsEntry("etl", Instant.parse("2026-03-02T22:00:00Z"));
    }

    @Test
    void anAgentWithoutTheWindowCanNeverTakeAWindowedTask() {
        Plan plan = CYCLE.plan(snapshot().agents(List.of(plain("a1"))).pending(List.of(job("etl", 1, true, "night", null))).build());

        assertThat(plan.placementOf("etl")).isEmpty();
        assertThat(plan.reasonsFor("etl")).extracting(PendingReason::code).containsExactly("unschedulable", "window.unknown");
    }

    @Test
    void inTheLastReclaimLeadOfTheWindowNothingNewIsLentSoARevokedTaskIsNotPlacedAgainToBeRevokedAgain() {
        // the night ends at 06:00 and the pool takes its lent capacity back from 05:59:30 (reclaim lead 30 s)
        io.nightshift.api.model.OwnerLoad quiet = new io.nightshift.api.model.OwnerLoad(1, 1024, 1, 1024);
        Resources machine = Resources.of(8, 8192);
        Instant night = Instant.parse("2026-03-02T03:00:00Z");
        Instant closing = Instant.parse("2026-03-02T05:59:40Z");
        AgentSlot lending = io.nightshift.coordinator.pools.PoolSlots.slot("a1", machine, Resources.ZERO, Map.of("pool", "office"),
                quiet, OFFICE, night, Duration.ofSeconds(30));
        AgentSlot taking = io.nightshift.coordinator.pools.PoolSlots.slot("a1", machine, Resources.ZERO, Map.of("pool", "office"),
                quiet, OFFICE, closing, Duration.ofSeconds(30));
        // at night the owners' 6 cpus are lent (less their 1 cpu of load); in the lead none of them are
        assertThat(lending.lent().cpus()).isEqualTo(5);
        assertThat(taking.lent()).isEqualTo(Resources.ZERO);
        assertThat(taking.free().cpus()).isEqualTo(2); // what unreserved work may use: 8 - max(6, 1)

        // a revoked task (no maxRuntime: the window filter lets it in) that needs the lent capacity waits
        PendingTask revoked = job("trainer", 4, true, "night", null);
        assertThat(CYCLE.plan(snapshot().now(night).agents(List.of(lending)).pending(List.of(revoked)).build())
                .placementOf("trainer")).isPresent();
        Plan plan = CYCLE.plan(snapshot().now(closing).agents(List.of(taking)).pending(List.of(revoked)).build());
        assertThat(plan.placementOf("trainer")).isEmpty();
        assertThat(plan.reasonsFor("trainer")).extracting(PendingReason::code).doesNotContain("window.closed", "window.too-short");
    }
}
