package io.nightshift.coordinator.simulation;

import io.nightshift.api.Resources;
import io.nightshift.coordinator.scheduling.AgentSlot;
import io.nightshift.coordinator.scheduling.ClusterSnapshot;
import io.nightshift.coordinator.scheduling.PendingTask;
import io.nightshift.coordinator.scheduling.Placement;
import io.nightshift.coordinator.scheduling.Plan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

class SimulatorTest {

    @Test
    void aSmallRunSummarizesAndDrawsItsCharts(@TempDir Path out) throws Exception {
        var result = Simulator.run(SimulationConfig.parse(Map.of("agents", "10", "queues", "etl:1,ml:2",
                "duration", "PT2H", "arrivals.perMinute", "20", "task.meanDuration", "PT5M", "out", out.toString())));

        assertThat(result.submitted()).isGreaterThan(1000);
        assertThat(result.finished()).isGreaterThan(result.submitted() / 2);
        assertThat(result.cycles()).as("a cycle only when something changed, at most one per 10 s tick")
                .isBetween(100L, 721L);
        assertThat(result.utilization().get("cpus")).isBetween(0.05, 1.0);
        assertThat(result.waitSeconds()).containsKeys("p50", "p90", "p99", "max");
        assertThat(result.queues()).containsOnlyKeys("etl", "ml");
        assertThat(result.charts()).containsExactly("utilization.png", "utilization.svg", "shares.png", "shares.svg",
                "wait-times.png", "wait-times.svg");
        for (String chart : result.charts()) {
            assertThat(out.resolve(chart)).exists().isNotEmptyFile();
        }
        assertThat(Files.readAllBytes(out.resolve("shares.png"))).startsWith(0x89, 'P', 'N', 'G');
        assertThat(Files.readString(out.resolve("shares.svg"))).contains("<svg");
        assertThat(Files.readString(out.resolve("summary.json"))).contains("\"utilization\"", "\"etl\"");
    }

    @Test
    void theSameSeedGivesTheSameRun() {
        var config = SimulationConfig.parse(Map.of("agents", "5", "duration", "PT30M", "arrivals.perMinute", "10"));

        var a = Simulator.run(config);
        var b = Simulator.run(config);

        assertThat(b.queues()).isEqualTo(a.queues());
        assertThat(b.waitSeconds()).isEqualTo(a.waitSeconds());
        assertThat(b.finished()).isEqualTo(a.finished());
    }

    @Test
    void drfGivesThreeQueuesOfWeights123TheirShareWithinFivePercent() {
        // Saturating demand: each queue always has 40 tasks waiting. Ideal dominant shares are 1/6, 2/6, 3/6.
        var result = Simulator.run(SimulationConfig.parse("agents=20", "queues=a:1,b:2,c:3", "duration=PT3H",
                "warmup=PT30M", "arrivals.perMinute=0", "backlog=40", "task.cpus=1", "task.memMb=1024",
                "task.meanDuration=PT5M", "task.minDuration=PT1M", "priorities=0:1"));

        assertThat(result.queues().get("a").meanIdeal()).isCloseTo(1 / 6.0, offset(0.001));
        assertThat(result.queues().get("b").meanIdeal()).isCloseTo(2 / 6.0, offset(0.001));
        assertThat(result.queues().get("c").meanIdeal()).isCloseTo(3 / 6.0, offset(0.001));
        assertThat(result.queues().values()).allSatisfy(q -> assertThat(q.relativeError()).isLessThanOrEqualTo(0.05));
        assertThat(result.utilization().get("cpus")).isGreaterThan(0.9);
    }

    @Test
    void runsACsvTrace(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("trace.csv");
        Files.writeString(trace, """
                submit_s,duration_s,cpus,mem_mb,queue
                0,60,2,1024,etl
                5,120,4,2048,ml
                30,30,1,512,etl
                """);
        var result = Simulator.run(SimulationConfig.parse(Map.of("agents", "2", "queues", "etl:1,ml:1",
                "workload", "csv", "trace", trace.toString(), "duration", "PT10M")));

        assertThat(result.submitted()).isEqualTo(3);
        assertThat(result.finished()).isEqualTo(3);
        assertThat(result.queues().get("etl").finished()).isEqualTo(2);
    }

    @Test
    void readsTheStandardWorkloadFormat() throws Exception {
        String swf = """
                ; Version: 2.2
                ; Computer: test
                1 0 10 3600 4 -1 2048 4 7200 -1 1 3 1 -1 0 -1 -1 -1
                2 60 -1 120 -1 -1 -1 2 600 4096 1 4 1 -1 1 -1 -1 -1
                3 90 -1 -1 8 -1 -1 8 600 -1 0 4 1 -1 1 -1 -1 -1
                """;

        var tasks = TraceTask.readSwf(new StringReader(swf), List.of("a", "b"), 512);

        assertThat(tasks).containsExactly(new TraceTask(0, 3600, 4, 8, "a", 7200, 10),
                new TraceTask(60, 120, 2, 8, "b", 600, Double.NaN));
    }

