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
    /** Parent of every agent's group, under each controller's hierarchy. */
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
        return detect(useCgroups, cgroupRoot, CGROUP_PARENT, setsid);
    }

    /**
     * Detects for the agent {@code agentId} working in {@code workDir}: its attempts' groups live under a
     * parent of its own ({@link #cgroupParent}), so two agents on one host (or a test's agent and a stale
     * group of an earlier run) never share a group even when their attempt ids are the same.
     */
    public static Isolation detectFor(boolean useCgroups, String agentId, Path workDir) {
        return detect(useCgroups, DEFAULT_CGROUP_ROOT, cgroupParent(agentId, workDir), DEFAULT_SETSID);
    }

    static Isolation detect(boolean useCgroups, Path cgroupRoot, String parent, Path setsid) {
        CgroupV1 cg = useCgroups ? CgroupV1.probe(cgroupRoot, parent) : null;
        return new Isolation(cg != null && cg.usable() ? cg : null, Files.isExecutable(setsid) ? setsid : null);
    }

    /**
     * {@code nightshift/<agent id>-<8 hex of the work dir>}: stable across restarts of one agent (its
     * re-attached attempts find their groups again), distinct between agents. Pure.
     */
    public static String cgroupParent(String agentId, Path workDir) {
        String id = agentId.replaceAll("[^A-Za-z0-9._-]", "_");
        if (id.length() > 48) id = id.substring(0, 48);
        if (id.startsWith(".")) id = "_" + id.substring(1);
        String dir = workDir.toAbsolutePath().normalize().toString();
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(dir.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return CGROUP_PARENT + "/" + id + "-" + java.util.HexFormat.of().formatHex(h, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
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
