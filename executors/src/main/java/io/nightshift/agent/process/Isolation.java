package io.nightshift.agent.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How this agent keeps one attempt's processes together and apart from everything else, detected
 * once at start:
 * <ul>
 *   <li>{@code cgroup-v1(...)}: per-attempt groups of the listed controllers (limits, accounting,
 *       freezer, and a membership list no process can leave);</li>
 *   <li>{@code session}: each attempt runs in its own session and process group via
 *       {@code /usr/bin/setsid};</li>
 *   <li>{@code env-scan}: always; every task process carries {@code NIGHTSHIFT_ATTEMPT_ID}, and a
 *       scan of {@code /proc/<pid>/environ} finds even processes that left the session.</li>
 * </ul>
 * {@link #describe()} gives e.g. {@code cgroup-v1(memory,cpu,pids,freezer)+session+env-scan}.
 */
public final class Isolation {
    public static final Path DEFAULT_CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    public static final Path DEFAULT_SETSID = Path.of("/usr/bin/setsid");
    /** Parent group of every attempt's group, under each controller's hierarchy. */
    public static final String CGROUP_PARENT = "nightshift";

    private final CgroupV1 cgroups;
    private final Path setsid;

    private Isolation(CgroupV1 cgroups, Path setsid) {
        this.cgroups = cgroups;
        this.setsid = setsid;
    }

    /** Detects on this host; {@code useCgroups=false} skips cgroups even where they are writable. */
    public static Isolation detect(boolean useCgroups) {
        return detect(useCgroups, DEFAULT_CGROUP_ROOT, DEFAULT_SETSID);
    }

    public static Isolation detect(boolean useCgroups, Path cgroupRoot, Path setsid) {
        CgroupV1 cg = useCgroups ? CgroupV1.probe(cgroupRoot, CGROUP_PARENT) : null;
        return new Isolation(cg != null && cg.usable() ? cg : null, Files.isExecutable(setsid) ? setsid : null);
    }

    /** The per-attempt cgroups, or {@code null} when they are not used. */
    public CgroupV1 cgroups() {
        return cgroups;
    }

    /** {@code /usr/bin/setsid}, or {@code null} when the host has none (no session isolation). */
    public Path setsid() {
        return setsid;
    }

    public boolean sessions() {
        return setsid != null;
    }

    public String describe() {
        List<String> parts = new ArrayList<>();
        if (cgroups != null) parts.add("cgroup-v1(" + String.join(",", cgroups.controllers()) + ")");
        if (setsid != null) parts.add("session");
        parts.add("env-scan");
        return String.join("+", parts);
    }

    @Override
    public String toString() {
        return describe();
    }
}
