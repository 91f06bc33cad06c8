package io.nightshift.agent.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class SandboxGcTest {
    static final Instant NOW = Instant.parse("2030-01-10T00:00:00Z");
    static final long MB = 1024 * 1024;

    @TempDir
    Path root;
    final List<String> forgotten = new ArrayList<>();

    /** A sandbox last touched {@code ageDays} ago, holding {@code sizeMb} of output. */
    private void sandbox(String id, double ageDays, int sizeMb) throws Exception {
        Path dir = Files.createDirectories(root.resolve(id));
        Path out = dir.resolve("stdout");
        Files.write(out, new byte[(int) (sizeMb * MB)]);
        Files.createDirectories(dir.resolve("work/nested"));
        Files.writeString(dir.resolve("work/nested/file"), "x");
        FileTime t = FileTime.from(NOW.minusSeconds((long) (ageDays * 86400)));
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) Files.setLastModifiedTime(p, t);
        }
    }

    private SandboxGc gc(Duration maxAge, long budgetMb, Set<String> running) {
        return new SandboxGc(root, maxAge, budgetMb * MB, Clock.fixed(NOW, ZoneOffset.UTC), () -> running, forgotten::add);
    }

    private List<String> remaining() throws Exception {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void deletesFinishedSandboxesOlderThanMaxAge() throws Exception {
        sandbox("old.1", 8, 1);
        sandbox("young.1", 1, 1);
        assertThat(gc(Duration.ofDays(7), 1000, Set.of()).collect()).containsExactly("old.1");
        assertThat(remaining()).containsExactly("young.1");
        assertThat(forgotten).containsExactly("old.1");
    }

    @Test
    void neverDeletesARunningAttemptsSandboxHoweverOld() throws Exception {
        sandbox("ancient.1", 100, 5);
        assertThat(gc(Duration.ofDays(7), 1, Set.of("ancient.1")).collect()).isEmpty();
        assertThat(remaining()).containsExactly("ancient.1");
    }

    @Test
    void overBudgetDeletesOldestFinishedFirstUntilItFits() throws Exception {
        sandbox("a.1", 3, 4);   // oldest
        sandbox("b.1", 2, 4);   // running: kept, but still counts
        sandbox("c.1", 1, 4);
        sandbox("d.1", 0.5, 4); // newest
        // 16 MB in total, 9 MB budget: a (→12), skip b, c (→8) and stop.
        assertThat(gc(Duration.ofDays(7), 9, Set.of("b.1")).collect()).containsExactly("a.1", "c.1");
        assertThat(remaining()).containsExactly("b.1", "d.1");
    }

    @Test
    void ageIsTheLatestModificationInsideTheSandbox() throws Exception {
        sandbox("quiet.1", 10, 0);
        Files.setLastModifiedTime(root.resolve("quiet.1/stdout"), FileTime.from(NOW.minusSeconds(60)));
        assertThat(gc(Duration.ofDays(7), 1000, Set.of()).collect()).isEmpty();
    }

    @Test
    void ignoresEntriesThatAreNoSandboxAndDoesNotFollowLinksOut(@TempDir Path outside) throws Exception {
        Files.writeString(outside.resolve("precious"), "keep me");
        sandbox("linky.1", 30, 0);
        Files.createSymbolicLink(root.resolve("linky.1/out"), outside);
        Files.createDirectories(root.resolve(".tmp"));
        assertThat(gc(Duration.ofDays(7), 1000, Set.of()).collect()).containsExactly("linky.1");
        assertThat(outside.resolve("precious")).hasContent("keep me");
        assertThat(remaining()).containsExactly(".tmp");
    }

    @Test
    void planIsPure() {
        var entries = List.of(new SandboxGc.Entry("x", NOW.minus(Duration.ofDays(1)), 10),
                new SandboxGc.Entry("y", NOW.minus(Duration.ofDays(2)), 10));
        assertThat(SandboxGc.plan(entries, Set.of(), NOW, Duration.ofDays(7), 15)).containsExactly("y");
        assertThat(SandboxGc.plan(entries, Set.of(), NOW, Duration.ofDays(7), 20)).isEmpty();
        assertThat(SandboxGc.plan(entries, Set.of(), NOW, Duration.ofHours(1), 100)).containsExactly("y", "x");
    }
}
