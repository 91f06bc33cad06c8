package io.nightshift.coordinator.scheduling;

import static io.nightshift.api.model.PendingReason.Kind.DYNAMIC;
import static io.nightshift.api.model.PendingReason.Kind.STATIC;
import io.nightshift.api.model.PendingReason;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static io.nightshift.coordinator.scheduling.Fixtures.agent;
import static io.nightshift.coordinator.scheduling.Fixtures.snapshot;
import static io.nightshift.coordinator.scheduling.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;

/** The placement stack: one ordered list of checks for placing and for explaining, with shape caches. */
class PlacementStackTest {

    /** Vetoes agents whose id is listed, STATIC, and counts how often it was asked about each agent. */
    private static final class CountingVeto implements SchedulingFilter {
        final List<String> vetoed;
        final Map<String, Integer> checks = new HashMap<>();
        int explains;

        CountingVeto(String... vetoed) {
            this.vetoed = List.of(vetoed);
        }

        @Override
        public Veto.Kind check(PendingTask task, int agent, Ledger ledger) {
            checks.merge(ledger.agent(agent).agentId(), 1, Integer::sum);
            return vetoed.contains(ledger.agent(agent).agentId()) ? Veto.Kind.STATIC : null;
        }

        @Override
        public List<Veto> filter(PendingTask task, int agent, Ledger ledger) {
            return vetoed.contains(ledger.agent(agent).agentId())
                    ? List.of(Veto.filter(Veto.Kind.STATIC, "agent " + ledger.agent(agent).agentId() + " is drained"))
                    : List.of();
        }

        @Override
        public void explain(PendingTask task, int agent, Ledger ledger, VetoSink sink) {
            explains++;
            SchedulingFilter.super.explain(task, agent, ledger, sink);
        }
    }

    @Test
    void tasksOfOneShapeAreExplainedOnceWhateverFiltersAreInstalled() {
        var drained = new CountingVeto("a1", "a2");
        var cycle = new OfferCycle(SchedulingPolicy.defaults(), DrfOrdering.INSTANCE, List.of(drained));
        var tasks = IntStream.range(0, 200).mapToObj(i -> task("t" + i).cpus(1).memMb(64)).toArray(Fixtures.TaskBuilder[]::new);

        var plan = cycle.plan(snapshot().agents(agent("a1").cpus(8).memMb(8192), agent("a2").cpus(8).memMb(8192),
                agent("a3").cpus(2).memMb(8192)).pending(tasks).build());

        assertThat(plan.placements()).hasSize(2).extracting(Placement::agentId).containsOnly("a3");
        assertThat(plan.pendingReasons()).hasSize(198);
        assertThat(drained.explains).as("one explanation over the 3 agents, shared by 198 tasks").isEqualTo(3);
        assertThat(plan.reasonsFor("t199")).containsExactly(
                PendingReason.of("filter", STATIC, 1, "agent a1 is drained"),
                PendingReason.of("filter", STATIC, 1, "agent a2 is drained"),
                PendingReason.shortOf("insufficient.cpus", DYNAMIC, 1, "cpus", 1, 0, "1 agent too small now (free cpus 0 of 1 asked)"));
    }

