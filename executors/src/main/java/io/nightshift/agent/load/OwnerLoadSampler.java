package io.nightshift.agent.load;

import io.nightshift.api.model.OwnerLoad;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Measures the machine's load that is not Nightshift's: each {@link #sample} reads {@code /proc/stat},
 * {@code /proc/meminfo} and, for each of our processes (the agent and its tasks' process trees), its
 * {@code stat} and {@code status}, and feeds the difference to the last reading into a
 * {@link LoadSmoother}. The first sample only takes a reading (CPU needs two). Our processes' ticks are
 * counted from the previous sample when the same process (pid and start time) was seen then, else in
 * full (it started since, or just joined a tree); a process that exited between two samples takes its
 * last ticks with it, which over-reports the owners for one interval. With an owners' cgroup
 * ({@link CgroupLoad}) only that group's use counts and {@code /proc} is not read. Called from one thread.
 */
public final class OwnerLoadSampler {
    private final Path proc;
    private final LoadSmoother smoother;
    private final CgroupLoad cgroup;
    private ProcLoad.Machine previous;
    private Map<Long, ProcLoad.ProcTicks> previousTicks = Map.of();
    private volatile OwnerLoad latest;

    public OwnerLoadSampler(Path proc, Duration halfLife, Duration peakWindow) {
        this(proc, null, halfLife, peakWindow);
    }

    /** {@code cgroup}: the owners' group, or null for the whole machine minus ours. */
    public OwnerLoadSampler(Path proc, CgroupLoad cgroup, Duration halfLife, Duration peakWindow) {
        this.proc = proc;
        this.cgroup = cgroup;
        this.smoother = new LoadSmoother(halfLife, peakWindow);
    }

    /** The latest smoothed load; null before two readings were taken or when {@code /proc} is unreadable. */
    public OwnerLoad latest() {
        return latest;
    }

    /** False with an owners' cgroup: then {@link #sample} ignores {@code ours}, so the caller need not scan for them. */
    public boolean countsOurProcesses() {
        return cgroup == null;
    }

    /** Takes one reading at {@code now}; {@code ours}: pids of the agent and its tasks' process trees. */
    public Optional<OwnerLoad> sample(Set<Long> ours, Instant now) {
        if (cgroup != null) {
            Optional<OwnerLoad> load = cgroup.sample(now).map(raw -> smoother.add(now, raw));
            load.ifPresent(l -> latest = l);
            return load;
        }
        Optional<ProcLoad.Machine> m = ProcLoad.machine(read(proc.resolve("stat")), read(proc.resolve("meminfo")));
        if (m.isEmpty()) return Optional.empty();
        Map<Long, ProcLoad.ProcTicks> ticks = new HashMap<>();
        long ourTicks = 0;
        long ourRssKb = 0;
        for (long pid : ours) {
            Path dir = proc.resolve(Long.toString(pid));
            Optional<ProcLoad.ProcTicks> t = ProcLoad.procTicks(read(dir.resolve("stat")));
            if (t.isEmpty()) continue;
            ticks.put(pid, t.get());
            ProcLoad.ProcTicks before = previousTicks.get(pid);
            ourTicks += before != null && before.startTime() == t.get().startTime()
                    ? Math.max(0, t.get().ticks() - before.ticks()) : t.get().ticks();
            ourRssKb += ProcLoad.vmRssKb(read(dir.resolve("status")));
        }
        ProcLoad.Machine before = previous;
        previous = m.get();
        previousTicks = ticks;
        if (before == null) return Optional.empty();
        OwnerLoad load = smoother.add(now, ProcLoad.owners(before, m.get(), ourTicks, ourRssKb));
        latest = load;
        return Optional.of(load);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
