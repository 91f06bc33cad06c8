package io.nightshift.coordinator.scheduling;

import static io.nightshift.api.model.PendingReason.Kind.DYNAMIC;
import io.nightshift.api.Resources;
import io.nightshift.api.model.PendingReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static io.nightshift.coordinator.scheduling.Fixtures.NOW;
import static io.nightshift.coordinator.scheduling.Fixtures.agent;
import static io.nightshift.coordinator.scheduling.Fixtures.queue;
import static io.nightshift.coordinator.scheduling.Fixtures.snapshot;
import static io.nightshift.coordinator.scheduling.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;

/** Gangs: all instances in one cycle or none; holds with a timeout and back-off, so gangs never deadlock. */
class GangTest {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private final OfferCycle cycle = new OfferCycle(SchedulingPolicy.defaults().withGangTimeout(TIMEOUT));

    private static Fixtures.TaskBuilder[] gang(String run, String queue, int size, double cpus) {
        return IntStream.range(0, size).mapToObj(i -> task(run + "." + i).job(run).queue(queue).gang(run, size).cpus(cpus)
                .memMb(256)).toArray(Fixtures.TaskBuilder[]::new);
    }

    private static Fixtures.AgentBuilder[] agents(int count, double cpus) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> agent("a" + i).cpus(cpus).memMb(4096).total(cpus, 4096))
                .toArray(Fixtures.AgentBuilder[]::new);
    }

    @Test
    void aGangThatFitsStartsWhole() {
        var plan = cycle.plan(snapshot().agents(agents(3, 2)).pending(gang("spark", "default", 3, 2)).build());

        assertThat(plan.placements()).extracting(Placement::taskId).containsExactly("spark.0", "spark.1", "spark.2");
        assertThat(plan.gangHolds()).isEmpty();
    }

    @Test
    void aGangThatDoesNotFitStartsNothingAndHoldsWhatFit() {
        var plan = cycle.plan(snapshot().queues(queue("ml", 1)).agents(agents(2, 2))
                .pending(gang("train", "ml", 3, 2)).build());

        assertThat(plan.placements()).as("no instance starts alone").isEmpty();
        assertThat(plan.reasonsFor("train.2")).first().isEqualTo(PendingReason.of("gang.incomplete", DYNAMIC, 0,
                "gang train: 2 of 3 instances fit this cycle, none is started; holding what fits on 2 agents until "
                        + NOW.plus(TIMEOUT)));
        assertThat(plan.reasonsFor("train.0")).isEqualTo(plan.reasonsFor("train.2"));
        assertThat(plan.gangHolds()).containsExactly(new GangHold("train", "ml",
                Map.of("a1", new Resources(2, 256, 0, 0), "a2", new Resources(2, 256, 0, 0)), NOW, 0, null));
        assertThat(plan.nextWakeUp()).isEqualTo(NOW.plus(TIMEOUT));
    }

    @Test
    void heldResourcesAreNotGivenToOtherWork() {
        var hold = new GangHold("train", "ml", Map.of("a1", new Resources(2, 256, 0, 0), "a2", new Resources(2, 256, 0, 0)),
                NOW.minusSeconds(5), 0, null);
        var plan = cycle.plan(snapshot().queues(queue("ml", 1), queue("etl", 1)).agents(agents(2, 2))
                .pending(gang("train", "ml", 3, 2)).pending(task("small").queue("etl").cpus(1).memMb(128))
                .gangHolds(List.of(hold)).build());

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.reasonsFor("small")).extracting(PendingReason::code).containsExactly("insufficient.cpus");
        assertThat(plan.gangHolds()).singleElement().extracting(GangHold::heldSince).isEqualTo(NOW.minusSeconds(5));
    }

    @Test
    void aHoldTimesOutAndTheGangBacksOffSoOthersGetTheResources() {
        var hold = new GangHold("train", "ml", Map.of("a1", new Resources(2, 256, 0, 0), "a2", new Resources(2, 256, 0, 0)),
                NOW.minus(TIMEOUT), 0, null);
        var plan = cycle.plan(snapshot().queues(queue("ml", 1), queue("etl", 1)).agents(agents(2, 2))
                .pending(gang("train", "ml", 3, 2)).pending(task("small").queue("etl").cpus(1).memMb(128))
                .gangHolds(List.of(hold)).build());

        assertThat(plan.placementOf("small")).isPresent();
        assertThat(plan.gangHolds()).containsExactly(new GangHold("train", "ml", Map.of(), null, 1, NOW.plus(TIMEOUT)));
        assertThat(plan.reasonsFor("train.0")).first().extracting(PendingReason::message).asString()
                .endsWith("not holding resources: back-off after 1 release until " + NOW.plus(TIMEOUT));
    }

    @Test
    void theBackOffDoublesWithEachRelease() {
        var hold = new GangHold("train", "ml", Map.of("a1", new Resources(2, 256, 0, 0)), NOW.minus(TIMEOUT), 2, null);
        var plan = cycle.plan(snapshot().queues(queue("ml", 1)).agents(agents(2, 2))
                .pending(gang("train", "ml", 3, 2)).gangHolds(List.of(hold)).build());

        assertThat(plan.gangHolds()).singleElement().extracting(GangHold::releases, GangHold::holdAgainAt)
                .containsExactly(3, NOW.plus(TIMEOUT.multipliedBy(4)));
    }

    @Test
    void aGangWithInstancesStillMissingWaits() {
        var plan = cycle.plan(snapshot().agents(agents(4, 2))
                .pending(task("g.0").job("g").gang("g", 3).cpus(1), task("g.1").job("g").gang("g", 3).cpus(1)).build());

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.reasonsFor("g.0")).containsExactly(PendingReason.of("gang.waiting", DYNAMIC, 0,
                "gang g: 2 of 3 instances are pending; waiting for the rest"));
    }

    @Test
    void twoGangsThatEachHoldHalfNeverDeadlock() {
        // Four 1-cpu agents; a3 and a4 are busy for the first 10 s. Gangs A and B need three agents each.
        // t=0: A holds a1+a2. t=10: B (lower share: it holds nothing) holds a3+a4. Each waits for the other:
        // a deadlock without timeouts. At A's timeout A lets go and backs off; B takes a1/a2 and starts;
        // A starts after B has finished. Cycles every 5 s on a virtual clock; every gang starts whole.
        Map<String, Instant> busyUntil = new HashMap<>(Map.of("a3", NOW.plusSeconds(10), "a4", NOW.plusSeconds(10)));
        List<PendingTask> pending = new ArrayList<>();
        for (var b : gang("A", "qa", 3, 1)) pending.add(b.queuedAt(NOW.minusSeconds(20)).build());
        for (var b : gang("B", "qb", 3, 1)) pending.add(b.queuedAt(NOW.minusSeconds(10)).build());
        Map<String, Instant> started = new HashMap<>();
        Plan last = null;
        for (Instant now = NOW; now.isBefore(NOW.plus(Duration.ofHours(1))) && started.size() < 6; now = now.plusSeconds(5)) {
            Instant t = now;
            busyUntil.values().removeIf(until -> !until.isAfter(t));
            List<AgentSlot> slots = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                boolean busy = busyUntil.containsKey("a" + i);
                slots.add(new AgentSlot("a" + i, busy ? Resources.ZERO : new Resources(1, 4096, 0, 0), Map.of(),
                        new Resources(1, 4096, 0, 0)));
            }
            var builder = last == null ? ClusterSnapshot.builder(0, t).queues(List.of(queue("qa", 1), queue("qb", 1)))
                    : snapshotAfter(last, t);
            last = cycle.plan(builder.agents(slots).pending(pending).build());
            List<String> placedNow = last.placements().stream().map(Placement::taskId).toList();
            for (Placement p : last.placements()) {
                started.put(p.taskId(), t);
                busyUntil.put(p.agentId(), t.plusSeconds(60));
            }
            pending.removeIf(p -> placedNow.contains(p.taskId()));
        }

        assertThat(started).hasSize(6);
        assertThat(List.of("A.0", "A.1", "A.2").stream().map(started::get).distinct()).as("A started in one cycle").hasSize(1);
        assertThat(List.of("B.0", "B.1", "B.2").stream().map(started::get).distinct()).as("B started in one cycle").hasSize(1);
        assertThat(started.get("B.0")).as("B got A's released half at A's timeout").isEqualTo(NOW.plus(TIMEOUT));
        assertThat(started.get("A.0")).isAfter(started.get("B.0"));
    }

    private static ClusterSnapshot.Builder snapshotAfter(Plan plan, Instant now) {
        return ClusterSnapshot.builder(plan.cycle() + 1, now).queues(List.of(queue("qa", 1), queue("qb", 1)))
                .offers(plan.offers()).declineFilters(plan.declineFilters()).gangHolds(plan.gangHolds());
    }
}
