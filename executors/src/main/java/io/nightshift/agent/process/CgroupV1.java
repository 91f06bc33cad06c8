package io.nightshift.agent.process;

import io.nightshift.api.Resources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-attempt control groups on a cgroup v1 host: {@code <root>/<controller>/<parent>/<attemptId>}
 * for each usable controller among {@link #WANTED}. A controller is usable when its hierarchy is
 * mounted and a child group can be created in it (probed once, at {@link #probe}).
 *
 * <p>Limits: {@code memory.limit_in_bytes = memMb MiB}; {@code cpu.cfs_quota_us = cpus × period}
 * (period 100 ms); {@code pids} only counts; {@code freezer} stops a forking tree while it is
 * signalled. Processes join a group by writing their own pid into its {@code cgroup.procs}.
 */
public final class CgroupV1 {
    private static final Logger LOG = LoggerFactory.getLogger(CgroupV1.class);

    /** The controllers the agent uses, in the order they are reported. */
    public static final List<String> WANTED = List.of("memory", "cpu", "pids", "freezer");
    private static final Map<String, String> PROBE_FILE = Map.of(
            "memory", "memory.limit_in_bytes", "cpu", "cpu.cfs_quota_us", "pids", "pids.max", "freezer", "freezer.state");
    static final long CFS_PERIOD_US = 100_000;

    private final Path root;
    private final String parent;
    private final List<String> controllers;

    private CgroupV1(Path root, String parent, List<String> controllers) {
        this.root = root;
        this.parent = parent;
        this.controllers = List.copyOf(controllers);
    }

    /** Groups under {@code root}/{controller}/{@code parent} taken as usable without probing (tests on a fake root). */
    static CgroupV1 unprobed(Path root, String parent, List<String> controllers) {
        return new CgroupV1(root, parent, controllers);
    }

    /**
     * Finds the usable controllers under {@code root} (normally {@code /sys/fs/cgroup}) by creating
     * and removing a probe group below {@code parent}. Never throws; an unusable host gives none.
     */
    public static CgroupV1 probe(Path root, String parent) {
        List<String> usable = new ArrayList<>();
        for (String c : WANTED) {
            Path hierarchy = root.resolve(c);
            if (!Files.isRegularFile(hierarchy.resolve("cgroup.procs"))) continue;
            Path probe = hierarchy.resolve(parent).resolve(".probe-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            try {
                Files.createDirectories(probe);
                boolean ok = Files.exists(probe.resolve(PROBE_FILE.get(c)));
                Files.delete(probe);
                if (ok) usable.add(c);
            } catch (IOException | RuntimeException e) {
                LOG.debug("cgroup controller {} not usable under {}: {}", c, hierarchy, e.toString());
            }
        }
        return new CgroupV1(root, parent, usable);
    }

    public List<String> controllers() {
        return controllers;
    }

    public boolean usable() {
        return !controllers.isEmpty();
    }

    /** Creates (or reuses) the attempt's groups and applies its limits. */
    public Group create(String attemptId, Resources limits) throws IOException {
        Map<String, Path> dirs = new LinkedHashMap<>();
        try {
            for (String c : controllers) {
                Path dir = root.resolve(c).resolve(parent).resolve(attemptId);
                Files.createDirectories(dir);
                dirs.put(c, dir);
            }
            Group g = new Group(attemptId, dirs);
            // A group left frozen (an agent killed in the middle of a tree kill) would stop the new
            // leader the moment it joins; a fresh group is THAWED already, so this costs one write.
            if (g.hasFreezer() && !Files.readString(dirs.get("freezer").resolve("freezer.state")).trim().equals("THAWED"))
                g.thaw();
            if (dirs.containsKey("memory") && limits.memMb() > 0)
                write(dirs.get("memory").resolve("memory.limit_in_bytes"), Long.toString(limits.memMb() * 1024 * 1024));
            if (dirs.containsKey("cpu") && limits.cpus() > 0) {
                long quota = Math.max(1000, Math.round(limits.cpus() * CFS_PERIOD_US));
                write(dirs.get("cpu").resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_US));
                write(dirs.get("cpu").resolve("cpu.cfs_quota_us"), Long.toString(quota));
            }
            return g;
        } catch (IOException e) {
            new Group(attemptId, dirs).remove();
            throw e;
        }
    }

    /** The attempt's groups if any exist (after an agent restart, for clean-up). */
    public Group existing(String attemptId) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (String c : controllers) {
            Path dir = root.resolve(c).resolve(parent).resolve(attemptId);
            if (Files.isDirectory(dir)) dirs.put(c, dir);
        }
        return new Group(attemptId, dirs);
    }

    /** Attempt ids that have a group under any controller. */
    public Set<String> attemptIds() {
        Set<String> ids = new TreeSet<>();
        for (String c : controllers) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve(c).resolve(parent), Files::isDirectory)) {
                for (Path p : ds) {
                    String name = p.getFileName().toString();
                    if (!name.startsWith(".")) ids.add(name);
                }
            } catch (IOException e) {
                // no parent group yet: nothing to report
            }
        }
        return ids;
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value, StandardCharsets.US_ASCII);
    }

    /** One attempt's groups, one directory per controller. */
    public static final class Group {
        private final String attemptId;
        private final Map<String, Path> dirs;

        private Group(String attemptId, Map<String, Path> dirs) {
            this.attemptId = attemptId;
            this.dirs = Map.copyOf(dirs);
        }

        public String attemptId() {
            return attemptId;
        }

        public boolean isEmpty() {
            return dirs.isEmpty();
        }

        /** The {@code cgroup.procs} files a new process writes its pid into, one per controller. */
        public List<Path> procsFiles() {
            List<Path> files = new ArrayList<>();
            for (String c : WANTED) if (dirs.containsKey(c)) files.add(dirs.get(c).resolve("cgroup.procs"));
            return files;
        }

        /** Every pid in any of the attempt's groups (zombies may be included; filter them). */
        public Set<Long> pids() {
            Set<Long> pids = new TreeSet<>();
            for (Path dir : dirs.values()) {
                try {
                    for (String line : Files.readAllLines(dir.resolve("cgroup.procs"), StandardCharsets.US_ASCII)) {
                        if (!line.isBlank()) pids.add(Long.parseLong(line.trim()));
                    }
                } catch (IOException | RuntimeException e) {
                    // group already removed
                }
            }
            return pids;
        }

        public boolean hasFreezer() {
            return dirs.containsKey("freezer");
        }

        /** Asks the kernel to freeze every process of the group (see {@link #frozen()}); false when it cannot. */
        public boolean freeze() {
            return setFreezer("FROZEN");
        }

        public void thaw() {
            setFreezer("THAWED");
        }

        /** True once the freeze has taken effect (the state moves FREEZING → FROZEN). */
        public boolean frozen() {
            if (!hasFreezer()) return false;
            try {
                return Files.readString(dirs.get("freezer").resolve("freezer.state")).trim().equals("FROZEN");
            } catch (IOException e) {
                return false;
            }
        }

        private boolean setFreezer(String state) {
            if (!hasFreezer()) return false;
            Path dir = dirs.get("freezer");
            try {
                write(dir.resolve("freezer.state"), state);
                return true;
            } catch (IOException e) {
                // An empty group may have been removed already (by us, or by a host tool that prunes empty groups).
                if (Files.isDirectory(dir)) LOG.warn("attempt {}: cannot set freezer to {}: {}", attemptId, state, e.toString());
                return false;
            }
        }

        /** True when the kernel's OOM killer killed a process of this group (memory limit hit). */
        public boolean oomKilled() {
            Path dir = dirs.get("memory");
            if (dir == null) return false;
            try {
                for (String line : Files.readAllLines(dir.resolve("memory.oom_control"))) {
                    if (line.startsWith("oom_kill ")) return Long.parseLong(line.substring(9).trim()) > 0;
                }
            } catch (IOException | RuntimeException e) {
                // not available on this kernel
            }
            return false;
        }

        /** Removes every group directory; true when none is left. A group that still has processes stays. */
        public boolean remove() {
            boolean all = true;
            for (Path dir : dirs.values()) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    all = false;
                }
            }
            return all;
        }
    }
}
