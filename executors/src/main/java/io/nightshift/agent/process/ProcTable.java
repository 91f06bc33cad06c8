package io.nightshift.agent.process;

import java.io.FileInputStream;
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

        /**
         * kthreadd (pid 2) and its children, the kernel's threads: they have no environment, and no user process
         * can be one (only the kernel starts children of kthreadd), so a scan need not read their {@code environ}
         * (on this kind of VM they are about half of all processes).
         */
        public boolean isKernelThread() {
            return pid == 2 || ppid == 2;
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

    /** How many readings {@link #freshSnapshot()} has taken so far (fewer than its calls when callers shared). */
    public long readings() {
        return scans.readings();
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
        try (FileInputStream in = new FileInputStream(root.resolve(Long.toString(pid)).resolve("environ").toString())) {
            return in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            return new byte[0];
        }
    }

    /**
     * Every process readable now, dead ones included (filter with {@link Proc#isDead()}). Each {@code stat} is
     * read with a plain {@link FileInputStream} into one buffer reused for the whole walk and parsed from its
     * bytes: {@code Files.readString} per process (a channel, a size query, a temporary direct buffer, a String
     * and a split of every field) made the walk the agent's largest cost under a burst of short tasks.
     */
    public List<Proc> list() {
        List<Proc> out = new ArrayList<>();
        byte[] buf = new byte[STAT_BUFFER];
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, p -> isNumeric(p.getFileName().toString()))) {
            for (Path dir : dirs) {
                Proc p = readStat(dir.resolve("stat").toString(), buf);
                if (p != null) out.add(p);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** A stat line is well under this (comm is at most 64 bytes; 52 numeric fields): larger ones are cut, and
     *  only the fields up to 22 are read. */
    static final int STAT_BUFFER = 1024;

    /** The stat row at {@code file} read into {@code buf}; null when it no longer exists or is unreadable. */
    private static Proc readStat(String file, byte[] buf) {
        int n = 0;
        try (FileInputStream in = new FileInputStream(file)) {
            int r;
            while (n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0) n += r;
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return parseStat(buf, n);
    }

    /** The stat row of one process, empty when it no longer exists. */
    public Optional<Proc> stat(long pid) {
        return Optional.ofNullable(readStat(root.resolve(Long.toString(pid)).resolve("stat").toString(),
                new byte[STAT_BUFFER]));
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
     * {@link #parseStat(String)} from the first {@code len} bytes of {@code b}, without making a String: the pid
     * before the first '(', then the fields after the LAST ')'. Null when the row is malformed.
     */
    static Proc parseStat(byte[] b, int len) {
        int open = -1, close = -1;
        for (int i = 0; i < len; i++) {
            if (b[i] == '(') {
                if (open < 0) open = i;
            } else if (b[i] == ')') {
                close = i;
            }
        }
        if (open < 0 || close < open) return null;
        long pid = parseLong(b, 0, open);
        if (pid < 0) return null;
        // fields after ')': f[0] state (field 3), f[1] ppid, f[2] pgrp, f[3] session, ..., f[19] starttime (field 22)
        long[] f = new long[20];
        char state = 0;
        int field = 0, i = close + 1;
        while (field < 20) {
            while (i < len && b[i] == ' ') i++;
            int start = i;
            while (i < len && b[i] != ' ' && b[i] != '\n') i++;
            if (start == i) break;
            if (field == 0) {
                state = (char) (b[start] & 0xff);
            } else if (field <= 3 || field == 19) {
                f[field] = parseLong(b, start, i);
                if (f[field] == Long.MIN_VALUE) return null;
            }
            field++;
            if (i < len && b[i] == '\n') break;
        }
        if (field < 4) return null;
        return new Proc(pid, f[1], f[2], f[3], state, field > 19 ? f[19] : -1);
    }

    /** The decimal (optionally negative) in b[from, to), trimmed of spaces; Long.MIN_VALUE when it is not one. */
    private static long parseLong(byte[] b, int from, int to) {
        while (from < to && b[from] == ' ') from++;
        while (to > from && b[to - 1] == ' ') to--;
        if (from == to) return Long.MIN_VALUE;
        boolean neg = b[from] == '-';
        if (neg) from++;
        if (from == to || to - from > 18) return Long.MIN_VALUE;
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) return Long.MIN_VALUE;
            v = v * 10 + d;
        }
        return neg ? -v : v;
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
