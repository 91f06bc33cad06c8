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

class CgroupLoadTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void v1CoresAreTheGroupsCpuTimeOverWallTimeAndMemoryItsResidentAnonymousPages(@TempDir Path root) throws IOException {
        Path cpu = Files.createDirectories(root.resolve("cpuacct/owners/web"));
        Path mem = Files.createDirectories(root.resolve("memory/owners/web"));
        Files.writeString(mem.resolve("memory.stat"), "cache 999999999\nrss 1\ntotal_cache 999999999\ntotal_rss 1073741824\n");
        CgroupLoad load = new CgroupLoad(root, "/owners/web");

        Files.writeString(cpu.resolve("cpuacct.usage"), "5000000000\n");
        assertThat(load.sample(T0)).isEmpty(); // one reading: nothing to compare yet
        Files.writeString(cpu.resolve("cpuacct.usage"), "8000000000\n"); // 3 s of cpu in 2 s of wall time
        ProcLoad.Raw raw = load.sample(T0.plusSeconds(2)).orElseThrow();
        assertThat(raw.cpus()).isCloseTo(1.5, within(1e-9));
        assertThat(raw.memMb()).isEqualTo(1024); // total_rss, not the page cache
    }

    @Test
    void v2ReadsCpuStatAndAnonMemoryOfTheUnifiedHierarchy(@TempDir Path root) throws IOException {
        Files.writeString(root.resolve("cgroup.controllers"), "cpu memory pids\n");
        Path g = Files.createDirectories(root.resolve("system.slice"));
        Files.writeString(g.resolve("memory.stat"), "anon 536870912\nfile 999999999\n");
        CgroupLoad load = new CgroupLoad(root, "system.slice");
        Files.writeString(g.resolve("cpu.stat"), "usage_usec 1000000\nuser_usec 800000\n");
        load.sample(T0);
        Files.writeString(g.resolve("cpu.stat"), "usage_usec 1500000\nuser_usec 900000\n");
        ProcLoad.Raw raw = load.sample(T0.plusSeconds(1)).orElseThrow();
        assertThat(raw.cpus()).isCloseTo(0.5, within(1e-9));
        assertThat(raw.memMb()).isEqualTo(512);
    }

    @Test
    void aMissingGroupGivesNoSampleAndAGroupMadeAnewStartsOver(@TempDir Path root) throws IOException {
        CgroupLoad load = new CgroupLoad(root, "owners");
        assertThat(load.sample(T0)).isEmpty();
        Path cpu = Files.createDirectories(root.resolve("cpuacct/owners"));
        Files.writeString(cpu.resolve("cpuacct.usage"), "9000000000");
        assertThat(load.sample(T0.plusSeconds(1))).isEmpty();
        Files.writeString(cpu.resolve("cpuacct.usage"), "1000000000"); // counter went back: a new group
        assertThat(load.sample(T0.plusSeconds(2))).isEmpty();
        Files.writeString(cpu.resolve("cpuacct.usage"), "2000000000");
        assertThat(load.sample(T0.plusSeconds(3)).orElseThrow().cpus()).isCloseTo(1.0, within(1e-9));
        assertThat(load.sample(T0.plusSeconds(4)).orElseThrow().memMb()).isZero(); // no memory controller: 0 MiB
    }

    @Test
    void theSamplerSmoothsTheGroupsLoadAndIgnoresProc(@TempDir Path root, @TempDir Path proc) throws IOException {
        Path cpu = Files.createDirectories(root.resolve("cpuacct/owners"));
        OwnerLoadSampler sampler = new OwnerLoadSampler(proc, new CgroupLoad(root, "owners"), Duration.ofSeconds(1),
                Duration.ofMinutes(1));
        Files.writeString(cpu.resolve("cpuacct.usage"), "0");
        assertThat(sampler.sample(Set.of(), T0)).isEmpty();
        Files.writeString(cpu.resolve("cpuacct.usage"), "2000000000");
        OwnerLoad first = sampler.sample(Set.of(), T0.plusSeconds(1)).orElseThrow();
        assertThat(first.cpus()).isCloseTo(2.0, within(1e-9));
        Files.writeString(cpu.resolve("cpuacct.usage"), "2000000000"); // idle for one half-life
        OwnerLoad next = sampler.sample(Set.of(), T0.plusSeconds(2)).orElseThrow();
        assertThat(next.cpus()).isCloseTo(1.0, within(1e-9));
        assertThat(next.peakCpus()).isCloseTo(2.0, within(1e-9));
        assertThat(sampler.latest()).isEqualTo(next);
    }
}
