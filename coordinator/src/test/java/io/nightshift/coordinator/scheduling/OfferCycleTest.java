package io.nightshift.coordinator.scheduling;

import static io.nightshift.api.model.PendingReason.Kind.DYNAMIC;
import static io.nightshift.api.model.PendingReason.Kind.STATIC;
import io.nightshift.api.Resources;
import io.nightshift.api.model.PendingReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static io.nightshift.coordinator.scheduling.Fixtures.NOW;
import static io.nightshift.coordinator.scheduling.Fixtures.agent;
import static io.nightshift.coordinator.scheduling.Fixtures.snapshot;
import static io.nightshift.coordinator.scheduling.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OfferCycleTest {

    private final OfferCycle cycle = new OfferCycle(OfferPolicy.defaults());

    // --- placement -------------------------------------------------------------------------------

    @Test
    void packsThreeSmallTasksOntoOneAgentBeforeOpeningAnother() {
        var plan = cycle.plan(snapshot()
                .agents(agent("a1").cpus(4).memMb(4096), agent("a2").cpus(4).memMb(4096))
                .pending(task("t1").cpus(1).memMb(1024), task("t2").cpus(1).memMb(1024), task("t3").cpus(1).memMb(1024))
                .build());

        assertThat(plan.placements()).extracting(Placement::agentId).containsExactly("a1", "a1", "a1");
        assertThat(plan.offerOn("a2")).get().extracting(Offer::resources).isEqualTo(new Resources(4, 4096, 0, 0));
    }

    @Test
    void opensTheNextAgentOnlyWhenTheFirstIsFull() {
        var plan = cycle.plan(snapshot()
                .agents(agent("a1").cpus(2).memMb(2048), agent("a2").cpus(2).memMb(2048))
                .pending(task("t1").cpus(1).memMb(1024), task("t2").cpus(1).memMb(1024), task("t3").cpus(1).memMb(1024))
                .build());

        assertThat(plan.placements()).extracting(Placement::agentId).containsExactly("a1", "a1", "a2");
    }

    @Test
    void prefersTheAgentTheTaskFillsBest() {
        // a1 is a big machine with little left; a2 is a small idle one. Remaining after a 1-cpu task,
        // as a share of each agent's total: a1 (2-1)/16 + (2048-1024)/65536 ≈ 0.08; a2 (4-1)/4 + 3072/4096 = 1.5.
        var plan = cycle.plan(snapshot()
                .agents(agent("a1").cpus(2).memMb(2048).total(16, 65536), agent("a2").cpus(4).memMb(4096).total(4, 4096))
                .pending(task("t1").cpus(1).memMb(1024))
                .build());

        assertThat(plan.placementOf("t1")).get().extracting(Placement::agentId).isEqualTo("a1");
    }

    @Test
    void equalFitsAreBrokenByAgentId() {
        var plan = cycle.plan(snapshot()
                .agents(agent("b").cpus(4).memMb(4096), agent("a").cpus(4).memMb(4096), agent("c").cpus(4).memMb(4096))
                .pending(task("t1").cpus(1).memMb(512))
                .build());

        assertThat(plan.placementOf("t1")).get().extracting(Placement::agentId).isEqualTo("a");
    }

    @Test
    void keepsGpuAgentsForGpuTasksWhenThereIsAChoice() {
        var plan = cycle.plan(snapshot()
                .agents(agent("a-gpu").cpus(8).memMb(8192).gpus(2), agent("b-cpu").cpus(8).memMb(8192))
                .pending(task("cpu-only").cpus(1).memMb(1024), task("needs-gpu").cpus(1).memMb(1024).gpus(1))
                .build());

        assertThat(plan.placementOf("cpu-only")).get().extracting(Placement::agentId).isEqualTo("b-cpu");
        assertThat(plan.placementOf("needs-gpu")).get().extracting(Placement::agentId).isEqualTo("a-gpu");
    }

    @Test
    void neverOvercommitsAnAgent() {
        var plan = cycle.plan(snapshot()
                .agents(agent("a1").cpus(4).memMb(8192))
                .pending(task("t1").cpus(2).memMb(1024), task("t2").cpus(2).memMb(1024), task("t3").cpus(2).memMb(1024))
                .build());

        assertThat(plan.placements()).extracting(Placement::taskId).containsExactly("t1", "t2");
        assertThat(plan.reasonsFor("t3")).containsExactly(
                PendingReason.shortOf("insufficient.cpus", DYNAMIC, 1, "cpus", 2, 0, "1 agent too small now (free cpus 0 of 2 asked)"));
    }

    @Test
    void placementNamesTheOfferItTakesFrom() {
        var plan = cycle.plan(snapshot().cycle(42)
                .agents(agent("a1").cpus(4).memMb(4096))
                .pending(task("t1").job("nightly-etl").cpus(1).memMb(1024))
                .build());

        assertThat(plan.placements()).containsExactly(
                new Placement("t1", "nightly-etl", "a1", "o-42-a1", new Resources(1, 1024, 0, 0)));
    }

    // --- order -----------------------------------------------------------------------------------

    @Test
    void higherPriorityPlacedFirstThenOlder() {
        // Room for two of the four tasks: the two high-priority ones, older first.
        var plan = cycle.plan(snapshot()
                .agents(agent("a1").cpus(2).memMb(2048))
                .pending(
                        task("low-oldest").priority(1).queuedSecondsAgo(3600).cpus(1).memMb(1024),
                        task("high-newer").priority(5).queuedSecondsAgo(10).cpus(1).memMb(1024),
                        task("high-older").priority(5).queuedSecondsAgo(20).cpus(1).memMb(1024),
                        task("low-newer").priority(1).queuedSecondsAgo(5).cpus(1).memMb(1024))
                .build());

        assertThat(plan.placements()).extracting(Placement::taskId).containsExactly("high-older", "high-newer");
        assertThat(plan.pendingReasons().keySet()).containsExactly("low-oldest", "low-newer");
    }

    @Test
    void sameAgeAndPriorityIsOrderedByTaskId() {
        var plan = cycle.plan(snapshot()
                .agents(agent("a1").cpus(8).memMb(8192))
                .pending(task("t-c").cpus(1), task("t-a").cpus(1), task("t-b").cpus(1))
                .build());

        assertThat(plan.placements()).extracting(Placement::taskId).containsExactly("t-a", "t-b", "t-c");
    }

    // --- why a task waits ------------------------------------------------------------------------

    @Test
    void taskThatFitsNowhereSaysWhyWithLargestFree() {
        var plan = cycle.plan(snapshot()
                .agents(agent("a1").cpus(2).memMb(4096), agent("a2").cpus(1).memMb(4096), agent("a3").cpus(2).memMb(16384))
                .pending(task("huge").cpus(64).memMb(8192))
                .build());

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.reasonsFor("huge")).containsExactly(
                PendingReason.shortOf("insufficient.cpus", DYNAMIC, 3, "cpus", 64, 2, "3 agents too small now (free cpus 2 of 64 asked)"),
                PendingReason.shortOf("insufficient.memMb", DYNAMIC, 2, "memMb", 8192, 4096, "2 agents too small now (free memMb 4096 of 8192 asked)"));
    }

    @Test
    void saysWhenNoAgentCouldFitTheTaskEvenWhenIdle() {
        var plan = cycle.plan(snapshot()
                .agents(agent("a1").cpus(2).memMb(4096).total(16, 65536), agent("a2").cpus(1).memMb(4096).total(64, 65536))
                .pending(task("huge").cpus(32).memMb(1024))
                .build());

        assertThat(plan.reasonsFor("huge")).containsExactly(PendingReason.shortOf("insufficient.cpus", DYNAMIC, 2, "cpus", 32, 2, "2 agents too small now (free cpus 2 of 32 asked); 1 of them never (largest total 16); 1 agent could hold it when idle"));
    }

    @Test
    void aTaskNoAgentCouldEverHoldSaysSoWithTheLargestAgent() {
        var plan = cycle.plan(snapshot()
                .agents(agent("a1").cpus(2).memMb(4096).total(4, 8192), agent("a2").cpus(4).memMb(8192).total(4, 8192))
                .pending(task("wide").cpus(8).memMb(1024))
                .build());

        assertThat(plan.reasonsFor("wide")).containsExactly(
                PendingReason.of("unschedulable", STATIC, 2, "none of the 2 agents can ever hold this task; it waits until an "
                        + "agent that can registers"),
                PendingReason.shortOf("insufficient.cpus", STATIC, 2, "cpus", 8, 4, "asks 8 cpus; the largest agent has 4 in total"));
    }

    @Test
    void aTaskTooBigForSomeAgentsInTotalCountsThem() {
        var plan = cycle.plan(snapshot()
                .agents(agent("a1").cpus(1).memMb(4096).total(4, 8192), agent("a2").cpus(16).memMb(8192).total(16, 8192)
                        .attribute("rack", "r9"))
                .pending(task("wide").cpus(8).memMb(1024).constraint(io.nightshift.api.spec.Constraint.like("rack", "r1")))
                .build());

        assertThat(plan.reasonsFor("wide")).containsExactly(
                PendingReason.of("unschedulable", STATIC, 2, "none of the 2 agents can ever hold this task; it waits until an "
                        + "agent that can registers"),
                PendingReason.of("constraint.attribute", STATIC, 1, "the agent has no attribute 'rack'"),
                PendingReason.of("constraint.like", STATIC, 1, "rack LIKE \"r1\": the agent's value does not match"),
                PendingReason.shortOf("insufficient.cpus", STATIC, 1, "cpus", 8, 1, "asks 8 cpus; 1 agent has less in total (the largest 4)"));
    }

    @Test
    void aTaskUnplacedPastItsPendingTimeoutIsListedUnschedulableWithItsReasons() {
        // queued 60 s ago: a 30 s timeout has passed, a 2 min one has not, and a placed task is never listed
        var plan = cycle.plan(snapshot()
                .agents(agent("a1").cpus(1).memMb(1024).total(1, 1024))
                .pending(task("small").cpus(1).memMb(64).pendingTimeout(Duration.ofSeconds(30)),
                        task("late").cpus(2).memMb(64).pendingTimeout(Duration.ofSeconds(30)),
                        task("patient").cpus(2).memMb(64).queuedSecondsAgo(60).pendingTimeout(Duration.ofMinutes(2)),
                        task("forever").cpus(2).memMb(64))
                .build());

        assertThat(plan.placementOf("small")).isPresent();
        assertThat(plan.unschedulable()).containsOnlyKeys("late");
        assertThat(plan.unschedulable().get("late")).first().isEqualTo(PendingReason.of("pending.timeout", STATIC, 0,
                "waited unplaced for 30s, its pendingTimeout; the job ends UNSCHEDULABLE"));
        assertThat(plan.unschedulable().get("late")).hasSize(1 + plan.reasonsFor("late").size())
                .endsWith(plan.reasonsFor("late").toArray(new PendingReason[0]));
        assertThat(plan.nextWakeUp()).as("the patient task's timeout").isEqualTo(NOW.plusSeconds(60));
    }

    @Test
    void taskCrowdedOutByHigherPriorityWorkIsToldWhatIsLeft() {
        var plan = cycle.plan(snapshot()
                .agents(agent("a1").cpus(4).memMb(4096).total(4, 4096))
                .pending(task("urgent").priority(9).cpus(3).memMb(1024), task("later").priority(1).cpus(2).memMb(1024))
                .build());

        assertThat(plan.placementOf("urgent")).isPresent();
        assertThat(plan.reasonsFor("later")).containsExactly(
                PendingReason.shortOf("insufficient.cpus", DYNAMIC, 1, "cpus", 2, 1, "1 agent too small now (free cpus 1 of 2 asked); 1 agent could hold it when idle"));
    }

    @Test
    void noAgentsGivesNoAgentsReason() {
        var plan = cycle.plan(snapshot().pending(task("t1").cpus(1)).build());

        assertThat(plan.reasonsFor("t1")).containsExactly(PendingReason.of("no.agents", DYNAMIC, 0, "no agent is registered"));
        assertThat(plan.offers()).isEmpty();
    }

    @Test
    void agentWithNothingFreeIsNotOfferedAndSaysSo() {
        // A task asking for nothing still needs an offer to land on.
        var plan = cycle.plan(snapshot()
                .agents(agent("busy").cpus(0).memMb(0))
                .pending(task("t0"))
                .build());

        assertThat(plan.offers()).isEmpty();
        assertThat(plan.reasonsFor("t0")).containsExactly(
                PendingReason.of("no.offer", DYNAMIC, 1, "the agent has no free resources to offer"));
    }

    // --- back-off --------------------------------------------------------------------------------

    @Test
    void tasksInBackoffWaitAndSetNextWakeUp() {
        Instant soon = NOW.plusSeconds(30);
        Instant later = NOW.plusSeconds(300);
        var plan = cycle.plan(snapshot()
                .agents(agent("a1").cpus(8).memMb(8192))
                .pending(
                        task("retry-later").cpus(1).notBefore(later),
                        task("retry-soon").cpus(1).notBefore(soon),
                        task("retry-due").cpus(1).notBefore(NOW),
                        task("fresh").cpus(1))
                .build());

        assertThat(plan.placements()).extracting(Placement::taskId).containsExactlyInAnyOrder("retry-due", "fresh");
        assertThat(plan.reasonsFor("retry-soon")).containsExactly(
                PendingReason.of("backoff", DYNAMIC, 0, "retry back-off until 2026-03-01T22:00:30Z"));
        assertThat(plan.reasonsFor("retry-later")).extracting(PendingReason::code).containsExactly("backoff");
        assertThat(plan.nextWakeUp()).isEqualTo(soon);
    }

    @Test
    void nothingInBackoffMeansNoWakeUp() {
        var plan = cycle.plan(snapshot().agents(agent("a1").cpus(1)).pending(task("t1").cpus(1)).build());

        assertThat(plan.nextWakeUp()).isNull();
    }

    // --- offers ----------------------------------------------------------------------------------

    @Test
    void leftoverOfferStaysOutstandingWithRemainder() {
        var plan = new OfferCycle(new OfferPolicy(Duration.ofSeconds(45))).plan(snapshot().cycle(3)
                .agents(agent("a1").cpus(4).memMb(4096).diskMb(100))
                .pending(task("t1").cpus(1.5).memMb(1024).diskMb(100))
                .build());

        assertThat(plan.offers()).containsExactly(
                new Offer("o-3-a1", "a1", new Resources(2.5, 3072, 0, 0), NOW, NOW.plusSeconds(45)));
    }

    @Test
    void usedUpOfferAndIdleFreeAgentAreNotOutstanding() {
        var plan = cycle.plan(snapshot()
                .agents(agent("full").cpus(2).memMb(2048), agent("nothing-free"), agent("idle").cpus(1).memMb(512))
                .pending(task("t1").cpus(2).memMb(2048))
                .build());

        assertThat(plan.placementOf("t1")).get().extracting(Placement::agentId).isEqualTo("full");
        assertThat(plan.offers()).extracting(Offer::id).containsExactly("o-7-idle");
    }

    @Test
    void offersDefaultToThirtySeconds() {
        var plan = cycle.plan(snapshot().agents(agent("a1").cpus(1)).build());

        assertThat(plan.offers()).singleElement().satisfies(o -> {
            assertThat(o.createdAt()).isEqualTo(NOW);
            assertThat(o.expiresAt()).isEqualTo(NOW.plusSeconds(30));
        });
    }

    @Test
    void fractionalCpusLeaveAReadableRemainder() {
        var plan = cycle.plan(snapshot()
                .agents(agent("a1").cpus(1))
                .pending(task("t1").cpus(0.1), task("t2").cpus(0.2), task("t3").cpus(0.4))
                .build());

        assertThat(plan.offerOn("a1")).get().extracting(o -> o.resources().cpus()).isEqualTo(0.3);
    }

    // --- determinism and extension ---------------------------------------------------------------

    @Test
    void isDeterministic() {
        var random = new Random(11);
        List<AgentSlot> agents = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            agents.add(agent("a" + i).cpus(1 + random.nextInt(8)).memMb(1024L * (1 + random.nextInt(8))).build());
        }
        List<PendingTask> tasks = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            tasks.add(task("t" + i).priority(random.nextInt(3)).queuedSecondsAgo(random.nextInt(5))
                    .cpus(0.5 * (1 + random.nextInt(6))).memMb(256L * (1 + random.nextInt(12))).build());
        }
        var first = cycle.plan(snapshot().agents(agents).pending(tasks).build());

        Collections.shuffle(agents, random);
        Collections.shuffle(tasks, random);
        var again = new OfferCycle(OfferPolicy.defaults()).plan(snapshot().agents(agents).pending(tasks).build());

        assertThat(again).isEqualTo(first);
        assertThat(first.placements()).isNotEmpty();
        assertThat(first.pendingReasons()).isNotEmpty();
    }

    @Test
    void extraFiltersVetoAgentsAndTheirVetoesAreSummarized() {
        SchedulingFilter notOnRack1 = (task, agent, ledger) -> "r1".equals(ledger.agent(agent).attributes().get("rack"))
                ? List.of(Veto.filter(Veto.Kind.STATIC, "rack r1 is excluded"))
                : List.of();
        var cycleWithConstraint = new OfferCycle(OfferPolicy.defaults(), OrderingPolicy.priorityThenAge(),
                List.of(ResourceFilter.INSTANCE, notOnRack1));

        var plan = cycleWithConstraint.plan(snapshot()
                .agents(agent("a1").cpus(4).attribute("rack", "r1"), agent("a2").cpus(4).attribute("rack", "r1"),
                        agent("a3").cpus(1).attribute("rack", "r2"))
                .pending(task("fits-r2").cpus(1), task("too-big-for-r2").cpus(2))
                .build());

        assertThat(plan.placementOf("fits-r2")).get().extracting(Placement::agentId).isEqualTo("a3");
        assertThat(plan.reasonsFor("too-big-for-r2")).containsExactly(
                PendingReason.of("filter", STATIC, 2, "rack r1 is excluded (2 agents)"),
                PendingReason.shortOf("insufficient.cpus", DYNAMIC, 1, "cpus", 2, 0, "1 agent too small now (free cpus 0 of 2 asked)"));
    }

    @Test
    void orderingPolicyHearsOfEveryPlacement() {
        List<String> heard = new ArrayList<>();
        OrderingPolicy recording = snapshot -> {
            var inner = OrderingPolicy.priorityThenAge().start(snapshot);
            return new OrderingPolicy.Sequence() {
                @Override public PendingTask next() { return inner.next(); }
                @Override public void placed(Placement p) { heard.add(p.taskId()); }
            };
        };
        new OfferCycle(OfferPolicy.defaults(), recording, List.of(ResourceFilter.INSTANCE)).plan(snapshot()
                .agents(agent("a1").cpus(2))
                .pending(task("t1").cpus(1), task("t2").cpus(1), task("t3").cpus(1))
                .build());

        assertThat(heard).containsExactly("t1", "t2");
    }

    // --- inputs ----------------------------------------------------------------------------------

    @Test
    void snapshotRejectsDuplicateIds() {
        assertThatThrownBy(() -> snapshot().agents(agent("a1").cpus(1), agent("a1").cpus(2)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agent 'a1' appears twice");
        assertThatThrownBy(() -> snapshot().pending(task("t1"), task("t1")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("task 't1' appears twice");
    }

    @Test
    void offerTtlMustBePositive() {
        assertThatThrownBy(() -> new OfferPolicy(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThat(OfferPolicy.defaults().offerTtl()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void insufficientIsStaticOnlyWhenTheAgentIsTooSmallInTotal() {
        assertThat(Veto.insufficient("cpus", 64, 2).kind()).isEqualTo(Veto.Kind.DYNAMIC);
        assertThat(Veto.insufficient("cpus", 8, 2, 16).kind()).isEqualTo(Veto.Kind.DYNAMIC);
        assertThat(Veto.insufficient("cpus", 64, 2, 16)).isEqualTo(
                new Veto(VetoCode.INSUFFICIENT_CPUS, Veto.Kind.STATIC, "cpus", 64, 2, "asks 64 cpus; 2 free"));
        assertThat(VetoCode.INSUFFICIENT_CPUS.wire()).isEqualTo("insufficient.cpus");
    }

    @Test
    void vetoCodesAreOneClosedSetWithDistinctWireCodes() {
        assertThat(java.util.Arrays.stream(VetoCode.values()).map(VetoCode::wire).distinct().count())
                .isEqualTo(VetoCode.values().length);
        assertThatThrownBy(() -> new Veto(VetoCode.INSUFFICIENT_CPUS, Veto.Kind.STATIC, "memMb", 1, 0, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Veto(VetoCode.BACKOFF, Veto.Kind.DYNAMIC, "cpus", 1, 0, "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resourceFilterVetoesEachShortDimension() {
        var ledger = new Ledger(snapshot().agents(agent("a1").cpus(2).memMb(4096).diskMb(100)
                .total(new Resources(8, 8192, 100, 0))).build());
        var task = task("t1").cpus(4).memMb(16384).diskMb(50).gpus(1).build();

        assertThat(ResourceFilter.INSTANCE.filter(task, 0, ledger)).containsExactly(
                new Veto(VetoCode.INSUFFICIENT_CPUS, Veto.Kind.DYNAMIC, "cpus", 4, 2, "asks 4 cpus; 2 free"),
                new Veto(VetoCode.INSUFFICIENT_MEM, Veto.Kind.STATIC, "memMb", 16384, 4096, "asks 16384 memMb; 4096 free"),
                new Veto(VetoCode.INSUFFICIENT_GPUS, Veto.Kind.STATIC, "gpus", 1, 0, "asks 1 gpus; 0 free"));
        assertThat(ResourceFilter.INSTANCE.check(task, 0, ledger)).isEqualTo(Veto.Kind.STATIC);
        assertThat(ResourceFilter.INSTANCE.check(task("t2").cpus(4).memMb(1).build(), 0, ledger)).isEqualTo(Veto.Kind.DYNAMIC);
        assertThat(ResourceFilter.INSTANCE.filter(task("t3").cpus(2).memMb(4096).diskMb(100).build(), 0, ledger)).isEmpty();
        assertThat(ResourceFilter.INSTANCE.check(task("t3").cpus(2).memMb(4096).diskMb(100).build(), 0, ledger)).isNull();
    }
}
