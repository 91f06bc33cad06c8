package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.nightshift.coordinator.scheduling.Fixtures.NOW;
import static io.nightshift.coordinator.scheduling.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

/** The one plan applier of the coordinator and the simulator. */
class PlanApplierTest {

    private static final Resources TWO = new Resources(2, 1024, 0, 0);

    private static Placement placement(String task, String agent) {
        return new Placement(task, "job-" + task, agent, Offer.idFor(1, agent), TWO, "default");
    }

    private static Preemption preemption(String victim, String agent) {
        return new Preemption(victim, "job-" + victim, "default", agent, "someone", "preempted.priority", "why");
    }

    private static Plan plan(List<Placement> placements, List<Preemption> preemptions, List<Offer> offers) {
        return new Plan(1, offers, placements, Map.of(), null, preemptions, List.of(), List.of(), List.of(), List.of(),
                Map.of(), List.of());
    }

    /** Records what it was asked, in order; refuses to launch on agent "gone". */
    private static final class Recorder implements PlanApplier.Target {
        final List<String> calls = new ArrayList<>();

        @Override
        public boolean launch(Placement p) {
            calls.add("launch " + p.taskId());
            return !p.agentId().equals("gone");
        }

        @Override
        public String stop(Preemption p) {
            calls.add("stop " + p.taskId());
            return p.taskId().startsWith("not-running") ? null : p.taskId() + ".r1";
        }
    }

    @Test
    void stopsVictimsBeforeLaunchingAndBooksOnlyWhatWasLaunched() {
        var applier = new PlanApplier();
        var target = new Recorder();

        var applied = applier.apply(plan(List.of(placement("a", "agent-1"), placement("b", "gone"), placement("c", "agent-1")),
                List.of(preemption("v", "agent-2"), preemption("not-running", "agent-2")), List.of()), target);

        assertThat(target.calls).containsExactly("stop v", "stop not-running", "launch a", "launch b", "launch c");
        assertThat(applied.launched()).extracting(Placement::taskId).containsExactly("a", "c");
        assertThat(applied.stopped()).extracting(Preemption::taskId).containsExactly("v");
        assertThat(applier.allocated("agent-1")).isEqualTo(new Resources(4, 2048, 0, 0));
        assertThat(applier.allocated("gone")).isEqualTo(Resources.ZERO);
        assertThat(applier.terminating("v")).isTrue();
        assertThat(applier.terminating("not-running")).isFalse();
        assertThat(applier.preemptions("v.r1")).isEqualTo(1);
    }

    @Test
    void aVictimIsStoppedOnceUntilItsAttemptEnds() {
        var applier = new PlanApplier();
        var target = new Recorder();
        var again = plan(List.of(), List.of(preemption("v", "agent-2")), List.of());

        applier.apply(again, target);
        applier.apply(again, target);
        assertThat(target.calls).containsExactly("stop v");

        applier.ended("v");
        applier.apply(again, target);
        assertThat(target.calls).containsExactly("stop v", "stop v");
        assertThat(applier.preemptions("v.r1")).isEqualTo(2);
        applier.runEnded("v.r1");
        assertThat(applier.preemptions("v.r1")).isZero();
    }

    @Test
    void releasesAndLostAgentsFreeWhatWasBooked() {
        var applier = new PlanApplier();
        applier.apply(plan(List.of(placement("a", "agent-1"), placement("b", "agent-1")), List.of(), List.of()), new Recorder());

        applier.release("agent-1", TWO);
        assertThat(applier.allocated("agent-1")).isEqualTo(TWO);
        applier.forgetAgent("agent-1");
        assertThat(applier.allocated("agent-1")).isEqualTo(Resources.ZERO);
    }

    @Test
    void theNextSnapshotCarriesTheLastPlansOffers() {
        var applier = new PlanApplier();
        var offer = new Offer("o-1-a1", "a1", TWO, NOW, NOW.plusSeconds(30), "default");
        applier.apply(plan(List.of(), List.of(), List.of(offer)), new Recorder());

        var next = applier.carry(ClusterSnapshot.builder(2, NOW)).build();

        assertThat(next.offers()).containsExactly(offer);
        assertThat(applier.last().offers()).containsExactly(offer);
    }
}
