package io.nightshift.agent;

import io.nightshift.agent.process.ProcTable;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.spec.JobSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** What the owner-load sampling asks every interval: the pids of every running attempt, from one /proc reading. */
class AttemptsTaskPidsTest {

    @Test
    void everyRunningAttemptsProcessesComeFromOneReadingOfProc(@TempDir Path dir) throws Exception {
        ProcTable procs = new ProcTable(Path.of("/proc"));
        try (AttemptsHarness h = new AttemptsHarness(dir, false, null, procs)) {
            assertThat(h.attempts.taskPids()).as("nothing running").isEmpty();
            List<Long> leaders = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Launch l = TestSupport.launch(JobSpec.command("/bin/sleep", "30").id("pids" + i).build());
                h.attempts.launch(l);
                leaders.add(h.awaitRunningPid(l.attemptId()));
            }
            long before = procs.readings();
            Set<Long> pids = h.attempts.taskPids();
            assertThat(procs.readings() - before).as("readings of /proc for three attempts").isEqualTo(1);
            assertThat(pids).containsAll(leaders);
            for (long leader : leaders) {
                // the wrapper (leader) and its one child, sleep: both members of its attempt
                assertThat(pids.stream().filter(p -> procs.stat(p).map(s -> s.session() == leader).orElse(false)))
                        .as("members of the session of " + leader).hasSizeGreaterThanOrEqualTo(2);
            }
        }
    }
}