    @Test
    void anSwfJobWiderThanOneAgentIsAGangThatWaitsForItsReservationWhileSmallerJobsBackfill(@TempDir Path dir) throws Exception {
        // 4 one-cpu agents. Job 1 (3 procs, 100 s) runs at once; job 2 (4 procs) must wait for it: a gang of 4
        // reserved from 100 s. Job 3 (1 proc, asks 50 s) backfills the free agent and ends before; job 4 (1 proc,
        // asks 1000 s) would delay the gang, so it waits until the gang started.
        Path trace = dir.resolve("t.swf");
        Files.writeString(trace, """
                ; MaxProcs: 4
                1 0 0 100 3 -1 -1 3 100 -1 1 1 1 -1 0 -1 -1 -1
                2 10 5 100 4 -1 -1 4 200 -1 1 1 1 -1 0 -1 -1 -1
                3 20 0 40 1 -1 -1 1 50 -1 1 1 1 -1 0 -1 -1 -1
                4 20 0 40 1 -1 -1 1 1000 -1 1 1 1 -1 0 -1 -1 -1
                """);

        var r = Simulator.run(SimulationConfig.parse("agents=4", "agent.cpus=1", "agent.memMb=4096", "workload=swf",
                "trace=" + trace, "tick=PT1S", "preemption=false"));

        assertThat(r.jobs()).isEqualTo(4);
        assertThat(r.submitted()).as("tasks: 3 + 4 + 1 + 1").isEqualTo(9);
        assertThat(r.finished()).isEqualTo(9);
        assertThat(r.figures().gangJobs()).isEqualTo(2);
        // waits: job 1 0 s, job 2 90 s (starts at 100), job 3 0 s, job 4 180 s (starts when the gang ends at 200)
        assertThat(r.figures().waitSeconds()).containsEntry("mean", 67.5).containsEntry("p99", 180.0);
        assertThat(r.figures().gangWaitSeconds()).containsEntry("p99", 90.0);
        assertThat(r.recorded().waitSeconds()).containsEntry("mean", 1.25);
        assertThat(r.recorded().jobs()).isEqualTo(4);
        assertThat(r.cycles()).as("a cycle per event time (and a decline filter running out), not one per second of 240")
                .isLessThan(20);
    }

    @Test
    void arrivalsIntoAFullQueueAreRefusedAndCountedAsTheCoordinatorRefusesThem() {
        String[] saturating = {"agents=2", "duration=PT30M", "arrivals.perMinute=100", "priorities=0:1", "preemption=false"};
        var capped = Simulator.run(SimulationConfig.parse(concat(saturating, "coordinator.queue.max-queued=200")));
        var uncapped = Simulator.run(SimulationConfig.parse(saturating));

        assertThat(capped.pendingAtEnd()).as("never more waiting than the cap").isLessThanOrEqualTo(200);
        assertThat(capped.refused()).isGreaterThan(2_500);
        assertThat(capped.jobs() + capped.refused()).as("every arrival is either queued or refused")
                .isBetween(2_800L, 3_200L);
        assertThat(capped.started()).as("a full queue still feeds a busy cluster").isGreaterThan(uncapped.started() * 9 / 10);
        assertThat(uncapped.refused()).as("the default cap (10,000) is not reached").isZero();
        assertThat(uncapped.pendingAtEnd()).isGreaterThan(2_500);
        assertThat(capped.toJson()).contains("\"refused\"");
    }

    @Test
    void aRefusedArrivalChangesNothingSoItCostsNoCycle() {
        // one agent busy for 10 h, the queue full after a minute: from then on only refused arrivals, nothing to decide
        var r = Simulator.run(SimulationConfig.parse("agents=1", "duration=PT1H", "arrivals.perMinute=100", "priorities=0:1",
                "task.meanDuration=PT10H", "task.minDuration=PT10H", "coordinator.queue.max-queued=20"));

        assertThat(r.refused()).isGreaterThan(5_000);
        assertThat(r.finished()).isZero();
        assertThat(r.cycles()).as("cycles while the queue filled, none per refused arrival (a tick is 10 s: 360 in the hour)")
                .isLessThan(20);
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void aQueueCapBelowOneIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> SimulationConfig.parse("coordinator.queue.max-queued=0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("coordinator.queue.max-queued");
        assertThatThrownBy(() -> SimulationConfig.parse("coordinator.queue.max-queued=many"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("coordinator.queue.max-queued");
    }

    @Test
    void unknownOptionsAreNamed() {
        assertThatThrownBy(() -> SimulationConfig.parse(Map.of("agnets", "3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option 'agnets'");
        assertThatThrownBy(() -> SimulationConfig.parse("workload=swf"))
                .hasMessageContaining("workload=swf needs trace=<file>");
    }

    @Test
    void invariantsCatchAnOverCommittedAgent() {
        var snapshot = new ClusterSnapshot(1, Instant.EPOCH, List.of(new AgentSlot("a1", Resources.of(1, 1024), Map.of())),
                List.of(new PendingTask("t1", "j", 0, Instant.EPOCH, null, Resources.of(2, 128))));
        var bad = new Plan(1, List.of(), List.of(new Placement("t1", "j", "a1", "o-1-a1", Resources.of(2, 128))), Map.of(), null);

        assertThatThrownBy(() -> Invariants.check(snapshot, bad)).isInstanceOf(InvariantViolation.class)
                .hasMessageContaining("agent a1 over-committed");
    }
}
