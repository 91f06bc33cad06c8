package io.nightshift.coordinator.utilization;

import io.nightshift.api.Resources;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Each pool's capacity over the last {@code kept}: per sample, what its active agents have ({@code total}), what
 * Nightshift's tasks hold on them ({@code used}), what the owners hold ({@code owners}: their measured load, raised to
 * the reservation outside the pool's windows), what is idle for Nightshift ({@code idle}), and how much of the
 * owners' reservation is lent out because a window is open ({@code lent}). At most {@code capacity} samples per pool
 * and {@link #MAX_POOLS} pools (the series of a pool that has not been sampled for longest is dropped first).
 *
 * <p>Durable like {@link UtilizationHistory}: one CSV line per pool and sample in one file
 * ({@code epochMillis,pool,agents,lending,totalCpus,totalMemMb,usedCpus,usedMemMb,ownersCpus,ownersMemMb,idleCpus,
 * idleMemMb,lentCpus,lentMemMb}), read back on open (samples newer than {@code now - kept}), rewritten with what is
 * held once it has twice as many lines; a torn or foreign line is skipped. Thread-safe.
 */
public final class PoolUtilizationHistory implements AutoCloseable {
    /** Most pools with a series; a pool name matches the pool name pattern, so it needs no quoting in the CSV. */
    public static final int MAX_POOLS = 64;
    /** Most samples per pool: a day at 20 s. */
    public static final int MAX_SAMPLES_PER_POOL = 4320;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    /** One pool at one time. {@code lending}: a window of the pool was open. */
    public record Sample(Instant at, int agents, boolean lending, Resources total, Resources used, Resources owners,
                         Resources idle, Resources lent) {
    }

    private final int capacity;
    private final Duration kept;
    private final CsvLog file;
    private final Map<String, ArrayDeque<Sample>> series = new HashMap<>();

    private PoolUtilizationHistory(int capacity, Duration kept, Path file) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        this.capacity = Math.min(capacity, MAX_SAMPLES_PER_POOL);
        this.kept = kept;
        this.file = new CsvLog(file, "pool utilization history");
    }

    /**
     * The time between two samples of a pool so that {@code kept} fits in {@link #MAX_SAMPLES_PER_POOL}: the cluster's
     * {@code interval}, or longer for a long {@code kept} (20 s for the default day).
     */
    public static Duration step(Duration interval, Duration kept) {
        Duration least = kept.dividedBy(MAX_SAMPLES_PER_POOL);
        return least.compareTo(interval) > 0 ? least : interval;
    }

    public static PoolUtilizationHistory inMemory(int capacity, Duration kept) {
        return new PoolUtilizationHistory(capacity, kept, null);
    }

    /** A history kept in {@code file} (created when missing), with the samples it holds newer than {@code now - kept}. */
    public static PoolUtilizationHistory open(Path file, int capacity, Duration kept, Instant now) {
        PoolUtilizationHistory h = new PoolUtilizationHistory(capacity, kept, file);
        h.load(now);
        return h;
    }

    private void load(Instant now) {
        Instant cutoff = now.minus(kept);
        for (String line : file.read()) {
            Sample s = parse(line);
            if (s != null && s.at().isAfter(cutoff)) append(line.split(",", 3)[1], s); // parse checked the pool field
        }
        rewrite();
    }

    static Sample parse(String line) {
        String[] f = line.split(",");
        if (f.length != 14 || !NAME.matcher(f[1]).matches()) return null;
        try {
            return new Sample(Instant.ofEpochMilli(Long.parseLong(f[0])), Integer.parseInt(f[2]), "1".equals(f[3]),
                    res(f[4], f[5]), res(f[6], f[7]), res(f[8], f[9]), res(f[10], f[11]), res(f[12], f[13]));
        } catch (RuntimeException e) {
            return null; // a torn or foreign line
        }
    }

    private static Resources res(String cpus, String mem) {
        return Resources.of(Double.parseDouble(cpus), Long.parseLong(mem));
    }

    static String format(String pool, Sample s) {
        StringBuilder b = new StringBuilder().append(s.at().toEpochMilli()).append(',').append(pool).append(',')
                .append(s.agents()).append(',').append(s.lending() ? '1' : '0');
        for (Resources r : List.of(s.total(), s.used(), s.owners(), s.idle(), s.lent()))
            b.append(',').append(CsvLog.trim(r.cpus())).append(',').append(r.memMb());
        return b.toString();
    }

    private boolean append(String pool, Sample s) {
        ArrayDeque<Sample> d = series.get(pool);
        if (d == null) {
            if (series.size() >= MAX_POOLS) dropStalest();
            d = new ArrayDeque<>();
            series.put(pool, d);
        } else if (!d.isEmpty() && !s.at().isAfter(d.peekLast().at())) {
            return false; // time only moves forward within a series
        }
        d.addLast(s);
        while (d.size() > capacity) d.removeFirst();
        return true;
    }

    private void dropStalest() {
        String stalest = null;
        Instant oldest = null;
        for (Map.Entry<String, ArrayDeque<Sample>> e : series.entrySet()) {
            Instant last = e.getValue().isEmpty() ? Instant.MIN : e.getValue().peekLast().at();
            if (oldest == null || last.isBefore(oldest)) {
                oldest = last;
                stalest = e.getKey();
            }
        }
        series.remove(stalest);
    }

    /** Records one pool's sample (ignored when not newer than the pool's newest, or when the name is not a pool name). */
    public synchronized void add(String pool, Sample s) {
        if (pool == null || !NAME.matcher(pool).matches() || !append(pool, s)) return;
        if (file.append(format(pool, s)) >= 2 * Math.max(capacity, held())) rewrite();
    }

    private int held() {
        int n = 0;
        for (ArrayDeque<Sample> d : series.values()) n += d.size();
        return n;
    }

    private void rewrite() {
        List<Map.Entry<String, Sample>> lines = new ArrayList<>();
        for (Map.Entry<String, ArrayDeque<Sample>> e : series.entrySet())
            for (Sample s : e.getValue()) lines.add(Map.entry(e.getKey(), s));
        file.rewrite(lines, e -> format(e.getKey(), e.getValue()));
    }

    /**
     * The pool's samples taken after {@code since}, oldest first, at most {@code maxPoints}: when there are more,
     * consecutive samples are merged into buckets (the mean of each resource; the bucket's last time and agent count;
     * lending when any sample of the bucket was).
     */
    public synchronized List<Sample> since(String pool, Instant since, int maxPoints) {
        List<Sample> out = new ArrayList<>();
        ArrayDeque<Sample> d = series.get(pool);
        if (d != null) for (Sample s : d) if (s.at().isAfter(since)) out.add(s);
        return CsvLog.buckets(out, maxPoints, PoolUtilizationHistory::mean);
    }

    private static Sample mean(List<Sample> bucket) {
        int n = bucket.size();
        double[] c = new double[5];
        long[] m = new long[5];
        boolean lending = false;
        for (Sample s : bucket) {
            List<Resources> rs = List.of(s.total(), s.used(), s.owners(), s.idle(), s.lent());
            for (int i = 0; i < 5; i++) {
                c[i] += rs.get(i).cpus();
                m[i] += rs.get(i).memMb();
            }
            lending |= s.lending();
        }
        Sample last = bucket.get(n - 1);
        Resources[] r = new Resources[5];
        for (int i = 0; i < 5; i++) r[i] = Resources.of(c[i] / n, m[i] / n);
        return new Sample(last.at(), last.agents(), lending, r[0], r[1], r[2], r[3], r[4]);
    }

    public synchronized int size(String pool) {
        ArrayDeque<Sample> d = series.get(pool);
        return d == null ? 0 : d.size();
    }

    public synchronized int pools() {
        return series.size();
    }

    @Override
    public synchronized void close() {
        file.close();
    }
}
