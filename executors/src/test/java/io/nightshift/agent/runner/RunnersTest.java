package io.nightshift.agent.runner;

import io.nightshift.agent.TestSupport;
import io.nightshift.agent.process.LaunchException;
import io.nightshift.agent.process.ProcessPlan;
import io.nightshift.api.spec.CommandSpec;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.JobType;
import io.nightshift.api.spec.JvmSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunnersTest {
    static final Path SANDBOX = Path.of("/work/sandboxes/job.r1.0.1");
    static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));
    static final TaskContext CTX = new TaskContext(SANDBOX,
            Map.of("PATH", "/opt/bin:/usr/bin:/bin", "HOME", "/root", "LANG", "C.UTF-8", "AWS_SECRET_ACCESS_KEY", "nope"),
            JAVA_HOME);

    @Test
    void aSecondRunnerForATypeFailsFast() {
        assertThatThrownBy(() -> new Runners(List.of(new CommandRunner(), new CommandRunner())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'command' registered twice");
    }

    @Test
    void aTypeWithoutRunnerIsALaunchFailure() {
        assertThatThrownBy(() -> new Runners(List.of(new CommandRunner())).forType(JobType.JVM))
                .isInstanceOf(LaunchException.class).hasMessageContaining("jvm");
    }

    @Test
    void argvCommandsGetTheJobArgsAppended() {
        assertThat(CommandRunner.argv(CommandSpec.argv("/bin/echo", "a"), List.of("b", "c d")))
                .containsExactly("/bin/echo", "a", "b", "c d");
    }

    @Test
    void shellLinesGetTheJobArgsAsPositionalParameters() {
        assertThat(CommandRunner.argv(CommandSpec.shell("echo \"$1\""), List.of("x", "y")))
                .containsExactly("/bin/sh", "-c", "echo \"$1\"", "sh", "x", "y");
    }

    @Test
    void theEnvironmentIsASafeBasePlusTheJobsPlusNightshiftIds() {
        var launch = TestSupport.launch("job.r1.0.1",
                JobSpec.command("/bin/true").id("job").env(Map.of("FOO", "bar", "PATH", "/custom", "NIGHTSHIFT_TASK_ID", "spoof")).build());
        Map<String, String> env = TaskEnvironment.of(launch, CTX);
        assertThat(env).containsEntry("FOO", "bar").containsEntry("PATH", "/custom").containsEntry("HOME", "/root")
                .containsEntry("LANG", "C.UTF-8")
                .containsEntry("NIGHTSHIFT_JOB_ID", "job").containsEntry("NIGHTSHIFT_RUN_ID", "job.r1")
                .containsEntry("NIGHTSHIFT_TASK_ID", "job.r1.0").containsEntry("NIGHTSHIFT_ATTEMPT_ID", "job.r1.0.1")
                .containsEntry("NIGHTSHIFT_SANDBOX", SANDBOX.toString())
                .doesNotContainKey("AWS_SECRET_ACCESS_KEY");
    }

    @Test
    void aTaskKnowsTheEpochThatLaunchedItAndTheFiringItIsFor() {
        var l = TestSupport.launch("job.r1.0.1", JobSpec.command("/bin/true").id("job")
                .env(Map.of("NIGHTSHIFT_EPOCH", "999", "NIGHTSHIFT_SCHEDULED_FOR", "spoof")).build());
        var scheduled = new io.nightshift.api.protocol.CoordinatorMessage.Launch(l.jobId(), l.runId(), l.taskId(), l.attemptId(),
                1, l.spec(), 7, Map.of(), java.time.Instant.parse("2026-12-02T01:00:00Z"));
        assertThat(TaskEnvironment.of(scheduled, CTX)).containsEntry("NIGHTSHIFT_EPOCH", "7")
                .containsEntry("NIGHTSHIFT_SCHEDULED_FOR", "2026-12-02T01:00:00Z");
        var unscheduled = new io.nightshift.api.protocol.CoordinatorMessage.Launch(l.jobId(), l.runId(), l.taskId(), l.attemptId(),
                1, JobSpec.command("/bin/true").id("job").build(), 3);
        assertThat(TaskEnvironment.of(unscheduled, CTX)).containsEntry("NIGHTSHIFT_EPOCH", "3")
                .doesNotContainKey("NIGHTSHIFT_SCHEDULED_FOR");
    }

    @Test
    void withoutAnAgentPathTasksGetADefaultOne() {
        var launch = TestSupport.launch("job.1", JobSpec.command("/bin/true").id("job").build());
        assertThat(TaskEnvironment.of(launch, new TaskContext(SANDBOX, Map.of(), JAVA_HOME)))
                .containsEntry("PATH", TaskEnvironment.DEFAULT_PATH);
    }

    @Test
    void jvmHeapIs75PercentOfMemoryUnlessGiven() {
        assertThat(JvmRunner.heapMb(null, 1024)).isEqualTo(768);
        assertThat(JvmRunner.heapMb(null, 10)).isEqualTo(16);
        assertThat(JvmRunner.heapMb(300L, 1024)).isEqualTo(300);
    }

    @Test
    void jvmArgvHasHeapOptionsClasspathMainAndArgsInThatOrder() {
        var jvm = new JvmSpec("com.acme.Main", List.of("lib/app.jar", "/opt/shared/*", "classes"), List.of("-Dx=1"), null, null);
        assertThat(JvmRunner.argv(Path.of("/jdk/bin/java"), jvm, 512, List.of("--date", "2030-01-01"), SANDBOX))
                .containsExactly("/jdk/bin/java", "-Xmx384m", "-Dx=1", "-cp",
                        SANDBOX + "/lib/app.jar:/opt/shared/*:" + SANDBOX + "/classes",
                        "com.acme.Main", "--date", "2030-01-01");
    }

    @Test
    void anExplicitXmxOptionReplacesTheDerivedHeap() {
        var jvm = new JvmSpec("M", List.of(), List.of("-Xmx2g"), 100L, null);
        assertThat(JvmRunner.argv(Path.of("/j/bin/java"), jvm, 512, List.of(), SANDBOX))
                .containsExactly("/j/bin/java", "-Xmx2g", "M");
        var viaXX = new JvmSpec("M", List.of(), List.of("-XX:MaxHeapSize=64m"), null, null);
        assertThat(JvmRunner.argv(Path.of("/j/bin/java"), viaXX, 512, List.of(), SANDBOX)).doesNotContain("-Xmx384m");
    }

    @Test
    void jvmPlanUsesTheAgentsJavaHomeByDefault() throws Exception {
        var launch = TestSupport.launch("j.1", JobSpec.jvm("M", List.of("app.jar")).id("j").resources(1, 256).build());
        ProcessPlan plan = new JvmRunner().plan(launch, CTX);
        assertThat(plan.argv().get(0)).isEqualTo(JAVA_HOME.resolve("bin/java").toString());
        assertThat(plan.argv()).contains("-Xmx192m");
        assertThat(plan.env()).containsEntry("JAVA_HOME", JAVA_HOME.toString());
        assertThat(plan.workDir()).isEqualTo(SANDBOX);
    }

    @Test
    void aBadJavaHomeIsALaunchFailure() {
        var launch = TestSupport.launch("j.1", JobSpec.jvm("M", List.of()).id("j")
                .jvm(new JvmSpec("M", List.of(), List.of(), null, "/no/such/jdk")).build());
        assertThatThrownBy(() -> new JvmRunner().plan(launch, CTX)).isInstanceOf(LaunchException.class)
                .hasMessageContaining("bad java home '/no/such/jdk'");
    }
}
