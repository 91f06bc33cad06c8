package io.nightshift.agent.process;

import io.nightshift.agent.AttemptsHarness;
import io.nightshift.agent.TestSupport;
import io.nightshift.agent.TestSupport.Report;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A task tree built to survive: every process ignores SIGTERM, two grandchildren loop in the
 * background, and one more calls setsid itself and is orphaned to init (so it is in neither the
 * leader's session nor its process group). Run with cgroups (when the host has them) and without.
 */
class ProcessTreeKillIT {
    static final String STUBBORN_TREE = """
            trap '' TERM
            for i in 1 2; do (while :; do sleep 0.1; done) & done
            (setsid sh -c 'while :; do sleep 0.1; done' &)
            while :; do sleep 0.1; done
            """;

    @TempDir
    Path work;

    @AfterAll
    static void safetyNet() {
        TestSupport.killLeftovers();
    }

    /** Waits until the whole tree is up, escapee included; returns the leader pid. */
    private static long awaitTreeUp(AttemptsHarness h, String attemptId) {
        long leader = h.awaitRunningPid(attemptId);
        await().atMost(Duration.ofSeconds(20)).until(() -> TestSupport.markedProcesses(attemptId).stream()
                .anyMatch(pid -> ProcTable.SYSTEM.stat(pid).map(p -> p.session() != leader).orElse(false)));
        await().atMost(Duration.ofSeconds(20)).until(() -> TestSupport.markedProcesses(attemptId).size() >= 4);
        return leader;
    }

    @ParameterizedTest(name = "cgroups={0}")
    @ValueSource(booleans = {true, false})
    void aKillLeavesNoProcessOfTheAttemptBehind(boolean cgroups) throws Exception {
        try (AttemptsHarness h = new AttemptsHarness(work, cgroups)) {
            Launch launch = TestSupport.launch(JobSpec.shell(STUBBORN_TREE).id("stubborn").build());
            h.attempts.launch(launch);
            String id = launch.attemptId();
            awaitTreeUp(h, id);

            assertThat(h.attempts.kill(id, Duration.ofSeconds(1), Reason.KILLED_BY_USER)).isTrue();
            Report end = h.awaitTerminal(id, Duration.ofSeconds(20));

            assertThat(end.state()).isEqualTo(TaskState.KILLED);
            assertThat(end.reason()).isEqualTo(Reason.KILLED_BY_USER);
            assertThat(end.exitCode()).isEqualTo(137); // the leader ignored SIGTERM too
            assertThat(TestSupport.markedProcesses(id)).isEmpty();
            assertThat(h.sink.states(id)).containsExactly(TaskState.STAGING, TaskState.FETCHING, TaskState.RUNNING,
                    TaskState.KILLED);
            assertNoCgroupsLeft(h, id);
        }
    }

    @ParameterizedTest(name = "cgroups={0}")
    @ValueSource(booleans = {true, false})
    void aMaxRuntimeTimeoutFailsTheAttemptAndLeavesNoOrphan(boolean cgroups) throws Exception {
        try (AttemptsHarness h = new AttemptsHarness(work, cgroups)) {
            Launch launch = TestSupport.launch(JobSpec.shell(STUBBORN_TREE).id("slow")
                    .maxRuntime(Duration.ofSeconds(2)).killGracePeriod(Duration.ofMillis(500)).build());
            h.attempts.launch(launch);
            String id = launch.attemptId();
            awaitTreeUp(h, id);

            Report end = h.awaitTerminal(id, Duration.ofSeconds(20));

            assertThat(end.state()).isEqualTo(TaskState.FAILED);
            assertThat(end.reason()).isEqualTo(Reason.TIMEOUT);
            assertThat(TestSupport.markedProcesses(id)).isEmpty();
            assertNoCgroupsLeft(h, id);
        }
    }

    @ParameterizedTest(name = "cgroups={0}")
    @ValueSource(booleans = {true, false})
    void aTreeThatObeysSigtermEndsWithinTheGraceAsExitCode143(boolean cgroups) throws Exception {
        try (AttemptsHarness h = new AttemptsHarness(work, cgroups)) {
            Launch launch = TestSupport.launch(JobSpec.shell("sleep 60 & sleep 60 & exec sleep 60").id("polite").build());
            h.attempts.launch(launch);
            String id = launch.attemptId();
            h.awaitRunningPid(id);
            // the wrapper (leader), its child (the shell, exec'd into the last sleep) and the two background sleeps
            await().atMost(Duration.ofSeconds(10)).until(() -> TestSupport.markedProcesses(id).size() == 4);

            h.attempts.kill(id, Duration.ofSeconds(30), Reason.KILLED_BY_USER);
            Report end = h.awaitTerminal(id, Duration.ofSeconds(10)); // well within the 30 s grace

            assertThat(end.state()).isEqualTo(TaskState.KILLED);
            assertThat(end.exitCode()).isEqualTo(143);
            assertThat(TestSupport.markedProcesses(id)).isEmpty();
        }
    }

    @org.junit.jupiter.api.Test
    void processHandleSignalsProcessesThatAreNotOurChildren() throws Exception {
        // An orphan: its parent shell exits at once, so it is re-parented away from this JVM.
        Process sh = new ProcessBuilder("/bin/sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!").start();
        long orphan = Long.parseLong(new String(sh.getInputStream().readAllBytes()).trim());
        sh.waitFor();
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcTable.SYSTEM.stat(orphan).map(p -> p.ppid() != sh.pid()).orElse(true));
        assertThat(ProcessHandle.current().children().noneMatch(c -> c.pid() == orphan)).isTrue();

        TreeKill.signal(orphan, false);

        await().atMost(Duration.ofSeconds(10)).until(() -> ProcTable.SYSTEM.stat(orphan).map(ProcTable.Proc::isDead).orElse(true));
    }

    private static void assertNoCgroupsLeft(AttemptsHarness h, String attemptId) {
        if (h.isolation.cgroups() == null) return;
        for (String c : h.isolation.cgroups().controllers()) {
            Path dir = Isolation.DEFAULT_CGROUP_ROOT.resolve(c).resolve(Isolation.CGROUP_PARENT).resolve(attemptId);
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(dir));
        }
    }

}
