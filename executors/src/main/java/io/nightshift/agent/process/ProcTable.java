package io.nightshift.agent.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads the Linux process table from {@code /proc}. Processes vanish while they are read, so every
 * method tolerates a missing or unreadable entry by skipping it. Environment blocks are only matched,
 * never returned or logged: they may hold secrets.
 */
public final class ProcTable {

    /**
     * One row of {@code /proc/<pid>/stat}: the ids needed to find a process tree, and the start time
     * (field 22, clock ticks since boot; -1 when the row is too short), which together with the pid
     * names one process for the machine's uptime: a recycled pid has a later start time.
     */
    public record Proc(long pid, long ppid, long pgrp, long session, char state, long startTime) {
        /** Zombies ({@code Z}) and dead tasks ({@code X}) are gone for every purpose but their pid. */
        public boolean isDead() {
            return state == 'Z' || state == 'X';
        }
    }

    public static final ProcTable SYSTEM = new ProcTable(Path.of("/proc"));

    private final Path root;
    private final SharedScans scans = new SharedScans(this::snapshot);

    public ProcTable(Path root) {
        this.root = root;
    }

    /**
     * A reading of the process table that began after this call, shared with every other caller that asked
     * while it was being taken (a group commit of scans: under a burst of exits one {@code /proc} walk serves
     * several attempts instead of one walk each). Blocks while a reading is in progress.
     */
    public Snapshot freshSnapshot() {
        return scans.fresh();
    }

    /** Reads the table now (not shared). */
    Snapshot snapshot() {
        return new Snapshot(list());
    }

    /**
     * The processes of one reading of {@code /proc}, with each process's environment read at most once, on
     * first use (a process may have exited since: then it has none). Thread-safe.
     */
    public final class Snapshot {
        private final List<Proc> procs;
        private final java.util.concurrent.ConcurrentHashMap<Long, byte[]> environ = new java.util.concurrent.ConcurrentHashMap<>();

        Snapshot(List<Proc> procs) {
            this.procs = List.copyOf(procs);
        }

        public List<Proc> procs() {
            return procs;
        }

        /** As {@link ProcTable#hasEnvEntry}, from the environment read once per process and snapshot. */
        public boolean hasEnvEntry(long pid, String name, String value) {
            byte[] env = environ.computeIfAbsent(pid, ProcTable.this::environ);
            return containsEntry(env, (name + "=" + value).getBytes(StandardCharsets.UTF_8));
        }
    }

    private byte[] environ(long pid) {
        try {
            return Files.readAllBytes(root.resolve(Long.toString(pid)).resolve("environ"));
        } catch (IOException | RuntimeException e) {
            return new byte[0];
        }
    }

    /** Every process readable now, dead ones included (filter with {@link Proc#isDead()}). */
    public List<Proc> list() {
        List<Proc> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, p -> isNumeric(p.getFileName().toString()))) {
            for (Path dir : dirs) {
                stat(Long.parseLong(dir.getFileName().toString())).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The stat row of one process, empty when it no longer exists. */
    public Optional<Proc> stat(long pid) {
        String line;
        try {
            line = Files.readString(root.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return parseStat(line);
    }

    /**
     * The start time (field 22 of {@code /proc/<pid>/stat}) of a living process; empty when there is
     * no such process or it is a zombie (it has exited; only its parent's wait is missing).
     */
    public OptionalLong startTimeOfLiving(long pid) {
        Optional<Proc> p = stat(pid);
        return p.isEmpty() || p.get().isDead() || p.get().startTime() < 0 ? OptionalLong.empty()
                : OptionalLong.of(p.get().startTime());
    }

    /** True when {@code pid} is alive (not a zombie) and is the process that started at {@code startTime}. */
    public boolean isSameLivingProcess(long pid, long startTime) {
        OptionalLong t = startTimeOfLiving(pid);
        return t.isPresent() && t.getAsLong() == startTime;
    }

    /**
     * Parses {@code pid (comm) state ppid pgrp session ... starttime ...}. {@code comm} may contain spaces and
     * parentheses, so the fields are read after the LAST ')'.
     */
    static Optional<Proc> parseStat(String line) {
        int close = line.lastIndexOf(')');
        int open = line.indexOf('(');
        if (close < 0 || open < 0) return Optional.empty();
        try {
            long pid = Long.parseLong(line.substring(0, open).trim());
            String[] f = line.substring(close + 1).trim().split(" ");
            if (f.length < 4) return Optional.empty();
            long startTime = f.length > 19 ? Long.parseLong(f[19]) : -1; // f[0] is field 3 (state), so field 22 is f[19]
            return Optional.of(new Proc(pid, Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), f[0].charAt(0),
                    startTime));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * True when the process's initial environment holds exactly the entry {@code name=value}. A
     * kernel thread or a zombie has an empty environment and never matches.
     */
    public boolean hasEnvEntry(long pid, String name, String value) {
        return containsEntry(environ(pid), (name + "=" + value).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code environ} is NUL-separated {@code k=v} entries; match a whole entry only. */
    static boolean containsEntry(byte[] environ, byte[] entry) {
        int start = 0;
        for (int i = 0; i <= environ.length; i++) {
            if (i == environ.length || environ[i] == 0) {
                if (i - start == entry.length && Arrays.equals(environ, start, i, entry, 0, entry.length)) return true;
                start = i + 1;
            }
        }
        return false;
    }

    private static boolean isNumeric(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (!Character.isDigit(s.charAt(i))) return false;
        return true;
    }
}
