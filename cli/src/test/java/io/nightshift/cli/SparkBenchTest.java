package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import org.junit.jupiter.api.Test;

class SparkBenchTest {
    @Test
    void theSummaryGivesEachMedianBesideItsBaselineAndTheRatio() {
        var r = new SparkBench.Result(3, List.of(20.0, 22.0, 21.0),
                List.of(new SparkBench.Phases(0.5, 20.0, 0.5), new SparkBench.Phases(1.0, 21.5, 0.5), new SparkBench.Phases(0.25, 39.5, 0.25)),
                List.of(5.0, 6.0, 7.0),
                List.of(new SparkBench.Phases(0.5, 5.5, 0.5), new SparkBench.Phases(0.5, 5.0, 0.5), new SparkBench.Phases(0.3, 5.5, 0.5)),
                "3.10 2.00 1.50", "3.20 2.10 1.60", true,
                new SparkBench.OwnCpu(List.of(0.2, 0.3, 0.25), List.of(0.4, 0.6, 0.5)));
        assertThat(SparkBench.median(List.of(3.0, 1.0, 2.0, 10.0))).isEqualTo(2.5);
        assertThat(r.ratioEtl()).isEqualTo(23.0 / 21.0);
        String s = SparkBench.summary(r);
        assertThat(s).contains("median of 3 alternating rounds (load average before 3.10 2.00 1.50, after 3.20 2.10 1.60)")
                .contains("each plain launch in a cgroup beside the job's attempts, with the same limits (2 cpus, 1024 MiB)")
                .contains("(local[2], driver 768m; the job 2 cpus)")
                .contains("plain SparkLauncher (launch, wait for the JVM):   21.00 s   (baseline)")
                .contains("nightshift spark job (submit -> SUCCEEDED):       23.00 s   ratio 1.095")
                .contains("of which (medians) submit->RUNNING 0.50 s, RUNNING->exit 21.50 s, exit->SUCCEEDED 0.50 s")
                .contains("nightshift hadoop job (submit -> SUCCEEDED):       6.30 s   ratio 1.050")
                .contains("of which (medians) submit->RUNNING 0.50 s, RUNNING->exit 5.50 s, exit->SUCCEEDED 0.50 s")
                .contains("this JVM (coordinator, agent, client), CPU s per 10 s (medians): 0.25 while a plain launch ran, 0.50 while a job ran");
    }

    @Test
    void ownCpuCountsThisJvmsCpuPerTenSecondsOfWallTime() throws Exception {
        // bounds that hold at any load: the JVM's CPU includes the spinning thread's, and the wall time the figure
        // divides by lies inside the one measured here; a machine cannot give more than its cores
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        List<Double> into = new ArrayList<>();
        long[] spunCpu = new long[1];
        long wall0 = System.nanoTime();
        long spun = SparkBench.ownCpu(into, () -> {
            long c0 = threads.getCurrentThreadCpuTime(), t0 = System.nanoTime(), n = 0;
            while (System.nanoTime() - t0 < 200_000_000L) n++; // busy: CPU while the wall clock runs
            spunCpu[0] = threads.getCurrentThreadCpuTime() - c0;
            return n;
        });
        long wall = System.nanoTime() - wall0;
        assertThat(spun).isPositive();
        assertThat(into).hasSize(1);
        assertThat(into.get(0))
                .isGreaterThanOrEqualTo(10.0 * (spunCpu[0] - 20_000_000L) / wall) // 20 ms: clock granularity
                .isLessThanOrEqualTo(10.0 * Runtime.getRuntime().availableProcessors() + 0.5);
    }

    @Test
    void theExamplesJarHoldsTheExampleClassesOnly() throws Exception {
        List<String> names = new ArrayList<>();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(ExampleJars.examples()))) {
            for (JarEntry e; (e = in.getNextJarEntry()) != null; ) names.add(e.getName());
        }
        assertThat(names).contains("io/nightshift/examples/spark/SparkEtl.class", "io/nightshift/examples/spark/MlTraining.class",
                "io/nightshift/examples/hadoop/WordCount.class", "io/nightshift/examples/hadoop/WordCount$TokenMapper.class");
        assertThat(names).allMatch(n -> n.startsWith(ExampleJars.PREFIX));
    }
}
