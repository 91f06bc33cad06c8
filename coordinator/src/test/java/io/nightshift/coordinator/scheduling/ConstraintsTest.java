package io.nightshift.coordinator.scheduling;

import static io.nightshift.api.model.PendingReason.Kind.DYNAMIC;
import static io.nightshift.api.model.PendingReason.Kind.STATIC;
import io.nightshift.api.model.PendingReason;
import io.nightshift.api.spec.Constraint;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static io.nightshift.coordinator.scheduling.Fixtures.agent;
import static io.nightshift.coordinator.scheduling.Fixtures.running;
import static io.nightshift.coordinator.scheduling.Fixtures.snapshot;
import static io.nightshift.coordinator.scheduling.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;

/** Each placement constraint operator, counted over running instances and this cycle's placements. */
class ConstraintsTest {

    private final OfferCycle cycle = new OfferCycle(SchedulingPolicy.defaults());

    /** Six roomy agents: h1..h6 on racks r1 (h1-h3) and r2 (h4-h6); h6 runs windows. */
    private static Fixtures.SnapshotBuilder rackedCluster() {
        return snapshot().agents(IntStream.rangeClosed(1, 6).mapToObj(i -> agent("h" + i).cpus(16).memMb(65536)
                .attribute("rack", i <= 3 ? "r1" : "r2").attribute("os", i == 6 ? "windows" : "linux-6.1"))
                .toArray(Fixtures.AgentBuilder[]::new));
    }

    private static Fixtures.TaskBuilder[] instances(int count, Constraint c) {
        return IntStream.range(0, count).mapToObj(i -> task("t" + i).job("job").run("job.r1", count).cpus(1).memMb(512)
                .constraint(c)).toArray(Fixtures.TaskBuilder[]::new);
    }

    private static Map<String, Long> perAgent(Plan plan) {
        Map<String, Long> m = new TreeMap<>();
        plan.placements().forEach(p -> m.merge(p.agentId(), 1L, Long::sum));
        return m;
    }

    @Test
    void uniqueHostnamePutsOneInstancePerAgentAndExplainsTheRest() {
        // Without the constraint best fit would pack all 8 onto h1; UNIQUE spreads them, one per host, and
        // the two that find no free host say why. The agent id stands in for a missing hostname attribute.
        var plan = cycle.plan(rackedCluster().pending(instances(8, Constraint.unique("hostname"))).build());

        assertThat(perAgent(plan)).containsOnlyKeys("h1", "h2", "h3", "h4", "h5", "h6").allSatisfy((a, n) -> assertThat(n).isEqualTo(1));
        assertThat(plan.reasonsFor("t7")).containsExactly(PendingReason.of("constraint.unique", DYNAMIC, 6,
                "hostname UNIQUE: another instance is on the agent's value (6 agents)"));
    }

    @Test
    void uniqueCountsInstancesAlreadyRunning() {
        var plan = cycle.plan(rackedCluster()
                .running(running("old").job("job").run("job.r1").on("h1").cpus(1))
                .pending(instances(1, Constraint.unique("rack"))).build());

        assertThat(plan.placementOf("t0")).get().extracting(p -> p.agentId().compareTo("h4") >= 0).isEqualTo(true);
    }

    @Test
    void maxPerRackCapsEachRack() {
        var plan = cycle.plan(rackedCluster().pending(instances(5, Constraint.maxPer("rack", 2))).build());

        assertThat(plan.placements()).hasSize(4);
        assertThat(plan.reasonsFor("t4")).containsExactly(PendingReason.of("constraint.max-per", DYNAMIC, 6,
                "rack MAX_PER 2: the agent's value holds 2 instances already (6 agents)"));
    }

    @Test
    void groupBySpreadsEvenlyOverTheValues() {
        // 4 instances over 2 racks: at most ceil(4/2) = 2 per rack.
        var plan = cycle.plan(rackedCluster().pending(instances(4, Constraint.groupBy("rack"))).build());

        Map<String, Long> perRack = new TreeMap<>();
        plan.placements().forEach(p -> perRack.merge(Integer.parseInt(p.agentId().substring(1)) <= 3 ? "r1" : "r2", 1L, Long::sum));
        assertThat(perRack).containsExactly(Map.entry("r1", 2L), Map.entry("r2", 2L));
    }

