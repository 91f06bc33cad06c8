package io.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.JobSpecParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples as real processes, the way an agent starts them: the command specs' shell lines under
 * {@code /bin/sh -c}, the JVM jobs as {@code java -cp ... mainClass args} with the task environment.
 */
class ExampleProcessesTest {

    @TempDir
    Path sandbox;

    @Test
    void helloPrintsAFewLinesAndExitsZero() throws Exception {
        JobSpec spec = JobSpecParser.parse(ExampleSpecsTest.resource("examples/command-hello.json"));

        Result r = start(List.of("/bin/sh", "-c", spec.command().shell()), spec.env(), "hello.r1.0.1");

        assertThat(r.code).isZero();
        assertThat(r.out.lines()).hasSizeGreaterThanOrEqualTo(3)
                .contains("hello from hello.r1.0 (attempt hello.r1.0.1)", "greeting: hi", "done");
        assertThat(r.err).isEmpty();
    }

    @Test
    void failsPrintsToStderrAndExitsThree() throws Exception {
        JobSpec spec = JobSpecParser.parse(ExampleSpecsTest.resource("examples/command-fails.json"));

        Result r = start(List.of("/bin/sh", "-c", spec.command().shell()), spec.env(), "fails.r1.0.1");

        assertThat(r.code).isEqualTo(3);
        assertThat(r.err).contains("error: input /data/missing.csv not found");
    }

    @Test
    void piEstimatorRunsAsAJvmProcess() throws Exception {
        Result r = start(java(PiEstimator.class, "200000", "3"), Map.of(), "pi.r1.0.1");

        assertThat(r.code).isZero();
        assertThat(r.out).contains("task pi.r1.0").contains("progress 100%").containsPattern("pi = 3\\.1");
    }

    @Test
    void piEstimatorExitsTwoOnABadArgument() throws Exception {
        Result r = start(java(PiEstimator.class, "lots"), Map.of(), "pi.r1.0.1");

        assertThat(r.code).isEqualTo(2);
        assertThat(r.out).isEmpty();
        assertThat(r.err).contains("samples: 'lots' is not a number");
    }

    @Test
    void flakyJobExitsThreeThenZeroAsAttemptsGoOn() throws Exception {
        assertThat(start(java(FlakyJob.class, "2"), Map.of(), "flaky.r1.0.1").code).isEqualTo(3);
        assertThat(start(java(FlakyJob.class, "2"), Map.of(), "flaky.r1.0.2").code).isZero();
    }

    record Result(int code, String out, String err) {
    }

    private Result start(List<String> argv, Map<String, String> env, String attemptId) throws IOException, InterruptedException {
        String taskId = attemptId.substring(0, attemptId.lastIndexOf('.'));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(sandbox.toFile());
        pb.environment().putAll(env);
        pb.environment().put("NIGHTSHIFT_JOB_ID", taskId.substring(0, taskId.indexOf(".r")));
        pb.environment().put("NIGHTSHIFT_RUN_ID", taskId.substring(0, taskId.lastIndexOf('.')));
        pb.environment().put("NIGHTSHIFT_TASK_ID", taskId);
        pb.environment().put("NIGHTSHIFT_ATTEMPT_ID", attemptId);
        pb.environment().put("NIGHTSHIFT_SANDBOX", sandbox.toString());
        Path out = sandbox.resolve("stdout");
        Path err = sandbox.resolve("stderr");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s ends within 60 s", argv).isTrue();
        } finally {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static List<String> java(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xshare:auto");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(main.getProtectionDomain().getCodeSource().getLocation().getPath());
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }
}
