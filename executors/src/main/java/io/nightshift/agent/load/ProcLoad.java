package io.nightshift.agent.load;

import java.util.Optional;

/**
 * Parsing of the {@code /proc} files the owner-load sampler reads, and the arithmetic that turns two
 * readings into the owners' share. Pure: strings in, numbers out, so it is tested with fixtures.
 *
 * <p>CPU is compared in clock ticks on both sides (the machine's {@code /proc/stat} and each process's
 * {@code /proc/<pid>/stat}), so the tick rate ({@code USER_HZ}) cancels out:
 * <pre>
 *   owner cores = max(0, Δbusy − Δours) / Δtotal × cpus
 *   owner MiB   = max(0, (MemTotal − MemAvailable) − Σ VmRSS of ours) / 1024
 * </pre>
 * where {@code busy} is every tick but {@code idle} and {@code iowait}, {@code total} every tick of the
 * aggregate {@code cpu} line (all cpus together), and {@code cpus} the number of {@code cpuN} lines.
 */
public final class ProcLoad {
    private ProcLoad() {
    }

    /** One reading of the whole machine: ticks of every cpu together, the cpu count, memory in KiB. */
    public record Machine(long busyTicks, long totalTicks, int cpus, long memTotalKb, long memAvailableKb) {
        public long memUsedKb() {
            return Math.max(0, memTotalKb - memAvailableKb);
        }
    }

    /** A process's cpu ticks so far ({@code utime + stime}) and its start time (ticks after boot). */
    public record ProcTicks(long ticks, long startTime) {
    }

    /** The owners' load between two machine readings: cores (fractional) and MiB. */
    public record Raw(double cpus, long memMb) {
    }

    /**
     * {@code /proc/stat} and {@code /proc/meminfo} → a machine reading. Empty when a file lacks what is
     * needed (no aggregate cpu line, no MemTotal). MemAvailable (kernels ≥ 3.14) falls back to
     * MemFree + Buffers + Cached.
     */
    public static Optional<Machine> machine(String stat, String meminfo) {
        long busy = -1;
        long total = -1;
        int cpus = 0;
        for (String line : stat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 5) return Optional.empty();
                long idle = 0;
                long sum = 0;
                try {
                    // user nice system idle iowait irq softirq steal [guest guest_nice: already counted in user/nice]
                    for (int i = 1; i < Math.min(f.length, 9); i++) {
                        long v = Long.parseLong(f[i]);
                        sum += v;
                        if (i == 4 || i == 5) idle += v;
                    }
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
                total = sum;
                busy = sum - idle;
            } else if (line.startsWith("cpu") && line.length() > 3 && Character.isDigit(line.charAt(3))) {
                cpus++;
            }
        }
        if (total < 0 || cpus == 0) return Optional.empty();
        long memTotal = -1;
        long available = -1;
        long free = 0;
        long buffers = 0;
        long cached = 0;
        for (String line : meminfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String key = line.substring(0, colon);
            long kb = kb(line.substring(colon + 1));
            if (kb < 0) continue;
            switch (key) {
                case "MemTotal" -> memTotal = kb;
                case "MemAvailable" -> available = kb;
                case "MemFree" -> free = kb;
                case "Buffers" -> buffers = kb;
                case "Cached" -> cached = kb;
                default -> { }
            }
        }
        if (memTotal < 0) return Optional.empty();
        if (available < 0) available = Math.min(memTotal, free + buffers + cached);
        return Optional.of(new Machine(busy, total, cpus, memTotal, available));
    }

    /**
     * {@code /proc/<pid>/stat} → utime + stime (fields 14, 15) and starttime (field 22). {@code comm} may
     * hold spaces and parentheses, so fields are counted after the last ')'.
     */
    public static Optional<ProcTicks> procTicks(String statLine) {
        int close = statLine.lastIndexOf(')');
        if (close < 0) return Optional.empty();
        String[] f = statLine.substring(close + 1).trim().split(" ");
        if (f.length < 20) return Optional.empty();
        try {
            // f[0] is field 3 (state): utime is field 14 = f[11], stime f[12], starttime field 22 = f[19]
            return Optional.of(new ProcTicks(Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[19])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** {@code VmRSS} of {@code /proc/<pid>/status} in KiB; 0 when absent (kernel threads, zombies). */
    public static long vmRssKb(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) return Math.max(0, kb(line.substring(6)));
        }
        return 0;
    }

    /**
     * The owners' load between {@code before} and {@code now}, given the ticks our processes used in
     * between and their resident memory now. Clamped at zero (our processes' ticks are read a moment
     * after the machine's, so they can exceed its delta by a little).
     */
    public static Raw owners(Machine before, Machine now, long ourTicks, long ourRssKb) {
        long dTotal = now.totalTicks() - before.totalTicks();
        long dBusy = now.busyTicks() - before.busyTicks();
        double cpus = 0;
        if (dTotal > 0) {
            cpus = Math.max(0, dBusy - ourTicks) / (double) dTotal * now.cpus();
            cpus = Math.min(now.cpus(), Math.round(cpus * 1000d) / 1000d);
        }
        long memMb = Math.max(0, now.memUsedKb() - ourRssKb) / 1024;
        return new Raw(cpus, memMb);
    }

    /** "  123456 kB" → 123456; -1 when not a number. */
    private static long kb(String value) {
        String v = value.trim();
        int sp = v.indexOf(' ');
        if (sp >= 0) v = v.substring(0, sp);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
