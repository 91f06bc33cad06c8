package io.nightshift.agent;

import io.nightshift.agent.TestSupport.Report;
import io.nightshift.agent.process.Isolation;
import io.nightshift.agent.process.ProcTable;
import io.nightshift.api.Resources;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.JvmSpec;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real processes through the whole attempt lifecycle: sandbox, runner, supervisor, outcome. */
class AttemptLifecycleIT {
    static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path work;
    AttemptsHarness h;

    @BeforeEach
    void start() {
        h = new AttemptsHarness(work, true);
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    @AfterAll
    static void safetyNet() {
        TestSupport.killLeftovers();
    }

    private Report run(JobSpec spec) {
        return h.run(TestSupport.launch(spec), T);
    }

    private String stdout(String attemptId) throws Exception {
        return Files.readString(h.sandboxes.resolve(attemptId).resolve("stdout"));
    }

    @Test
    void exitZeroFinishesAfterStagingFetchingRunning() throws Exception {
        Launch l = TestSupport.launch(JobSpec.command("/bin/true").id("ok").build());
        Report end = h.run(l, T);
        assertThat(end.state()).isEqualTo(TaskState.FINISHED);
        assertThat(end.reason()).isEqualTo(Reason.EXIT_CODE);
        assertThat(end.exitCode()).isZero();
        assertThat(h.sink.states(l.attemptId())).containsExactly(TaskState.STAGING, TaskState.FETCHING, TaskState.RUNNING,
                TaskState.FINISHED);
        assertThat(Files.readString(h.sandboxes.resolve(l.attemptId()).resolve("exit"))).isEqualTo("0\n");
        assertThat(h.attempts.state(l.attemptId())).hasValue(TaskState.FINISHED);
        assertThat(h.attempts.active()).doesNotContain(l.attemptId());
    }

    @Test
    void aNonZeroExitFailsWithItsCode() {
        Report end = run(JobSpec.shell("exit 3").id("three").build());
        assertThat(end.state()).isEqualTo(TaskState.FAILED);
        assertThat(end.reason()).isEqualTo(Reason.EXIT_CODE);
        assertThat(end.exitCode()).isEqualTo(3);
    }

    @Test
    void deathBySignalIs128PlusTheSignal() {
        assertThat(run(JobSpec.shell("kill -KILL $$").id("sig9").build()).exitCode()).isEqualTo(137);
        assertThat(run(JobSpec.shell("kill -TERM $$").id("sig15").build()).exitCode()).isEqualTo(143);
    }

    @Test
    void theTaskSeesNightshiftIdsAndItsEnvButNotTheAgents() throws Exception {
        Launch l = TestSupport.launch(JobSpec.command("/usr/bin/env").id("envy").env(Map.of("GREETING", "hello world")).build());
        h.run(l, T);
        String out = stdout(l.attemptId());
        assertThat(out).contains("GREETING=hello world", "NIGHTSHIFT_JOB_ID=envy", "NIGHTSHIFT_RUN_ID=envy.r1",
                "NIGHTSHIFT_TASK_ID=envy.r1.0", "NIGHTSHIFT_ATTEMPT_ID=" + l.attemptId(),
                "NIGHTSHIFT_SANDBOX=" + h.sandboxes.resolve(l.attemptId()), "PATH=");
        assertThat(out).doesNotContain(AttemptsHarness.AGENT_SECRET);
    }

    @Test
    void argsAreAppendedToArgvAndAreShellPositionalParameters() throws Exception {
        Launch argv = TestSupport.launch(JobSpec.command("/bin/echo", "a").id("echo").args(List.of("b", "c  d")).build());
        h.run(argv, T);
        assertThat(stdout(argv.attemptId())).isEqualTo("a b c  d\n");

        Launch shell = TestSupport.launch(JobSpec.shell("printf '%s|' \"$0\" \"$1\" \"$2\"; echo err >&2").id("sh")
                .args(List.of("x", "y z")).build());
        h.run(shell, T);
        assertThat(stdout(shell.attemptId())).isEqualTo("sh|x|y z|");
        assertThat(Files.readString(h.sandboxes.resolve(shell.attemptId()).resolve("stderr"))).isEqualTo("err\n");
    }

    @Test
    void theWorkingDirectoryIsTheSandbox() throws Exception {
        Launch l = TestSupport.launch(JobSpec.shell("pwd; echo made > output.txt").id("cwd").build());
        h.run(l, T);
        Path sandbox = h.sandboxes.resolve(l.attemptId());
        assertThat(stdout(l.attemptId()).trim()).isEqualTo(sandbox.toString());
        assertThat(sandbox.resolve("output.txt")).hasContent("made");
    }

    @Test
    void theLeaderIsTheSessionAndGroupLeaderOfItsOwnSession() throws Exception {
        Launch l = TestSupport.launch(JobSpec.command("sleep", "60").id("leader").build());
        h.attempts.launch(l);
        long pid = h.awaitRunningPid(l.attemptId());
        ProcTable.Proc p = ProcTable.SYSTEM.stat(pid).orElseThrow();
        assertThat(p.session()).isEqualTo(pid);
        assertThat(p.pgrp()).isEqualTo(pid);
        long agentSession = ProcTable.SYSTEM.stat(ProcessHandle.current().pid()).orElseThrow().session();
        assertThat(p.session()).isNotEqualTo(agentSession);
        h.attempts.kill(l.attemptId(), Duration.ofSeconds(5), Reason.KILLED_BY_USER);
        assertThat(h.awaitTerminal(l.attemptId(), T).state()).isEqualTo(TaskState.KILLED);
    }

    @Test
    void withCgroupsTheTaskIsInItsGroupsWithItsLimits() throws Exception {
        Assumptions.assumeTrue(h.isolation.cgroups() != null, "no writable cgroup v1 here");
        Launch l = TestSupport.launch(JobSpec.command("sleep", "60").id("limited")
                .resources(new Resources(0.5, 64, 0, 0)).build());
        h.attempts.launch(l);
        long pid = h.awaitRunningPid(l.attemptId());
        Path cg = Isolation.DEFAULT_CGROUP_ROOT;
        String id = l.attemptId();
        assertThat(Files.readString(cg.resolve("memory/nightshift/" + id + "/cgroup.procs"))).contains(Long.toString(pid));
        assertThat(Files.readString(cg.resolve("memory/nightshift/" + id + "/memory.limit_in_bytes")).trim())
                .isEqualTo(Long.toString(64L * 1024 * 1024));
        assertThat(Files.readString(cg.resolve("cpu/nightshift/" + id + "/cpu.cfs_quota_us")).trim()).isEqualTo("50000");
        assertThat(Files.readString(cg.resolve("pids/nightshift/" + id + "/cgroup.procs"))).contains(Long.toString(pid));
        assertThat(Files.readString(cg.resolve("freezer/nightshift/" + id + "/cgroup.procs"))).contains(Long.toString(pid));
        h.attempts.kill(id, Duration.ofSeconds(5), Reason.KILLED_BY_USER);
        h.awaitTerminal(id, T);
        assertThat(cg.resolve("memory/nightshift/" + id)).doesNotExist();
    }

    @Test
    void processesLeftBehindByAFinishedLeaderAreCleanedUpBeforeItIsReported() {
        Launch l = TestSupport.launch(JobSpec.shell("sleep 60 & (setsid sleep 61 &) ; echo done")
                .id("leaky").killGracePeriod(Duration.ofSeconds(2)).build());
        Report end = h.run(l, T);
        assertThat(end.state()).isEqualTo(TaskState.FINISHED);
        assertThat(TestSupport.markedProcesses(l.attemptId())).isEmpty();
    }

    @Test
    void aMissingExecutableIsALaunchFailure() {
        Report byPath = run(JobSpec.command("/no/such/program", "x").id("nope").build());
        assertThat(byPath.state()).isEqualTo(TaskState.FAILED);
        assertThat(byPath.reason()).isEqualTo(Reason.LAUNCH_FAILED);
        assertThat(byPath.message()).contains("no such executable", "/no/such/program");

        Report byName = run(JobSpec.command("no-such-program-anywhere").id("nope").build());
        assertThat(byName.reason()).isEqualTo(Reason.LAUNCH_FAILED);
        assertThat(byName.message()).contains("PATH");
    }

    @Test
    void aBadJavaHomeIsALaunchFailure() {
        Report end = run(JobSpec.jvm("Main", List.of()).id("badjdk")
                .jvm(new JvmSpec("Main", List.of(), List.of(), null, "/no/such/jdk")).build());
        assertThat(end.state()).isEqualTo(TaskState.FAILED);
        assertThat(end.reason()).isEqualTo(Reason.LAUNCH_FAILED);
        assertThat(end.message()).contains("bad java home");
    }

    @Test
    void aRealJvmTaskRunsWithItsHeapAndArgs(@TempDir Path classes) throws Exception {
        Path src = classes.resolve("Hello.java");
        Files.writeString(src, """
                public class Hello {
                    public static void main(String[] args) {
                        System.out.println("hello " + String.join(",", args));
                        System.out.println("maxHeapMb=" + Runtime.getRuntime().maxMemory() / (1024 * 1024));
                        System.out.println("sandbox=" + System.getenv("NIGHTSHIFT_SANDBOX"));
                        System.exit(args.length);
                    }
                }
                """);
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.toString()))
                .isZero();
        Launch l = TestSupport.launch(JobSpec.jvm("Hello", List.of(classes.toString())).id("jvm")
                .resources(new Resources(1, 128, 0, 0)).args(List.of("a1", "a2")).build());
        Report end = h.run(l, Duration.ofSeconds(60));
        String out = stdout(l.attemptId());
        assertThat(out).contains("hello a1,a2", "sandbox=" + h.sandboxes.resolve(l.attemptId()));
        long heap = Long.parseLong(out.replaceAll("(?s).*maxHeapMb=(\\d+).*", "$1"));
        assertThat(heap).isBetween(50L, 96L); // -Xmx96m = 75 % of 128 MiB
        assertThat(end.state()).isEqualTo(TaskState.FAILED);
        assertThat(end.exitCode()).isEqualTo(2);
    }

    @Test
    void aDuplicateLaunchIsIgnoredAndUnknownKillsAreRefused() {
        Launch l = TestSupport.launch(JobSpec.command("sleep", "60").id("dup").build());
        assertThat(h.attempts.launch(l)).isTrue();
        assertThat(h.attempts.launch(l)).isFalse();
        h.awaitRunningPid(l.attemptId());
        assertThat(h.sink.states(l.attemptId())).containsOnlyOnce(TaskState.STAGING);
        assertThat(h.attempts.kill("never.launched", null, Reason.KILLED_BY_USER)).isFalse();
        assertThat(h.attempts.kill(l.attemptId(), Duration.ZERO, null)).isTrue();
        assertThat(h.awaitTerminal(l.attemptId(), T).reason()).isEqualTo(Reason.KILLED_BY_USER);
        assertThat(h.attempts.kill(l.attemptId(), Duration.ZERO, Reason.KILLED_BY_USER)).isFalse();
    }

    @Test
    void anInvalidAttemptIdIsRefusedWithoutTouchingTheDisk() {
        Launch l = TestSupport.launch("../escape", JobSpec.command("/bin/true").id("evil").build());
        assertThat(h.attempts.launch(l)).isFalse();
        await().atMost(T).until(() -> h.sink.terminal("../escape") != null);
        assertThat(h.sink.terminal("../escape").reason()).isEqualTo(Reason.LAUNCH_FAILED);
        assertThat(work.resolve("escape")).doesNotExist();
    }

    @Test
    void shutdownKillsRunningAttemptsWithAgentShutdown() throws Exception {
        Launch l = TestSupport.launch(JobSpec.command("sleep", "60").id("bye").build());
        h.attempts.launch(l);
        h.awaitRunningPid(l.attemptId());
        h.attempts.killAll(Reason.AGENT_SHUTDOWN, Duration.ofSeconds(5)).get(30, java.util.concurrent.TimeUnit.SECONDS);
        Report end = h.sink.terminal(l.attemptId());
        assertThat(end.state()).isEqualTo(TaskState.KILLED);
        assertThat(end.reason()).isEqualTo(Reason.AGENT_SHUTDOWN);
        Launch late = TestSupport.launch(JobSpec.command("/bin/true").id("late").build());
        h.attempts.launch(late);
        assertThat(h.sink.terminal(late.attemptId()).reason()).isEqualTo(Reason.AGENT_SHUTDOWN);
    }
}
