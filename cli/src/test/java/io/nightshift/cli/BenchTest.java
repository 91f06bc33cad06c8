package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.model.Event;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.JobSpecParser;
import io.nightshift.api.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchTest {

    @Test
    void percentilesUseTheNearestRank() {
        double[] v = Bench.sorted(5, 1, 4, 2, 3, 10, 9, 8, 7, 6);

        assertThat(Bench.percentile(v, 50)).isEqualTo(5);
        assertThat(Bench.percentile(v, 90)).isEqualTo(9);
        assertThat(Bench.percentile(v, 99)).isEqualTo(10);
        assertThat(Bench.percentile(v, 100)).isEqualTo(10);
        assertThat(Bench.percentile(Bench.sorted(42), 50)).isEqualTo(42);
        assertThat(Bench.percentile(new double[0], 50)).isNaN();
    }

    @Test
    void theBenchJobIsATrivialValidCommand() {
        JobSpec spec = Bench.spec("bench-x-1", "x");

        assertThat(JobSpecParser.parse(Json.write(spec))).isEqualTo(spec);
        assertThat(spec.command().argv()).containsExactly("true");
        assertThat(spec.resources().cpus()).isEqualTo(0.01);
        assertThat(spec.resources().memMb()).isEqualTo(16);
    }

    @Test
    void onlyEventsOfThisRunAreCounted() {
        Bench bench = new Bench(null, 1, 1, Duration.ofSeconds(1), new PrintWriter(new StringWriter()), "r1");
        Instant t = Instant.EPOCH;

        bench.onEvent(new Event(1, t, "task", "bench-r1-0.r1.0", "bench-r1-0", "a", "agent", "RUNNING", null, null));
        bench.onEvent(new Event(2, t, "job", "bench-r0-0", "bench-r0-0", null, null, "SUCCEEDED", null, null));
        bench.onEvent(new Event(3, t, "job", "bench-r1-0", "bench-r1-0", null, null, "SUCCEEDED", null, null));
        bench.onEvent(new Event(4, t, "agent", "agent", null, null, "agent", "ACTIVE", null, null));

        assertThat(bench.runningJobs()).containsExactly("bench-r1-0");
        assertThat(bench.endStates()).containsExactly(Map.entry("bench-r1-0", "SUCCEEDED"));
    }

    @Test
    void theResultIsOneAlignedTableRow() {
        Bench.Result r = new Bench.Result(1000, 1000, 998, 2, 0, 12.34, 20, 55.5, 80, 412.25, 2.4, 181.6,
                "in-process cluster (1 agent)", null, 3.5, 9.25);

        assertThat(BenchCommand.table(r)).isEqualTo("""
                JOBS  FAILURES  P50 MS  P90 MS  P99 MS  MAX MS  JOBS/S  HEAP MIB
                1000         2    12.3    20.0    55.5    80.0   412.3       182
                """);
    }

    @Test
    void theRemoteHeapIsReadFromPrometheusMetrics() {
        String metrics = """
                # HELP jvm_memory_used_bytes The amount of used memory
                # TYPE jvm_memory_used_bytes gauge
                jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1048576.0
                jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2097152.0
                jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9.9E7
                """;

        assertThat(BenchCommand.heapFromMetrics(metrics)).isEqualTo(3.0);
        assertThat(BenchCommand.heapFromMetrics("nightshift_jobs_submitted_total 3\n")).isNull();
    }

    @Test
    void cpuAndRssAreReadFromProcStatPastACommandNameWithSpacesAndParentheses() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
        // priority nice threads itrealvalue starttime vsize rss
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 7 3 20 0 30 0 12345 999999 2560 "
                + "18446744073709551615 1 1 0 0 0 0 0 0 0\n";

        LaunchBench.ProcCpu cpu = LaunchBench.parseStat(stat, 4);

        assertThat(cpu.selfTicks()).isEqualTo(300);
        assertThat(cpu.childTicks()).isEqualTo(10);
        assertThat(cpu.rssKiB()).isEqualTo(10240);
        assertThat(cpu.minus(new LaunchBench.ProcCpu(100, 4, 0))).isEqualTo(new LaunchBench.ProcCpu(200, 6, 10240));
    }

    @Test
    void thisProcessHasAStatWeCanRead() {
        LaunchBench.ProcCpu self = LaunchBench.read(ProcessHandle.current().pid());

        assertThat(self.rssKiB()).isPositive();
        assertThat(self.selfTicks()).isPositive();
    }
}
