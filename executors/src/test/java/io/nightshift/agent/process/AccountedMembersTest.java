package io.nightshift.agent.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The owner-load accounting's view of an attempt, on a fake {@code /proc} and a fake cgroup root: its cgroups'
 * members when it has cgroups (no scan of the machine's processes: a process outside them that carries the attempt's
 * marker, which the full scan finds, is not read), the full scan without cgroups or while they are empty.
 */
class AccountedMembersTest {
    static final long LEADER = 4321;

    @TempDir
    Path proc;
    @TempDir
    Path cgroupRoot;

    private void process(long pid, long session, String attemptId) throws Exception {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (java) S 1 " + session + " " + session
                + " 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1000 2367488 129");
        Files.write(dir.resolve("environ"), ("PATH=/bin\0" + Supervisor.MARKER_ENV + "=" + attemptId + "\0")
                .getBytes(StandardCharsets.UTF_8));
    }

    private CgroupV1.Group group(String attemptId, String procs) throws Exception {
        for (String c : List.of("cpu", "memory")) {
            Path dir = Files.createDirectories(cgroupRoot.resolve(c).resolve("nightshift/a").resolve(attemptId));
            Files.writeString(dir.resolve("cgroup.procs"), procs);
        }
        return CgroupV1.unprobed(cgroupRoot, "nightshift/a", List.of("cpu", "memory")).existing(attemptId);
    }

    @Test
    void withCgroupsTheGroupsMembersAreCountedWithoutScanningTheMachine() throws Exception {
        process(LEADER, LEADER, "job.1");
        process(LEADER + 1, LEADER, "job.1");
        process(7777, 7777, "job.1"); // left the session and the groups, still carries the marker
        ProcessTree tree = new ProcessTree(new ProcTable(proc), "job.1", LEADER, -1, true,
                group("job.1", LEADER + "\n" + (LEADER + 1) + "\n"));
        assertThat(tree.accountedMembers()).containsExactly(LEADER, LEADER + 1);
        assertThat(tree.livingMembers()).as("the kill's scan finds it").containsExactly(LEADER, LEADER + 1, 7777L);
    }

    @Test
    void emptyGroupsOrNoneFallBackToTheScan() throws Exception {
        process(LEADER, LEADER, "job.2");
        process(7777, 7777, "job.2");
        ProcessTree empty = new ProcessTree(new ProcTable(proc), "job.2", LEADER, -1, true, group("job.2", ""));
        assertThat(empty.accountedMembers()).containsExactly(LEADER, 7777L);
        ProcessTree none = new ProcessTree(new ProcTable(proc), "job.2", LEADER, -1, true, null);
        assertThat(none.accountedMembers()).containsExactly(LEADER, 7777L);
    }
}
