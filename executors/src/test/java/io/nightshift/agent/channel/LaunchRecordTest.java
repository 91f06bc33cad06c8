package io.nightshift.agent.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.spec.JobSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchRecordTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T02:00:01Z"), ZoneOffset.UTC);
    @TempDir
    Path work;

    static Launch launch(String job, int n, long epoch, Instant scheduledFor) {
        return new Launch(job, job + ".r" + n, job + ".r" + n + ".0", job + ".r" + n + ".0.1", 1,
                JobSpec.command("/bin/true").id(job).build(), epoch, Map.of("TOKEN", "s3cret"), scheduledFor);
    }

    @Test
    void everyLaunchIsALineWithItsEpochScheduledTimeAndVerdictButNoSecret() throws Exception {
        try (LaunchRecord r = new LaunchRecord(work, LaunchRecord.DEFAULT_MAX_BYTES, CLOCK)) {
            r.record(launch("a", 1, 4, Instant.parse("2026-12-02T02:00:00Z")), LaunchRecord.Verdict.LAUNCHED);
            r.record(launch("b", 2, 3, null), LaunchRecord.Verdict.FENCED);
            r.record(launch("a", 1, 4, Instant.parse("2026-12-02T02:00:00Z")), LaunchRecord.Verdict.IGNORED);
            r.flush();
        }
        assertThat(Files.readString(work.resolve(LaunchRecord.FILE))).isEqualTo(
                "2026-12-02T02:00:01Z epoch=4 attempt=a.r1.0.1 job=a run=a.r1 scheduled-for=2026-12-02T02:00:00Z launched\n"
                        + "2026-12-02T02:00:01Z epoch=3 attempt=b.r2.0.1 job=b run=b.r2 scheduled-for=- fenced\n"
                        + "2026-12-02T02:00:01Z epoch=4 attempt=a.r1.0.1 job=a run=a.r1 scheduled-for=2026-12-02T02:00:00Z ignored\n");
        assertThat(LaunchRecord.read(work)).containsExactly(
                new LaunchRecord.Entry("2026-12-02T02:00:01Z", 4, "a.r1.0.1", "a", "a.r1", "2026-12-02T02:00:00Z", "launched"),
                new LaunchRecord.Entry("2026-12-02T02:00:01Z", 3, "b.r2.0.1", "b", "b.r2", "-", "fenced"),
                new LaunchRecord.Entry("2026-12-02T02:00:01Z", 4, "a.r1.0.1", "a", "a.r1", "2026-12-02T02:00:00Z", "ignored"));
    }

    @Test
    void theRecordIsBoundedToTwoFilesAndReadsBackOldestFirst() throws Exception {
        long max = 1000;
        try (LaunchRecord r = new LaunchRecord(work, max, CLOCK)) {
            for (int i = 1; i <= 60; i++) r.record(launch("j", i, 1, null), LaunchRecord.Verdict.LAUNCHED);
            r.flush();
        }
        // a line is ~90 bytes: 60 lines are ~5 files' worth; only the last two files are kept
        assertThat(Files.size(work.resolve(LaunchRecord.FILE))).isLessThanOrEqualTo(max + 200);
        assertThat(Files.size(work.resolve(LaunchRecord.FILE + ".1"))).isLessThanOrEqualTo(max + 200);
        assertThat(Files.list(work).map(p -> p.getFileName().toString()).toList())
                .containsExactlyInAnyOrder(LaunchRecord.FILE, LaunchRecord.FILE + ".1");
        List<LaunchRecord.Entry> kept = LaunchRecord.read(work);
        assertThat(kept).hasSizeBetween(12, 30);
        List<Integer> runs = kept.stream().map(e -> Integer.parseInt(e.runId().substring("j.r".length()))).toList();
        assertThat(runs).isSorted().endsWith(60);
        assertThat(runs.get(0) + runs.size() - 1).isEqualTo(60); // contiguous: nothing lost inside what is kept
    }

    @Test
    void aTornOrForeignLineIsSkippedOnRead() throws Exception {
        Files.writeString(work.resolve(LaunchRecord.FILE),
                "2026-12-02T02:00:01Z epoch=4 attempt=x job=x run=x.r1 scheduled-for=- launched\n"
                        + "garbage\n2026-12-02T02:00:01Z epoch=notanumber attempt=x job=x run=x scheduled-for=- launched\n"
                        + "2026-12-02T02:00:01Z epoch=5 attem");
        assertThat(LaunchRecord.read(work)).extracting(LaunchRecord.Entry::epoch).containsExactly(4L);
    }
}
