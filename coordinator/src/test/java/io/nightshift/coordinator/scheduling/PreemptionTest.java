package io.nightshift.coordinator.scheduling;

import static io.nightshift.api.model.PendingReason.Kind.DYNAMIC;
import io.nightshift.api.model.PendingReason;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static io.nightshift.coordinator.scheduling.Fixtures.agent;
import static io.nightshift.coordinator.scheduling.Fixtures.queue;
import static io.nightshift.coordinator.scheduling.Fixtures.running;
import static io.nightshift.coordinator.scheduling.Fixtures.snapshot;
import static io.nightshift.coordinator.scheduling.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;

/** Who gets preempted, for whom, and when not. */
class PreemptionTest {

    private final OfferCycle cycle = new OfferCycle(SchedulingPolicy.defaults());

    /** One 8-cpu agent filled by queue hog: h0..h7, 1 cpu each; h0-h3 priority 5, h4-h7 priority 0; hN started N min ago. */
    private static Fixtures.SnapshotBuilder hogged() {
        return snapshot().queues(queue("hog", 1), queue("starved", 1))
                .agents(agent("a1").cpus(0).memMb(0).total(8, 8192))
                .running(IntStream.range(0, 8).mapToObj(i -> running("h" + i).job("hog-job").queue("hog").on("a1").cpus(1)
                        .memMb(1024).priority(i < 4 ? 5 : 0).startedSecondsAgo(60L * (i + 1)))
                        .toArray(Fixtures.RunningBuilder[]::new));
    }

    @Test
    void aQueueBelowItsFairSharePreemptsTheLowestPriorityYoungestTasksOfAQueueAboveIt() {
        // Fair shares: hog wants 8/8 = 1, starved 2/8 = .25; water-filling at weights 1:1 gives starved .25 and hog .75.
        // hog holds 1.0 > .75, starved 0 < .25: starved's 2-cpu task may take 2 cpus from hog. Victims: priority 0
        // first (h4-h7), youngest first (h4, then h5); two are enough, so no more.
        var plan = cycle.plan(hogged().pending(task("s1").queue("starved").cpus(2).memMb(1024)).build());

        assertThat(plan.preemptions()).extracting(Preemption::taskId).containsExactly("h4", "h5");
        assertThat(plan.preemptions()).allSatisfy(p -> {
            assertThat(p.code()).isEqualTo("preempted.fair-share");
            assertThat(p.forTaskId()).isEqualTo("s1");
            assertThat(p.agentId()).isEqualTo("a1");
            assertThat(p.reason()).isEqualTo("queue starved is below its fair share (0% < 25%); queue hog is above its own (100% > 75%)");
        });
        assertThat(plan.reasonsFor("s1")).first().isEqualTo(PendingReason.of("preemption.pending", DYNAMIC, 0,
                "preempting 2 tasks on agent a1; placed once they exit"));
    }

    @Test
    void aRunThatUsedItsPreemptionBudgetIsSpared() {
        var plan = cycle.plan(hogged()
                .running(running("spent").job("spent-job").queue("hog").on("a1").cpus(0).priority(-10).preemptions(3))
                .pending(task("s1").queue("starved").cpus(1).memMb(1024)).build());

        assertThat(plan.preemptions()).extracting(Preemption::taskId).containsExactly("h4");
    }

    @Test
    void tasksAlreadyExitingAreWaitedForNotPreemptedAgain() {
        var plan = cycle.plan(snapshot().queues(queue("hog", 1), queue("starved", 1))
                .agents(agent("a1").cpus(0).memMb(0).total(8, 8192))
                .running(running("h0").queue("hog").on("a1").cpus(4).memMb(4096).terminating(),
                        running("h1").queue("hog").on("a1").cpus(4).memMb(4096))
                .pending(task("s1").queue("starved").cpus(2).memMb(1024)).build());

        assertThat(plan.preemptions()).isEmpty();
        assertThat(plan.reasonsFor("s1")).first().isEqualTo(PendingReason.of("preemption.pending", DYNAMIC, 0,
                "waiting for preempted tasks to exit on agent a1"));
    }

    @Test
    void noPreemptionBetweenQueuesAtTheirFairShare() {
        // Each queue holds 4 of 8 cpus = its fair share .5; b's pending task must wait for capacity, not preempt.
        var plan = cycle.plan(snapshot().queues(queue("a", 1), queue("b", 1))
                .agents(agent("a1").cpus(0).memMb(0).total(8, 8192))
                .running(running("a0").queue("a").on("a1").cpus(4).memMb(1024),
                        running("b0").queue("b").on("a1").cpus(4).memMb(1024))
                .pending(task("b1").queue("b").cpus(1).memMb(128)).build());

        assertThat(plan.preemptions()).isEmpty();
        assertThat(plan.reasonsFor("b1")).extracting(PendingReason::code).containsExactly("insufficient.cpus", "insufficient.memMb");
    }

    @Test
    void preemptionStopsBeforeTheVictimQueueDropsBelowThePreemptor() {
        // a holds 5 of 8 (.625), b 3 (.375); b's pending 2-cpu task: fair shares a .5, b .625 capped by demand... b
        // after taking 2 would hold 5/8 = .625 while a would drop to 3/8 = .375 < .625: a swap that only
        // reverses the imbalance is refused.
        var plan = cycle.plan(snapshot().queues(queue("a", 1), queue("b", 1))
                .agents(agent("a1").cpus(0).memMb(0).total(8, 8192))
                .running(running("a0").queue("a").on("a1").cpus(5).memMb(1024),
                        running("b0").queue("b").on("a1").cpus(3).memMb(1024))
                .pending(task("b1").queue("b").cpus(2).memMb(128)).build());

        assertThat(plan.preemptions()).isEmpty();
    }

    @Test
    void aHigherPriorityTaskPreemptsLowerPriorityWorkOfAQueueAboveItsFairShare() {
        // blocked wants 2 cpus (fair share .25, so hog's is .75 and hog at 1.0 is above it) but can run
        // nowhere (its constraint matches no agent), so it preempts nothing. hog's own urgent task may then
        // displace hog's priority-0 work: lowest priority, youngest first.
        var plan = cycle.plan(hogged().queues(queue("blocked", 1))
                .pending(task("urgent").queue("hog").priority(100).cpus(1).memMb(1024),
                        task("b1").queue("blocked").cpus(2).memMb(1024)
                                .constraint(io.nightshift.api.spec.Constraint.like("os", "plan9")))
                .build());

        assertThat(plan.preemptions()).singleElement().satisfies(p -> {
            assertThat(p.taskId()).isEqualTo("h4");
            assertThat(p.forTaskId()).isEqualTo("urgent");
            assertThat(p.code()).isEqualTo("preempted.priority");
        });
    }

    @Test
    void preemptionCanBeTurnedOff() {
        var plan = new OfferCycle(SchedulingPolicy.defaults().withPreemption(false))
                .plan(hogged().pending(task("s1").queue("starved").cpus(2).memMb(1024)).build());

        assertThat(plan.preemptions()).isEmpty();
    }
}
