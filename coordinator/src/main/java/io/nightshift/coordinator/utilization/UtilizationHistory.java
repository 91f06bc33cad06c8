package io.nightshift.coordinator.utilization;

import io.nightshift.api.Resources;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The cluster's used and total resources over the last {@code kept}, one {@link Sample} per sampling
 * interval, bounded to {@code capacity} samples (the oldest are dropped first). Time is an input: every
 * method that needs "now" is given it.
 *
 * <p>Durable when given a file: each sample is appended as one CSV line
 * ({@code epochMillis,usedCpus,usedMemMb,totalCpus,totalMemMb,agents}); on open the file's samples newer
 * than {@code now - kept} are read back, and once it holds twice the capacity it is rewritten with the
 * samples kept (write to a temporary file, then move). A torn last line after a crash is skipped. The
 * appends are not fsync'd: losing the last few samples on a machine crash costs a few points of a chart.
 *
 * <p>Thread-safe: {@link #add} and {@link #since} may run on different threads.
 */
public final class UtilizationHistory implements AutoCloseable {
    /** One sample: what placed tasks hold ({@code used}) out of what active agents have ({@code total}). */
    public record Sample(Instant at, Resources used, Resources total, int agents) {
    }

    private final int capacity;
    private final Duration kept;
    private final CsvLog file;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    private UtilizationHistory(int capacity, Duration kept, Path file) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        this.capacity = capacity;
        this.kept = kept;
        this.file = new CsvLog(file, "utilization history");
    }

    /** A history in memory only. */
    public static UtilizationHistory inMemory(int capacity, Duration kept) {
        return new UtilizationHistory(capacity, kept, null);
    }

    /** A history kept in {@code file} (created when missing), with the samples it holds newer than {@code now - kept}. */
    public static UtilizationHistory open(Path file, int capacity, Duration kept, Instant now) {
        UtilizationHistory h = new UtilizationHistory(capacity, kept, file);
        h.load(now);
        return h;
    }

    private void load(Instant now) {
        Instant cutoff = now.minus(kept);
        for (String line : file.read()) {
            Sample s = parse(line);
            if (s != null && s.at().isAfter(cutoff)) append(s);
        }
        rewrite();
    }

    static Sample parse(String line) {
        String[] f = line.split(",");
        if (f.length != 6) return null;
        try {
            return new Sample(Instant.ofEpochMilli(Long.parseLong(f[0])), Resources.of(Double.parseDouble(f[1]), Long.parseLong(f[2])),
                    Resources.of(Double.parseDouble(f[3]), Long.parseLong(f[4])), Integer.parseInt(f[5]));
        } catch (RuntimeException e) {
            return null; // a torn or foreign line
        }
    }

    static String format(Sample s) {
        return String.format(Locale.ROOT, "%d,%s,%d,%s,%d,%d", s.at().toEpochMilli(), CsvLog.trim(s.used().cpus()), s.used().memMb(),
                CsvLog.trim(s.total().cpus()), s.total().memMb(), s.agents());
    }

    private void append(Sample s) {
        samples.addLast(s);
        while (samples.size() > capacity) samples.removeFirst();
    }

    /** Records a sample (samples older than the newest one are ignored: time only moves forward here). */
    public synchronized void add(Sample s) {
        if (!samples.isEmpty() && !s.at().isAfter(samples.peekLast().at())) return;
        append(s);
        if (file.append(format(s)) >= 2 * capacity) rewrite();
    }

    /** Rewrites the file with the samples held (so it never grows past twice the capacity). */
    private void rewrite() {
        file.rewrite(samples, UtilizationHistory::format);
    }

    /**
     * The samples taken after {@code since}, oldest first, at most {@code maxPoints}: when there are more,
     * consecutive samples are merged into buckets (mean of used and total, the bucket's last time and agent
     * count), so a chart of the last day stays a few hundred points.
     */
    public synchronized List<Sample> since(Instant since, int maxPoints) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) if (s.at().isAfter(since)) out.add(s);
        return CsvLog.buckets(out, maxPoints, UtilizationHistory::mean);
    }

    private static Sample mean(List<Sample> bucket) {
        double uc = 0, tc = 0;
        long um = 0, tm = 0;
        for (Sample s : bucket) {
            uc += s.used().cpus();
            um += s.used().memMb();
            tc += s.total().cpus();
            tm += s.total().memMb();
        }
        int n = bucket.size();
        Sample last = bucket.get(n - 1);
        return new Sample(last.at(), Resources.of(uc / n, um / n), Resources.of(tc / n, tm / n), last.agents());
    }

    public synchronized int size() {
        return samples.size();
    }

    @Override
    public synchronized void close() {
        file.close();
    }
}
