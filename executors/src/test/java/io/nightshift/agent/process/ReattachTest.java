package io.nightshift.agent.process;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Re-attaching by pid and start time, against a fake {@code /proc}: a recycled pid is never ours. */
class ReattachTest {
    static final long PID = 4321;
    static final long STARTED = 88_000;

    @TempDir
    Path proc;
    @TempDir
    Path nowhere;
    ScheduledThreadPoolExecutor scheduler;
    Supervisor supervisor;

    @BeforeEach
    void setUp() {
        scheduler = new ScheduledThreadPoolExecutor(1);
        Isolation noCgroups = Isolation.detect(false, nowhere.resolve("cgroup"), Path.of("/usr/bin/setsid"));
        supervisor = new Supervisor(noCgroups, new ProcTable(proc), scheduler);
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
    }

    /** A fake process: {@code /proc/<pid>/stat} (session = its own pid) and {@code environ}. */
    private void process(long pid, char state, long startTime, long session, String attemptId) throws Exception {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (sh) " + state + " 1 " + session + " " + session
                + " 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 " + startTime + " 2367488 129");
        Files.write(dir.resolve("environ"), ("PATH=/bin\0" + Supervisor.MARKER_ENV + "=" + attemptId + "\0")
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theLeaderWithTheCheckpointedStartTimeIsReattached() throws Exception {
        process(PID, 'S', STARTED, PID, "job.1");
        var p = supervisor.reattach("job.1", PID, STARTED).orElseThrow();
        assertThat(p.pid()).isEqualTo(PID);
        assertThat(p.startTime()).isEqualTo(STARTED);
        assertThat(p.exit()).isNotDone();
    }

    @Test
    void aRecycledPidIsNeverTakenForTheLeader() throws Exception {
        process(PID, 'S', STARTED + 500, PID, "job.1"); // same pid, started later: another process
        assertThat(supervisor.reattach("job.1", PID, STARTED)).isEmpty();
    }

    @Test
    void aRecycledPidOfAnotherAttemptOrAZombieOrNothingIsNotReattached() throws Exception {
        process(PID, 'S', STARTED, PID, "other.1");
        assertThat(supervisor.reattach("job.1", PID, STARTED)).isEmpty();
        process(PID, 'Z', STARTED, PID, "job.1");
        assertThat(supervisor.reattach("job.1", PID, STARTED)).isEmpty();
        assertThat(supervisor.reattach("job.1", PID + 1, STARTED)).isEmpty();
        assertThat(supervisor.reattach("job.1", 0, -1)).isEmpty();
    }

    @Test
    void theEndOfAReattachedLeaderIsSeenWhenItBecomesAZombieOrItsPidIsReused() throws Exception {
        process(PID, 'S', STARTED, PID, "job.1");
        var p = supervisor.reattach("job.1", PID, STARTED).orElseThrow();
        process(PID, 'Z', STARTED, PID, "job.1");
        await().atMost(Duration.ofSeconds(5)).until(() -> p.exit().isDone());
        assertThat(p.exit().join()).isNull(); // not our child: the status is in the exit file

        process(PID + 1, 'S', STARTED, PID + 1, "job.2");
        var q = supervisor.reattach("job.2", PID + 1, STARTED).orElseThrow();
        process(PID + 1, 'S', STARTED + 1, PID + 1, "job.2");
        await().atMost(Duration.ofSeconds(5)).until(() -> q.exit().isDone());
    }

    @Test
    void aTreeWhoseLeaderPidWasRecycledDoesNotClaimTheNewSession() throws Exception {
        process(PID, 'S', STARTED + 500, PID, "unrelated");       // a new session leader that got our old pid
        process(PID + 7, 'S', STARTED + 600, PID, "unrelated");   // and a member of its session
        ProcessTree recycled = new ProcessTree(new ProcTable(proc), "job.1", PID, STARTED, true, null);
        assertThat(recycled.livingMembers()).isEmpty();
        ProcessTree ours = new ProcessTree(new ProcTable(proc), "job.1", PID, STARTED + 500, true, null);
        assertThat(ours.livingMembers()).containsExactly(PID, PID + 7);
    }
}
