package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;

import static io.nightshift.coordinator.scheduling.Fixtures.NOW;
import static io.nightshift.coordinator.scheduling.Fixtures.agent;
import static io.nightshift.coordinator.scheduling.Fixtures.running;
import static io.nightshift.coordinator.scheduling.Fixtures.snapshot;
import static io.nightshift.coordinator.scheduling.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * EASY backfill: the first task or gang of a queue that cannot start gets a reservation from the running
 * tasks' expected ends, and smaller work may use the reserved agents only without delaying it.
 */
class ReservationsTest {

    private final OfferCycle cycle = new OfferCycle(SchedulingPolicy.defaults());

    /** Four 4-cpu agents, each full with one running task that ends after 100, 200, 300, 400 s. */
    private static Fixtures.SnapshotBuilder fullCluster() {
        return snapshot().agents(IntStream.rangeClosed(1, 4).mapToObj(i -> agent("a" + i).cpus(0).memMb(0).total(4, 4096))
                        .toArray(Fixtures.AgentBuilder[]::new))
                .running(IntStream.rangeClosed(1, 4).mapToObj(i -> running("r" + i).job("busy" + i).on("a" + i).cpus(4)
                        .memMb(4096).endsInSeconds(100L * i)).toArray(Fixtures.RunningBuilder[]::new));
    }

    private static Fixtures.TaskBuilder[] gang(String run, int size, double cpus) {
        return IntStream.range(0, size).mapToObj(i -> task(run + "." + i).job(run).gang(run, size).cpus(cpus).memMb(1024)
                .priority(10)).toArray(Fixtures.TaskBuilder[]::new);
    }

    @Test
    void aGangThatCannotStartIsReservedTheEarliestRoomOnNamedAgents() {
        var plan = cycle.plan(fullCluster().pending(gang("train", 2, 4)).build());

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.reservations()).containsExactly(new Reservation("train", "train", "default", 2, NOW.plusSeconds(200),
                Map.of("a1", new Resources(4, 1024, 0, 0), "a2", new Resources(4, 1024, 0, 0))));
        assertThat(plan.reasonsFor("train.0")).first().satisfies(r -> assertThat(r.message())
                .endsWith("reserved from " + NOW.plusSeconds(200) + " on 2 agents"));
        assertThat(plan.etas()).containsEntry("train.0", NOW.plusSeconds(200)).containsEntry("train.1", NOW.plusSeconds(200));
        assertThat(plan.gangHolds()).as("a reserved gang holds nothing idle").isEmpty();
    }

    @Test
    void smallWorkBackfillsAReservedAgentOnlyWhenItEndsBeforeTheReservation() {
        // a1 has 2 cpus free now; the gang is promised a1 and a2 from +200 s
        var s = snapshot().agents(agent("a1").cpus(2).memMb(2048).total(4, 4096), agent("a2").cpus(0).memMb(0).total(4, 4096))
                .running(running("r1").on("a1").cpus(2).memMb(2048).endsInSeconds(100),
                        running("r2").on("a2").cpus(4).memMb(4096).endsInSeconds(200))
                .pending(gang("train", 2, 4))
                .pending(task("short").job("short").cpus(2).memMb(512).maxRuntime(Duration.ofSeconds(150)),
                        task("long").job("long").cpus(2).memMb(512).maxRuntime(Duration.ofSeconds(600)),
                        task("unknown").job("unknown").cpus(2).memMb(512));

        var plan = cycle.plan(s.build());

        assertThat(plan.reservationOf("train")).get().extracting(Reservation::start).isEqualTo(NOW.plusSeconds(200));
        assertThat(plan.placements()).extracting(Placement::taskId).containsExactly("short");
        assertThat(plan.reasonsFor("long")).extracting(r -> r.code()).contains("reservation");
        assertThat(plan.reasonsFor("unknown")).extracting(r -> r.code()).contains("reservation");
    }

    @Test
    void smallWorkMayUseWhatTheReservationLeavesOver() {
        // an 8-cpu agent: 4 cpus free now, 4 more at +300 s; the 6-cpu task is promised 6 of the 8 from then
        var s = snapshot().agents(agent("a1").cpus(4).memMb(8192).total(8, 16384))
                .running(running("r1").on("a1").cpus(4).memMb(8192).endsInSeconds(300))
                .pending(task("wide").job("wide").cpus(6).memMb(1024).priority(10),
                        task("fits-slack").job("s1").cpus(2).memMb(512),
                        task("too-big").job("s2").cpus(2).memMb(512));

        var plan = cycle.plan(s.build());

        assertThat(plan.reservationOf("wide")).get().extracting(Reservation::agents)
                .isEqualTo(Map.of("a1", new Resources(6, 1024, 0, 0)));
        assertThat(plan.placements()).extracting(Placement::taskId).containsExactly("fits-slack");
        assertThat(plan.reasonsFor("too-big")).extracting(r -> r.code()).contains("reservation");
    }

    @Test
    void withoutExpectedEndsNothingIsReservedAndTheGangHoldsAsBefore() {
        var s = snapshot().agents(agent("a1").cpus(4).memMb(4096).total(4, 4096), agent("a2").cpus(0).memMb(0).total(4, 4096))
                .running(running("r2").on("a2").cpus(4).memMb(4096))
                .pending(gang("train", 2, 4));

        var plan = cycle.plan(s.build());

        assertThat(plan.reservations()).isEmpty();
        assertThat(plan.gangHolds()).extracting(GangHold::gang).containsExactly("train");
    }

    @Test
    void onlyTheFirstBlockedTaskOfAQueueIsReserved() {
        var plan = cycle.plan(fullCluster().pending(gang("first", 2, 4)).pending(gang("second", 2, 4)).build());

        assertThat(plan.reservations()).extracting(Reservation::runId).containsExactly("first");
    }

    @Test
    void reservationsCanBeSwitchedOff() {
        var plain = new OfferCycle(SchedulingPolicy.defaults().withReservations(false));

        var plan = plain.plan(fullCluster().pending(gang("train", 2, 4)).build());

        assertThat(plan.reservations()).isEmpty();
    }
}
