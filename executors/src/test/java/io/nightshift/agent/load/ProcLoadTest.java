package io.nightshift.agent.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.nightshift.api.model.OwnerLoad;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcLoadTest {
    /** A 4-cpu machine; guest/guest_nice (the last two columns) are already inside user/nice and must not count twice. */
    static String stat(long user, long system, long idle, long iowait) {
        return "cpu  " + user + " 0 " + system + " " + idle + " " + iowait + " 0 0 0 77 77\n"
                + "cpu0 1 0 0 1 0 0 0 0 0 0\ncpu1 1 0 0 1 0 0 0 0 0 0\ncpu2 1 0 0 1 0 0 0 0 0 0\ncpu3 1 0 0 1 0 0 0 0 0 0\n"
                + "intr 12345 0 0\nctxt 999\nbtime 1700000000\n";
    }

    static final String MEMINFO = """
            MemTotal:       16384000 kB
            MemFree:         2000000 kB
            MemAvailable:    8192000 kB
            Buffers:          100000 kB
            Cached:          3000000 kB
            """;

    @Test
    void readsBusyAndTotalTicksOfTheAggregateLineAndCountsCpus() {
        ProcLoad.Machine m = ProcLoad.machine(stat(300, 100, 500, 100), MEMINFO).orElseThrow();
        assertThat(m.busyTicks()).isEqualTo(400);   // user + system (idle and iowait are not busy)
        assertThat(m.totalTicks()).isEqualTo(1000);
        assertThat(m.cpus()).isEqualTo(4);
        assertThat(m.memUsedKb()).isEqualTo(16384000 - 8192000);
    }

    @Test
    void withoutMemAvailableFallsBackToFreePlusBuffersPlusCached() {
        String old = "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n";
        assertThat(ProcLoad.machine(stat(1, 1, 1, 1), old).orElseThrow().memAvailableKb()).isEqualTo(400);
    }

    @Test
    void aFileWithoutWhatIsNeededGivesNoReading() {
        assertThat(ProcLoad.machine("intr 1\n", MEMINFO)).isEmpty();
        assertThat(ProcLoad.machine(stat(1, 1, 1, 1), "SwapTotal: 0 kB\n")).isEmpty();
    }

    @Test
    void ownerCoresAreTheMachinesBusyTicksMinusOursOverAllTicksTimesCpus() {
        ProcLoad.Machine before = ProcLoad.machine(stat(1000, 0, 3000, 0), MEMINFO).orElseThrow();
        // 400 ticks passed on 4 cpus (100 each): 200 busy, of which 50 were our tasks'
        ProcLoad.Machine now = ProcLoad.machine(stat(1200, 0, 3200, 0), MEMINFO).orElseThrow();
        ProcLoad.Raw r = ProcLoad.owners(before, now, 50, 1024 * 1024);
        assertThat(r.cpus()).isCloseTo((200 - 50) / 400.0 * 4, within(1e-9)); // 1.5 cores
        assertThat(r.memMb()).isEqualTo((16384000 - 8192000 - 1024 * 1024) / 1024);
    }

    @Test
    void oursReadAfterTheMachineNeverMakeTheOwnersNegative() {
        ProcLoad.Machine before = ProcLoad.machine(stat(1000, 0, 3000, 0), MEMINFO).orElseThrow();
        ProcLoad.Machine now = ProcLoad.machine(stat(1100, 0, 3300, 0), MEMINFO).orElseThrow();
        ProcLoad.Raw r = ProcLoad.owners(before, now, 130, Long.MAX_VALUE / 2);
        assertThat(r.cpus()).isZero();
        assertThat(r.memMb()).isZero();
    }

    @Test
    void processTicksAreUtimePlusStimeReadAfterTheLastParenthesis() {
        String line = "4242 (my (odd) job) S 1 4242 4242 0 -1 4194560 100 0 0 0 70 30 5 6 20 0 3 0 987654 1000000 250 "
                + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 2 0 0 0 0 0";
        ProcLoad.ProcTicks t = ProcLoad.procTicks(line).orElseThrow();
        assertThat(t.ticks()).isEqualTo(100);          // utime 70 + stime 30; children's cutime/cstime are not ours twice
        assertThat(t.startTime()).isEqualTo(987654);
        assertThat(ProcLoad.procTicks("4242 (short) S 1 2")).isEmpty();
    }

    @Test
    void residentMemoryComesFromVmRss() {
        assertThat(ProcLoad.vmRssKb("Name:\tjava\nVmPeak:\t 9999 kB\nVmRSS:\t  123456 kB\nThreads: 20\n")).isEqualTo(123456);
        assertThat(ProcLoad.vmRssKb("Name:\tkthreadd\nState:\tS\n")).isZero();
    }

    @Test
    void theSamplerSubtractsOnlyTheTicksOurProcessesUsedSinceTheLastSample(@TempDir Path proc) throws IOException {
        Files.writeString(proc.resolve("meminfo"), MEMINFO);
        Files.createDirectories(proc.resolve("77"));
        Files.writeString(proc.resolve("77/status"), "VmRSS:\t 2048 kB\n");
        OwnerLoadSampler sampler = new OwnerLoadSampler(proc, Duration.ofSeconds(1), Duration.ofMinutes(1));
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

        Files.writeString(proc.resolve("stat"), stat(1000, 0, 3000, 0));
        Files.writeString(proc.resolve("77/stat"), pidStat(500, 10));
        assertThat(sampler.sample(Set.of(77L), t0)).isEmpty(); // one reading: nothing to compare yet
        assertThat(sampler.latest()).isNull();

        // 400 ticks over 4 cpus, 300 busy; our pid 77 used 100 of them (600 - 500)
        Files.writeString(proc.resolve("stat"), stat(1300, 0, 3100, 0));
        Files.writeString(proc.resolve("77/stat"), pidStat(600, 10));
        OwnerLoad load = sampler.sample(Set.of(77L), t0.plusSeconds(2)).orElseThrow();
        assertThat(load.cpus()).isCloseTo(2.0, within(1e-9));
        assertThat(load.memMb()).isEqualTo((16384000 - 8192000 - 2048) / 1024);

        // the pid was recycled (another start time): all its ticks are new ones
        Files.writeString(proc.resolve("stat"), stat(1600, 0, 3200, 0));
        Files.writeString(proc.resolve("77/stat"), pidStat(40, 99));
        OwnerLoad next = sampler.sample(Set.of(77L), t0.plusSeconds(4)).orElseThrow();
        assertThat(next.peakCpus()).isCloseTo((300 - 40) / 400.0 * 4, within(1e-9));
    }

    static String pidStat(long utime, long start) {
        return "77 (burn) R 1 77 77 0 -1 0 0 0 0 0 " + utime + " 0 0 0 20 0 1 0 " + start + " 1000 25 0";
    }
}