    @Test
    void runsWithTheSameLikeConstraintShareOneShapeButCountingConstraintsKeepOnePerRun() {
        // LIKE does not depend on what a run placed: 50 jobs of one size and the same LIKE are one explanation.
        // UNIQUE counts per run: each of its 3 jobs is explained on its own.
        var drained = new CountingVeto("a1");
        var cycle = new OfferCycle(SchedulingPolicy.defaults(), DrfOrdering.INSTANCE, List.of(drained));
        var like = IntStream.range(0, 50).mapToObj(i -> task("like" + i).job("like" + i).run("like" + i + ".r1", 1).cpus(4).memMb(64)
                .constraint(io.nightshift.api.spec.Constraint.like("rack", "r.*"))).toArray(Fixtures.TaskBuilder[]::new);

        var plan = cycle.plan(snapshot().agents(agent("a1").cpus(8).memMb(8192).attribute("rack", "r1"),
                agent("a2").cpus(2).memMb(8192).attribute("rack", "r2")).pending(like).build());

        assertThat(plan.placements()).isEmpty();
        assertThat(drained.explains).as("one explanation over the 2 agents for the 50 jobs").isEqualTo(2);
        assertThat(plan.reasonsFor("like49")).isEqualTo(plan.reasonsFor("like0"));

        var perRun = new CountingVeto("a1");
        var unique = IntStream.range(0, 3).mapToObj(i -> task("u" + i).job("u" + i).run("u" + i + ".r1", 1).cpus(4).memMb(64)
                .constraint(io.nightshift.api.spec.Constraint.unique("hostname"))).toArray(Fixtures.TaskBuilder[]::new);
        new OfferCycle(SchedulingPolicy.defaults(), DrfOrdering.INSTANCE, List.of(perRun)).plan(snapshot()
                .agents(agent("a1").cpus(8).memMb(8192), agent("a2").cpus(2).memMb(8192)).pending(unique).build());
        assertThat(perRun.explains).as("one explanation per run over the 2 agents").isEqualTo(6);
    }

    @Test
    void placementAndExplanationWalkTheSameChecks() {
        // a3 has room but a filter vetoes it: the task is not placed there, and the reason names the filter,
        // not the resources (which the index would have allowed)
        var drained = new CountingVeto("a3");
        var cycle = new OfferCycle(SchedulingPolicy.defaults(), DrfOrdering.INSTANCE, List.of(drained));

        var plan = cycle.plan(snapshot().agents(agent("a1").cpus(1).memMb(1024), agent("a3").cpus(8).memMb(8192))
                .pending(task("t").cpus(4).memMb(64)).build());

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.reasonsFor("t")).containsExactly(
                PendingReason.of("filter", STATIC, 1, "agent a3 is drained"),
                PendingReason.shortOf("insufficient.cpus", DYNAMIC, 1, "cpus", 4, 1, "1 agent too small now (free cpus 1 of 4 asked)"));
    }

    @Test
    void aStaticVetoIsRememberedForTheShapeEvenWhenAGangRollsBack() {
        // two gangs of the same shape, neither fits whole; each roll-back frees resources and forgets the
        // dynamic caches, but the drained agent is asked about once per cycle only
        var drained = new CountingVeto("a1");
        var cycle = new OfferCycle(SchedulingPolicy.defaults(), DrfOrdering.INSTANCE, List.of(drained));
        List<Fixtures.TaskBuilder> pending = new ArrayList<>();
        for (String g : List.of("g1", "g2")) {
            for (int i = 0; i < 3; i++) pending.add(task(g + "." + i).job(g).gang(g, 3).cpus(2).memMb(64));
        }

        var plan = cycle.plan(snapshot().agents(agent("a1").cpus(8).memMb(8192), agent("a2").cpus(2).memMb(8192),
                agent("a3").cpus(2).memMb(8192)).pending(pending.toArray(Fixtures.TaskBuilder[]::new)).build());

        assertThat(plan.placements()).isEmpty();
        // g2 searched again from the first agent after g1's roll-back (a1 is the only agent with room then)
        assertThat(plan.reasonsFor("g2.0")).first().extracting(PendingReason::message).asString()
                .startsWith("gang g2: 0 of 3 instances fit this cycle");
        assertThat(drained.checks.get("a1")).as("a1 vetoed STATICally once, then skipped").isEqualTo(1);
    }

    @Test
    void aResourceFilterListedAgainChangesNothing() {
        var snap = snapshot().agents(agent("a1").cpus(2).memMb(1024)).pending(task("a").cpus(1).memMb(64),
                task("b").cpus(2).memMb(64)).build();

        assertThat(new OfferCycle(SchedulingPolicy.defaults(), DrfOrdering.INSTANCE, List.of(ResourceFilter.INSTANCE)).plan(snap))
                .isEqualTo(new OfferCycle(SchedulingPolicy.defaults()).plan(snap));
    }
}
