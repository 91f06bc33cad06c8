package io.nightshift.coordinator.scheduling;

import static io.nightshift.api.model.PendingReason.Kind.DYNAMIC;
import io.nightshift.api.Resources;
import io.nightshift.api.model.PendingReason;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static io.nightshift.coordinator.scheduling.Fixtures.NOW;
import static io.nightshift.coordinator.scheduling.Fixtures.agent;
import static io.nightshift.coordinator.scheduling.Fixtures.queue;
import static io.nightshift.coordinator.scheduling.Fixtures.running;
import static io.nightshift.coordinator.scheduling.Fixtures.snapshot;
import static io.nightshift.coordinator.scheduling.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/** Weighted DRF across queues, guarantees, limits and the order inside a queue. */
class DrfAllocationTest {

    private final OfferCycle cycle = new OfferCycle(SchedulingPolicy.defaults());

    private static Fixtures.TaskBuilder[] tasks(String queue, int count, double cpus, long memMb) {
        return IntStream.range(0, count).mapToObj(i -> task(queue + "-" + i).queue(queue).job(queue + "-job")
                .queuedSecondsAgo(100 - i).cpus(cpus).memMb(memMb)).toArray(Fixtures.TaskBuilder[]::new);
    }

    private static List<Fixtures.TaskBuilder> concat(Fixtures.TaskBuilder[]... parts) {
        List<Fixtures.TaskBuilder> all = new ArrayList<>();
        for (Fixtures.TaskBuilder[] p : parts) all.addAll(List.of(p));
        return all;
    }

    @Test
    void theDrfPaperExample() {
        // 9 cpus, 18 GiB. Queue a's tasks ask <1 cpu, 4 GiB> (memory-heavy), queue b's <3 cpus, 1 GiB>.
        // Dominant shares after each step (a: memory, b: cpus), lowest goes next, ties by name:
        //   a1: a = 4/18 = .22           b1: b = 3/9 = .33
        //   a2: a = 8/18 = .44 (.22<.33) b2: b = 6/9 = .67 (.33<.44)
        //   a3: a = 12/18 = .67 (.44<.67)
        // then the cpus are used up (3 + 6 = 9): a holds 3 tasks, b 2, both at a dominant share of 2/3.
        var plan = cycle.plan(snapshot().queues(queue("a", 1), queue("b", 1))
                .agents(agent("big").cpus(9).memMb(18 * 1024).total(9, 18 * 1024))
                .pending(concat(tasks("a", 5, 1, 4096), tasks("b", 5, 3, 1024)).toArray(Fixtures.TaskBuilder[]::new))
                .build());

        assertThat(plan.placements()).extracting(Placement::taskId).containsExactly("a-0", "b-0", "a-1", "b-1", "a-2");
        assertThat(plan.queue("a")).get().satisfies(q -> assertThat(q.share()).isCloseTo(2 / 3.0, offset(1e-9)));
        assertThat(plan.queue("b")).get().satisfies(q -> assertThat(q.share()).isCloseTo(2 / 3.0, offset(1e-9)));
        assertThat(plan.reasonsFor("a-3")).extracting(PendingReason::code).containsExactly("insufficient.cpus");
    }

    @Test
    void weightsSplitTheClusterInProportion() {
        // 12 one-cpu slots, weights 1 : 2. Normalized shares are share/weight; each step serves the lower:
        // light gets its n-th task when n/12 <= heavy's m/12/2, so they end at 4 and 8 (4/12/1 = 8/12/2 = 1/3).
        var plan = cycle.plan(snapshot().queues(queue("light", 1), queue("heavy", 2))
                .agents(agent("a1").cpus(6).memMb(6144).total(6, 6144), agent("a2").cpus(6).memMb(6144).total(6, 6144))
                .pending(concat(tasks("light", 10, 1, 512), tasks("heavy", 10, 1, 512)).toArray(Fixtures.TaskBuilder[]::new))
                .build());

        assertThat(plan.placements()).filteredOn(p -> p.queue().equals("light")).hasSize(4);
        assertThat(plan.placements()).filteredOn(p -> p.queue().equals("heavy")).hasSize(8);
        assertThat(plan.queue("light").orElseThrow().fairShare()).isCloseTo(1 / 3.0, offset(1e-6));
        assertThat(plan.queue("heavy").orElseThrow().fairShare()).isCloseTo(2 / 3.0, offset(1e-6));
    }

    @Test
    void runningTasksCountTowardsTheShare() {
        // big already holds 4 of 8 cpus (share .5); small holds nothing: small is served until it catches up.
        var plan = cycle.plan(snapshot().queues(queue("big", 1), queue("small", 1))
                .agents(agent("a1").cpus(4).memMb(4096).total(8, 8192))
                .running(running("r1").queue("big").on("a1").cpus(4).memMb(4096))
                .pending(concat(tasks("big", 4, 1, 512), tasks("small", 4, 1, 512)).toArray(Fixtures.TaskBuilder[]::new))
                .build());

        assertThat(plan.placements()).extracting(Placement::queue).containsExactly("small", "small", "small", "small");
    }

