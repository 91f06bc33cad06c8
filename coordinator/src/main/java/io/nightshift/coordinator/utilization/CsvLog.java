package io.nightshift.coordinator.utilization;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file behind a bounded history of samples: one line per sample appended (flushed, not fsync'd), the whole
 * file rewritten with what the history holds when its owner says so (write a temporary file, then move it over),
 * and the lines read back on open. With no file every call is a no-op, for a history in memory only. Not
 * thread-safe: its owner calls it under its own lock.
 */
final class CsvLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CsvLog.class);

    private final Path file; // nullable: in memory only
    private final String what; // for log lines: "utilization history", "pool utilization history"
    private BufferedWriter out;
    private int lines;

    CsvLog(Path file, String what) {
        this.file = file;
        this.what = what;
    }

    /** The file's lines (empty when there is no file, it is missing, or it cannot be read, which is logged). */
    List<String> read() {
        if (file == null || !Files.exists(file)) return List.of();
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            log.warn("{} {} unreadable, starting empty: {}", what, file, e.toString());
            return List.of();
        }
    }

    /** Appends one line; the lines now in the file (0 without a file). */
    int append(String line) {
        if (file == null) return 0;
        try {
            if (out == null) out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            out.write(line);
            out.write('\n');
            out.flush();
            lines++;
        } catch (IOException e) {
            log.warn("cannot append to {} {}: {}", what, file, e.toString());
        }
        return lines;
    }

    /** Replaces the file's content by {@code samples}, each formatted as one line. */
    <T> void rewrite(Iterable<T> samples, Function<T, String> format) {
        if (file == null) return;
        try {
            close();
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            int n = 0;
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                for (T s : samples) {
                    w.write(format.apply(s));
                    w.write('\n');
                    n++;
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            lines = n;
        } catch (IOException e) {
            log.warn("cannot rewrite {} {}: {}", what, file, e.toString());
        }
    }

    /**
     * {@code samples} as at most {@code maxPoints} points (all of them when {@code maxPoints < 1} or they fit): runs of
     * consecutive samples merged by {@code mean}, so a chart of the last day stays a few hundred points.
     */
    static <T> List<T> buckets(List<T> samples, int maxPoints, Function<List<T>, T> mean) {
        if (maxPoints < 1 || samples.size() <= maxPoints) return samples;
        int per = (samples.size() + maxPoints - 1) / maxPoints;
        List<T> merged = new java.util.ArrayList<>();
        for (int i = 0; i < samples.size(); i += per) merged.add(mean.apply(samples.subList(i, Math.min(samples.size(), i + per))));
        return merged;
    }

    /** A sample's number as written: at most 4 decimals, no trailing zeros. */
    static String trim(double v) {
        return java.math.BigDecimal.valueOf(v).setScale(4, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    @Override
    public void close() {
        if (out == null) return;
        try {
            out.close();
        } catch (IOException e) {
            log.debug("closing {}: {}", what, e.toString());
        }
        out = null;
    }
}
