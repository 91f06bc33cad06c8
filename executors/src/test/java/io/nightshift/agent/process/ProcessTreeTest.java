package io.nightshift.agent.process;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Membership rules of one attempt's tree, on a fake {@code /proc}. */
class ProcessTreeTest {
    static final long LEADER = 5000;
    static final long STARTED = 90_000;

    @TempDir
    Path proc;

    /** {@code /proc/<pid>/stat} with the given parent, session (= process group) and start time; environ with {@code marker}. */
    private void process(long pid, long ppid, long session, long startTime, String marker) throws Exception {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (sh) S " + ppid + " " + session + " " + session
                + " 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 " + startTime + " 2367488 129");
        Files.write(dir.resolve("environ"), ("PATH=/bin\0" + (marker == null ? "" : Supervisor.MARKER_ENV + "=" + marker + "\0"))
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theMarkerCountsOnlyForProcessesThatMayDescendFromTheLeader() throws Exception {
        process(LEADER, 1, LEADER, STARTED, "job.1");                // the leader, in its session
        process(LEADER + 1, LEADER, LEADER, STARTED + 1, null);      // its child, same session, no marker needed
        process(LEADER + 2, 1, LEADER + 2, STARTED + 40, "job.1");   // left the session, re-parented: the marker finds it
        process(LEADER + 3, 1, LEADER + 3, STARTED, "job.1");        // started in the leader's tick: may descend
        process(300, 1, 300, STARTED - 1, "job.1");                   // started before the leader: cannot descend
        process(301, 2, 0, STARTED + 50, "job.1");                    // a kernel thread: never a task's
        process(302, 1, 302, STARTED + 60, "other.1");               // another attempt's
        ProcTable table = new ProcTable(proc);
        ProcessTree tree = new ProcessTree(table, "job.1", LEADER, STARTED, true, null);
        assertThat(tree.livingMembers()).containsExactlyInAnyOrder(LEADER, LEADER + 1, LEADER + 2, LEADER + 3);

        ProcessTree unknownStart = new ProcessTree(table, "job.1", LEADER, -1, true, null);
        assertThat(unknownStart.livingMembers()).as("leader's start time unknown: every marked user process")
                .containsExactlyInAnyOrder(LEADER, LEADER + 1, LEADER + 2, LEADER + 3, 300L);

        assertThat(tree.livingMembers(table.freshSnapshot())).as("from a shared reading: the same rules")
                .containsExactlyInAnyOrder(LEADER, LEADER + 1, LEADER + 2, LEADER + 3);
    }
}
