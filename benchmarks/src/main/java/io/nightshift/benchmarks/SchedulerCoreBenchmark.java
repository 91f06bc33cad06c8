package io.nightshift.benchmarks;

import io.nightshift.coordinator.scheduling.ClusterSnapshot;
import io.nightshift.coordinator.scheduling.OfferCycle;
import io.nightshift.coordinator.scheduling.Plan;
import io.nightshift.coordinator.scheduling.SchedulingPolicy;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One full offer cycle of the scheduling core ({@link OfferCycle#plan}) over a cluster of {@code agents}
 * agents and {@code tasks} pending tasks, 20 % of them constrained (see {@link Workloads}). The snapshot is
 * built once; every invocation plans it from scratch, as the coordinator does each cycle.
 *
 * <p>{@code cycle} samples the time of one cycle (mean, p50, p99). {@code placements} reports placements
 * per second as an auxiliary counter next to cycles per second.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar SchedulerCoreBenchmark -f 1 -wi 2 -i 3
 * </pre>
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public class SchedulerCoreBenchmark {

    @Param({"1000", "5000", "10000", "50000"})
    public int agents;

    @Param({"10000"})
    public int tasks;

    @Param({"0.2"})
    public double constrained;

    private ClusterSnapshot snapshot;
    private OfferCycle core;

    @Setup(Level.Trial)
    public void setUp() {
        snapshot = Workloads.snapshot(agents, tasks, constrained, 42);
        core = new OfferCycle(SchedulingPolicy.defaults());
        Plan plan = core.plan(snapshot);
        System.out.printf("%n[setup] agents=%d tasks=%d placed=%d pending=%d preemptions=%d%n", agents, tasks,
                plan.placements().size(), plan.pendingReasons().size(), plan.preemptions().size());
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Plan cycle() {
        return core.plan(snapshot);
    }

    /** Counts what one cycle placed, so JMH reports placements/s beside cycles/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Placed {
        public long placements;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Plan placements(Placed placed) {
        Plan plan = core.plan(snapshot);
        placed.placements += plan.placements().size();
        return plan;
    }
}