    @Test
    void aQueueBelowItsGuaranteeGoesFirst() {
        // batch has weight 10 and would win every DRF comparison; etl is guaranteed 4 cpus and has demand,
        // so it is served first until it holds them. Then DRF: etl 4/6 / 1 = .67, batch 0 → batch takes the rest.
        var plan = cycle.plan(snapshot()
                .queues(queue("batch", 10), queue("etl", 1).withGuarantee(Resources.of(4, 0)))
                .agents(agent("a1").cpus(6).memMb(6144).total(6, 6144))
                .pending(concat(tasks("batch", 6, 1, 256), tasks("etl", 6, 1, 256)).toArray(Fixtures.TaskBuilder[]::new))
                .build());

        assertThat(plan.placements()).extracting(Placement::queue)
                .containsExactly("etl", "etl", "etl", "etl", "batch", "batch");
    }

    @Test
    void aQueueAtItsLimitGetsNothingMoreAndSaysSo() {
        // limit 3 cpus; 1 already runs, so two more 1-cpu tasks fit and the rest wait with queue.limit.
        var plan = cycle.plan(snapshot()
                .queues(queue("capped", 1).withLimit(new Resources(3, 1 << 20, 1 << 20, 0)))
                .agents(agent("a1").cpus(16).memMb(16384))
                .running(running("r1").queue("capped").on("a1").cpus(1).memMb(256))
                .pending(tasks("capped", 4, 1, 256))
                .build());

        assertThat(plan.placements()).hasSize(2);
        assertThat(plan.reasonsFor("capped-2")).containsExactly(PendingReason.of("queue.limit", DYNAMIC, 0,
                "queue capped is at its limit: holds 3 cpus, 768 memMb, 0 gpus of 3, 1048576, 0; the task asks 1 cpus, 256 memMb, 0 gpus"));
        assertThat(plan.offerOn("a1")).get().extracting(Offer::queue).as("no queue wants the rest").isNull();
    }

    @Test
    void aQueueAtMaxRunningGetsNothingMore() {
        var plan = cycle.plan(snapshot()
                .queues(queue("few", 1).withMaxRunning(2))
                .agents(agent("a1").cpus(16).memMb(16384))
                .running(running("r1").queue("few").on("a1").cpus(1))
                .pending(tasks("few", 3, 1, 256))
                .build());

        assertThat(plan.placements()).extracting(Placement::taskId).containsExactly("few-0");
        assertThat(plan.reasonsFor("few-1")).containsExactly(PendingReason.of("queue.max-running", DYNAMIC, 0,
                "queue few runs 2 tasks, its maxRunning"));
    }

    @Test
    void insideAQueuePriorityThenDeadlineThenAge() {
        var snapshot = snapshot().queues(queue("q", 1)).pending(
                task("old-low").queue("q").priority(1).queuedSecondsAgo(900),
                task("no-deadline").queue("q").priority(5).queuedSecondsAgo(800),
                task("late-deadline").queue("q").priority(5).deadline(NOW.plusSeconds(7200)).queuedSecondsAgo(10),
                task("early-deadline").queue("q").priority(5).deadline(NOW.plusSeconds(600)).queuedSecondsAgo(5),
                task("young-no-deadline").queue("q").priority(5).queuedSecondsAgo(1)).build();

        var sequence = DrfOrdering.INSTANCE.start(snapshot);
        List<String> order = new ArrayList<>();
        for (PendingTask t = sequence.next(); t != null; t = sequence.next()) order.add(t.taskId());

        assertThat(order).containsExactly("early-deadline", "late-deadline", "no-deadline", "young-no-deadline", "old-low");
    }

    @Test
    void aTaskOfAnUnknownQueueWaits() {
        var plan = cycle.plan(snapshot().agents(agent("a1").cpus(4)).pending(task("t").queue("nope").cpus(1)).build());

        assertThat(plan.reasonsFor("t")).containsExactly(PendingReason.of("queue.unknown", DYNAMIC, 0, "queue 'nope' does not exist"));
    }

    @Test
    void fairSharesFillLikeWater() {
        // weights 1:2:3, all wanting everything: level L = 1/6, shares L, 2L, 3L.
        assertThat(Drf.fairShares(new double[]{1, 2, 3}, new double[]{1, 1, 1}, new double[]{0, 0, 0}))
                .containsExactly(new double[]{1 / 6.0, 2 / 6.0, 3 / 6.0}, offset(1e-9));
        // the third wants only .1: the other two split the remaining .9 as 1:2.
        assertThat(Drf.fairShares(new double[]{1, 2, 3}, new double[]{1, 1, .1}, new double[]{0, 0, 0}))
                .containsExactly(new double[]{.3, .6, .1}, offset(1e-9));
        // a guarantee of .5 for the first lifts it above its weighted level (.5/(2+3)… → the others share .5 as 2:3).
        assertThat(Drf.fairShares(new double[]{1, 2, 3}, new double[]{1, 1, 1}, new double[]{.5, 0, 0}))
                .containsExactly(new double[]{.5, .2, .3}, offset(1e-9));
        // everything fits: everyone gets its demand.
        assertThat(Drf.fairShares(new double[]{1, 1}, new double[]{.2, .3}, new double[]{0, 0}))
                .containsExactly(new double[]{.2, .3}, offset(1e-9));
    }

    @Test
    void etaFollowsTheQueuesFinishRate() {
        // 6 tasks finish per minute in q: the first waiting task is expected in 10 s, the second in 20 s.
        var plan = cycle.plan(snapshot().queues(queue("q", 1)).finishRate("q", 6)
                .agents(agent("a1").cpus(1).memMb(1024))
                .pending(tasks("q", 3, 1, 256)).build());

        assertThat(plan.etas()).containsEntry("q-1", NOW.plusSeconds(10)).containsEntry("q-2", NOW.plusSeconds(20))
                .doesNotContainKey("q-0");
    }
}
