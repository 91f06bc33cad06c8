package io.nightshift.agent.sandbox;

import io.nightshift.connectors.extract.Extractor;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes sandboxes of attempts that no longer run: first every one idle for longer than
 * {@code maxAge}, then, while all sandboxes together exceed {@code budgetBytes}, the oldest first.
 * A running attempt's sandbox is never deleted (it still counts towards the budget). "Age" is the
 * time since anything directly in the sandbox was last modified.
 */
public final class SandboxGc {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxGc.class);

    /** What GC knows of one sandbox. */
    public record Entry(String attemptId, Instant lastModified, long bytes) {
    }

    private final Path root;
    private final Duration maxAge;
    private final long budgetBytes;
    private final Clock clock;
    private final Supplier<Set<String>> running;
    private final Consumer<String> onDeleted;

    /**
     * @param root      the {@code sandboxes/} directory
     * @param running   attempt ids that must be kept; asked after the directory is listed
     * @param onDeleted told each deleted attempt id (the agent forgets the attempt)
     */
    public SandboxGc(Path root, Duration maxAge, long budgetBytes, Clock clock, Supplier<Set<String>> running,
                     Consumer<String> onDeleted) {
        this.root = root;
        this.maxAge = maxAge;
        this.budgetBytes = budgetBytes;
        this.clock = clock;
        this.running = running;
        this.onDeleted = onDeleted;
    }

    /**
     * The attempt ids to delete, in deletion order. Pure.
     * Expired (idle longer than {@code maxAge}) first, oldest first; then the oldest remaining ones
     * until the total of what is left fits {@code budgetBytes}.
     */
    public static List<String> plan(List<Entry> entries, Set<String> running, Instant now, Duration maxAge,
                                    long budgetBytes) {
        List<Entry> byAge = new ArrayList<>(entries);
        byAge.sort(Comparator.comparing(Entry::lastModified).thenComparing(Entry::attemptId));
        long total = entries.stream().mapToLong(Entry::bytes).sum();
        Instant cutoff = now.minus(maxAge);
        List<String> delete = new ArrayList<>();
        for (Entry e : byAge) {
            if (running.contains(e.attemptId())) continue;
            if (e.lastModified().isBefore(cutoff) || total > budgetBytes) {
                delete.add(e.attemptId());
                total -= e.bytes();
            }
        }
        return delete;
    }

    /** One GC pass; returns the deleted attempt ids. Never throws. */
    public List<String> collect() {
        List<Entry> entries;
        try {
            entries = scan();
        } catch (IOException e) {
            LOG.warn("sandbox gc: cannot scan {}: {}", root, e.toString());
            return List.of();
        }
        Set<String> keep = running.get();
        List<String> deleted = new ArrayList<>();
        for (String id : plan(entries, keep, clock.instant(), maxAge, budgetBytes)) {
            try {
                Extractor.deleteTree(root.resolve(id)); // without following links out of it
                deleted.add(id);
                onDeleted.accept(id);
                LOG.info("attempt {}: sandbox deleted by gc", id);
            } catch (IOException e) {
                LOG.warn("attempt {}: sandbox gc could not delete it: {}", id, e.toString());
            }
        }
        return deleted;
    }

    List<Entry> scan() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path dir : ds) {
                String id = dir.getFileName().toString();
                if (!Sandbox.isValidAttemptId(id) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) continue;
                try {
                    out.add(new Entry(id, lastModified(dir), size(dir)));
                } catch (NoSuchFileException e) {
                    // deleted while scanning
                }
            }
        }
        return out;
    }

    private static Instant lastModified(Path dir) throws IOException {
        Instant latest = Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Instant t = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
                if (t.isAfter(latest)) latest = t;
            }
        }
        return latest;
    }

    private static long size(Path dir) throws IOException {
        long[] total = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total[0] += attrs.size();
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }
}
