package io.nightshift.agent.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedScansTest {
    @TempDir
    Path proc;

    @Test
    void aCallerNeverGetsAReadingThatBeganBeforeItAskedButSharesTheNextOne() throws Exception {
        ProcTable table = new ProcTable(proc);
        CountDownLatch firstStarted = new CountDownLatch(1), releaseFirst = new CountDownLatch(1);
        CountDownLatch secondStarted = new CountDownLatch(1), releaseSecond = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        SharedScans scans = new SharedScans(() -> {
            int n = reads.incrementAndGet();
            try {
                if (n == 1) {
                    firstStarted.countDown();
                    releaseFirst.await(10, TimeUnit.SECONDS);
                } else if (n == 2) {
                    secondStarted.countDown();
                    releaseSecond.await(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return table.snapshot();
        });

        CompletableFuture<ProcTable.Snapshot> a = CompletableFuture.supplyAsync(scans::fresh);
        assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
        // b asks while a's reading is in progress: a process that appears now must be in what b gets
        write(4242);
        CompletableFuture<ProcTable.Snapshot> b = CompletableFuture.supplyAsync(scans::fresh);
        CompletableFuture<ProcTable.Snapshot> c = CompletableFuture.supplyAsync(scans::fresh);
        TimeUnit.MILLISECONDS.sleep(100); // b and c are waiting (nothing to observe but that they have not returned)
        assertThat(b).isNotDone();
        releaseFirst.countDown();
        ProcTable.Snapshot first = a.get(10, TimeUnit.SECONDS);

        assertThat(secondStarted.await(10, TimeUnit.SECONDS)).isTrue();
        releaseSecond.countDown();
        ProcTable.Snapshot second = b.get(10, TimeUnit.SECONDS);
        assertThat(c.get(10, TimeUnit.SECONDS)).isSameAs(second); // c asked before the second reading began
        assertThat(second).isNotSameAs(first);
        assertThat(second.procs()).extracting(ProcTable.Proc::pid).contains(4242L);
        assertThat(scans.readings()).isEqualTo(2);
        assertThat(reads.get()).isEqualTo(2);

        // a later call gets a new reading
        assertThat(scans.fresh()).isNotSameAs(second);
        assertThat(scans.readings()).isEqualTo(3);
    }

    @Test
    void aSnapshotReadsEachEnvironmentOnceAndMatchesWholeEntries() throws Exception {
        ProcTable table = new ProcTable(proc);
        write(7);
        Files.write(proc.resolve("7").resolve("environ"), "A=1\0NIGHTSHIFT_ATTEMPT_ID=j.r1.0.1\0".getBytes());

        ProcTable.Snapshot s = table.freshSnapshot();

        assertThat(s.hasEnvEntry(7, Supervisor.MARKER_ENV, "j.r1.0.1")).isTrue();
        Files.delete(proc.resolve("7").resolve("environ")); // read on first use, once: the snapshot no longer looks
        Files.write(proc.resolve("7").resolve("environ"), "X=1\0".getBytes());
        assertThat(s.hasEnvEntry(7, Supervisor.MARKER_ENV, "j.r1.0.1")).isTrue();
        assertThat(s.hasEnvEntry(7, Supervisor.MARKER_ENV, "j.r1.0")).isFalse();
        assertThat(s.hasEnvEntry(8, Supervisor.MARKER_ENV, "j.r1.0.1")).isFalse();
        assertThat(table.freshSnapshot().hasEnvEntry(7, Supervisor.MARKER_ENV, "j.r1.0.1")).isFalse();
    }

    private void write(long pid) throws Exception {
        Path d = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(d.resolve("stat"), pid + " (sh) S 1 " + pid + " " + pid + " 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0");
    }
}
