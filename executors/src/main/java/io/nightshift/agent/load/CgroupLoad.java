package io.nightshift.agent.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The owners' load read from the cgroup their services run in (set with {@code agent.owner-load.cgroup}),
 * for machines that run more than the owners and Nightshift: only what that group uses counts. Reads
 * cgroup v2 when {@code <root>/cgroup.controllers} exists (the unified hierarchy), else v1:
 * <pre>
 *   v1  cpu: &lt;root&gt;/cpuacct/&lt;group&gt;/cpuacct.usage (ns)     memory: &lt;root&gt;/memory/&lt;group&gt;/memory.stat total_rss
 *   v2  cpu: &lt;root&gt;/&lt;group&gt;/cpu.stat usage_usec            memory: &lt;root&gt;/&lt;group&gt;/memory.stat anon
 *   owner cores = Δcpu time / Δwall time
 * </pre>
 * Memory counts the group's anonymous resident memory (the page cache it fills is given back under
 * pressure, so it is not the owners' need); a group without a memory controller reports 0 MiB. A group
 * whose cpu file cannot be read gives no sample. The first reading only takes a reading. Called from one
 * thread.
 */
public final class CgroupLoad {
    private final Path cpuFile;
    private final Path memFile;
    private final boolean v2;
    private Instant previousAt;
    private long previousCpuNanos = -1;

    public CgroupLoad(Path root, String group) {
        String rel = group.startsWith("/") ? group.substring(1) : group;
        this.v2 = Files.exists(root.resolve("cgroup.controllers"));
        this.cpuFile = v2 ? root.resolve(rel).resolve("cpu.stat") : root.resolve("cpuacct").resolve(rel).resolve("cpuacct.usage");
        this.memFile = v2 ? root.resolve(rel).resolve("memory.stat") : root.resolve("memory").resolve(rel).resolve("memory.stat");
    }

    /** What is read, for the agent's start-up log line. */
    public String describe() {
        return (v2 ? "cgroup v2 " : "cgroup v1 ") + cpuFile + " and " + memFile;
    }

    /** Takes one reading at {@code now}; the owners' load since the previous one, empty on the first or when unreadable. */
    public Optional<ProcLoad.Raw> sample(Instant now) {
        long cpu = v2 ? statValue(read(cpuFile), "usage_usec") * 1000 : number(read(cpuFile).trim());
        if (cpu < 0) return Optional.empty();
        long memKb = Math.max(0, statValue(read(memFile), v2 ? "anon" : "total_rss")) / 1024;
        Instant beforeAt = previousAt;
        long beforeCpu = previousCpuNanos;
        previousAt = now;
        previousCpuNanos = cpu;
        if (beforeAt == null || beforeCpu < 0 || cpu < beforeCpu) return Optional.empty(); // first, or the group was made anew
        long wallNanos = Duration.between(beforeAt, now).toNanos();
        if (wallNanos <= 0) return Optional.empty();
        double cores = Math.round((cpu - beforeCpu) / (double) wallNanos * 1000d) / 1000d;
        return Optional.of(new ProcLoad.Raw(cores, memKb / 1024));
    }

    /** The value of {@code key} in a "key value" per line file ({@code cpu.stat}, {@code memory.stat}); -1 when absent. */
    static long statValue(String stat, String key) {
        for (String line : stat.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0 && line.substring(0, sp).equals(key)) return number(line.substring(sp + 1).trim());
        }
        return -1;
    }

    private static long number(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