    @Test
    void clusterKeepsAllInstancesOnTheFirstValueUsed() {
        var plan = cycle.plan(rackedCluster()
                .running(running("old").job("job").run("job.r1").on("h5").cpus(1))
                .pending(instances(3, Constraint.cluster("rack"))).build());

        assertThat(plan.placements()).extracting(Placement::agentId).allMatch(a -> a.compareTo("h4") >= 0);
    }

    @Test
    void clusterOnAGivenValue() {
        var plan = cycle.plan(rackedCluster().pending(instances(2, Constraint.cluster("rack", "r2"))).build());

        assertThat(plan.placements()).extracting(Placement::agentId).allMatch(a -> a.compareTo("h4") >= 0);
    }

    @Test
    void likeAndUnlikeMatchTheWholeValue() {
        var plan = cycle.plan(rackedCluster().pending(
                task("linux").cpus(1).constraint(Constraint.like("os", "linux-.*")),
                task("not-r1").cpus(1).constraint(Constraint.unlike("rack", "r1")),
                task("prefix-only").cpus(1).constraint(Constraint.like("os", "linux")),
                task("gpu-pool").cpus(1).constraint(Constraint.like("pool", "gpu"))).build());

        assertThat(plan.placementOf("linux")).get().extracting(Placement::agentId).isEqualTo("h1");
        assertThat(plan.placementOf("not-r1")).get().extracting(Placement::agentId).isEqualTo("h4");
        assertThat(plan.reasonsFor("prefix-only")).containsExactly(
                PendingReason.of("unschedulable", STATIC, 6, "none of the 6 agents can ever hold this task; it waits until an "
                        + "agent that can registers"),
                PendingReason.of("constraint.like", STATIC, 6, "os LIKE \"linux\": the agent's value does not match (6 agents)"));
        assertThat(plan.reasonsFor("gpu-pool")).containsExactly(
                PendingReason.of("unschedulable", STATIC, 6, "none of the 6 agents can ever hold this task; it waits until an "
                        + "agent that can registers"),
                PendingReason.of("constraint.attribute", STATIC, 6, "the agent has no attribute 'pool' (6 agents)"));
    }

    @Test
    void filterReportsStaticVetoesForLikeAndDynamicOnesForCounts() {
        var filter = new ConstraintFilter(new ConstraintFilter.Counts() {
            @Override public int count(String runId, String attribute, String value) { return value.equals("r1") ? 1 : 0; }
            @Override public String anyValue(String runId, String attribute) { return "r1"; }
            @Override public int distinctValues(String attribute) { return 2; }
        });
        var windows = agent("w").attribute("os", "windows").attribute("rack", "r2").build();
        var onR1 = agent("l").attribute("os", "linux").attribute("rack", "r1").build();

        assertThat(filter.vetoes(task("t").constraint(Constraint.like("os", "linux")).build(), windows))
                .singleElement().extracting(Veto::kind).isEqualTo(Veto.Kind.STATIC);
        assertThat(filter.vetoes(task("t").constraint(Constraint.unique("rack")).build(), onR1))
                .singleElement().extracting(Veto::code, Veto::kind).containsExactly(VetoCode.CONSTRAINT_UNIQUE, Veto.Kind.DYNAMIC);
        assertThat(filter.vetoes(task("t").constraint(Constraint.cluster("rack")).build(), windows))
                .singleElement().extracting(Veto::message).isEqualTo("rack CLUSTER: the instances are on \"r1\"");
        assertThat(filter.admits(task("t").constraint(Constraint.unique("rack")).build(), windows)).isTrue();
    }

    @Test
    void manyInstancesOfAConstrainedJobAreExplainedOnceAndCheaply() {
        // 200 instances, UNIQUE on host, 6 hosts: 194 wait, all with the same summarized reason.
        var plan = cycle.plan(rackedCluster().pending(instances(200, Constraint.unique("hostname"))).build());

        assertThat(plan.placements()).hasSize(6);
        assertThat(plan.pendingReasons()).hasSize(194).allSatisfy((id, rs) ->
                assertThat(rs).extracting(PendingReason::code).containsExactly("constraint.unique"));
    }
}
