package io.nightshift.agent.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nightshift.agent.process.LaunchException;
import io.nightshift.agent.process.ProcessPlan;
import io.nightshift.agent.spark.SparkConfig;
import io.nightshift.api.Resources;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.spec.HadoopSpec;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.SparkSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.apache.spark.launcher.SparkAppHandle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the spark and hadoop runners make of a launch (pure parts: no driver is started here). */
class SparkRunnerTest {
    @TempDir Path tmp;
    Path home, sandbox;
    TaskContext ctx;

    @BeforeEach
    void layout() throws Exception {
        home = Files.createDirectories(tmp.resolve("spark-4.0.1/bin")).getParent();
        Path submit = Files.writeString(home.resolve("bin/spark-submit"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(home.resolve("jars"));
        sandbox = Files.createDirectories(tmp.resolve("sandbox"));
        Files.createDirectories(sandbox.resolve("app"));
        Files.writeString(sandbox.resolve("app/etl.jar"), "jar");
        ctx = new TaskContext(sandbox, Map.of("PATH", "/usr/bin", "NIGHTSHIFT_AGENT_TOKEN", "secret"),
                Path.of(System.getProperty("java.home")));
    }

    SparkConfig config() {
        return new SparkConfig(SparkConfig.parseHomes("4.0.1=" + home), null, null, null);
    }

    static Launch launch(JobSpec spec) {
        return new Launch("etl", "etl.r1", "etl.r1.0", "etl.r1.0.1", 1, spec);
    }

    @Test
    void defaultsMasterToLocalWithTheTasksCpusAndDriverMemoryToThreeQuartersOfMemMb() throws Exception {
        JobSpec spec = JobSpec.spark(SparkSpec.of("app/etl.jar", "com.example.Etl", List.of("in", "out")))
                .id("etl").resources(new Resources(2.5, 2048, 0, 0)).artifact("hdfs:///apps/etl.jar").build();
        ProcessPlan plan = new SparkRunner(config()).plan(launch(spec), ctx);
        assertThat(plan.argv()).containsSubsequence(home.resolve("bin/spark-submit").toString(), "--master", "local[3]",
                "--deploy-mode", "client", "--name", "etl", "--driver-memory", "1536m", "--class", "com.example.Etl");
        assertThat(plan.argv()).containsSubsequence("--conf", "spark.local.dir=" + sandbox.resolve("spark-local"),
                sandbox.resolve("app/etl.jar").toString(), "in", "out");
        assertThat(plan.env()).containsEntry("SPARK_HOME", home.toString()).containsKey("NIGHTSHIFT_ATTEMPT_ID")
                .doesNotContainKey("NIGHTSHIFT_AGENT_TOKEN");
        assertThat(plan.workDir()).isEqualTo(sandbox);
    }

    @Test
    void aPythonApplicationOnASparkHomeWithoutPySparkFailsTheLaunchSayingWhatIsMissing() throws Exception {
        Files.writeString(sandbox.resolve("app/job.py"), "print('hi')\n");
        JobSpec spec = JobSpec.spark(SparkSpec.of("app/job.py", null, List.of())).id("py").build();
        assertThatThrownBy(() -> new SparkRunner(config()).plan(launch(spec), ctx)).isInstanceOf(LaunchException.class)
                .hasMessageContaining("'app/job.py' is a Python application")
                .hasMessageContaining("has no PySpark (python/lib/pyspark.zip)")
                .hasMessageContaining("PyPI");

        Files.createDirectories(home.resolve("python/lib"));
        Files.writeString(home.resolve("python/lib/pyspark.zip"), "zip");
        ProcessPlan plan = new SparkRunner(config()).plan(launch(spec), ctx);
        assertThat(plan.argv()).contains(sandbox.resolve("app/job.py").toString()).doesNotContain("--class");
    }

    @Test
    void anEnabledEventLogWithoutADirectoryGoesToTheSandbox() throws Exception {
        SparkSpec s = SparkSpec.of("app/etl.jar", "com.example.Etl", List.of()).withConf(Map.of("spark.eventLog.enabled", "true"));
        SparkRunner.Resolved r = new SparkRunner(config()).resolve(launch(JobSpec.spark(s).id("etl").build()), ctx);
        assertThat(r.conf()).containsEntry("spark.eventLog.dir", sandbox.resolve("spark-events").toUri().toString());
    }

    @Test
    void anUnknownSparkVersionOrAMissingAppResourceFailsTheLaunchClearly() {
        SparkSpec wrongVersion = new SparkSpec("app/etl.jar", "a.B", null, null, null, null, null, null, null, null, "3.5.6");
        assertThatThrownBy(() -> new SparkRunner(config()).plan(launch(JobSpec.spark(wrongVersion).id("x").build()), ctx))
                .isInstanceOf(LaunchException.class).hasMessage("this agent has no Spark 3.5.6 (it has 4.0.1)");
        assertThatThrownBy(() -> new SparkRunner(SparkConfig.NONE).plan(launch(JobSpec.spark(wrongVersion).id("x").build()), ctx))
                .isInstanceOf(LaunchException.class).hasMessageContaining("agent.spark.homes");
        SparkSpec missing = SparkSpec.of("app/none.jar", "a.B", List.of());
        assertThatThrownBy(() -> new SparkRunner(config()).plan(launch(JobSpec.spark(missing).id("x").build()), ctx))
                .isInstanceOf(LaunchException.class).hasMessageContaining("is not a file in the sandbox");
    }

    @Test
    void findsTheDriverUiUrlInSpark3And4LogLines() {
        assertThat(SparkRunner.uiUrl("INFO SparkUI: Bound SparkUI to 0.0.0.0, and started at http://worker7:4041\n"))
                .isEqualTo("http://worker7:4041");
        assertThat(SparkRunner.uiUrl("""
                26/12/02 00:36:52 INFO JettyUtils: Start Jetty 127.0.0.1:0 for SparkUI
                26/12/02 00:36:53 INFO Utils: Successfully started service 'SparkUI' on port 46583.
                """)).isEqualTo("http://127.0.0.1:46583");
        assertThat(SparkRunner.uiUrl("26/12/02 00:36:52 INFO JettyUtils: Start Jetty 127.0.0.1:0 for SparkUI\n")).isNull();
    }

    @Test
    void theHandlesFinalStateIsTheExitCode() {
        assertThat(SparkRunner.exitCode(SparkAppHandle.State.FINISHED)).isZero();
        assertThat(SparkRunner.exitCode(SparkAppHandle.State.FAILED)).isEqualTo(1);
        assertThat(SparkRunner.exitCode(SparkAppHandle.State.KILLED)).isEqualTo(1);
        assertThat(SparkRunner.exitCode(SparkAppHandle.State.LOST)).isNull();
    }

    @Test
    void hadoopJobsRunLikeHadoopJarWithTheSparkHomesHadoopClient() throws Exception {
        Files.writeString(sandbox.resolve("wc.jar"), "jar");
        JobSpec spec = JobSpec.hadoop(new HadoopSpec("wc.jar", "com.example.WordCount", List.of("in", "out"),
                Map.of("mapreduce.job.reduces", "1"), null)).id("wc").resources(Resources.of(1, 1024)).build();
        ProcessPlan plan = new HadoopRunner(config()).plan(launch(spec), ctx);
        assertThat(plan.argv()).containsSubsequence("-Xmx768m", "-XX:ActiveProcessorCount=1", "-cp",
                sandbox.resolve("wc.jar") + ":" + home.resolve("jars") + "/*",
                "com.example.WordCount", "-D", "mapreduce.job.reduces=1", "in", "out");
    }

    @Test
    void aHadoopDriverLogsAtInfoAndItsJobIdIsTakenFromTheRunningJobLine() throws Exception {
        Files.writeString(sandbox.resolve("wc.jar"), "jar");
        JobSpec spec = JobSpec.hadoop(HadoopSpec.of("wc.jar", "com.example.WordCount", List.of("in", "out"))).id("wc").build();
        assertThat(new HadoopRunner(config()).plan(launch(spec), ctx).argv()).contains("-Dorg.apache.logging.log4j.level=INFO");
        assertThat(HadoopRunner.jobId("10:41:02.123 [main] INFO  org.apache.hadoop.mapreduce.Job - Running job: job_local1419361270_0001\n"))
                .isEqualTo("job_local1419361270_0001");
        assertThat(HadoopRunner.jobId("INFO mapreduce.Job: Running job: job_1764646800000_0007")).isEqualTo("job_1764646800000_0007");
        assertThat(HadoopRunner.jobId("INFO mapreduce.JobSubmitter: number of splits:1")).isNull();
    }

    @Test
    void aFastHadoopJobKeepsItsJobIdFromTheWholeLogReadAtExit() throws Exception {
        JobSpec spec = JobSpec.hadoop(HadoopSpec.of("wc.jar", "com.example.WordCount", List.of("in", "out"))).id("wc").build();
        HadoopRunner runner = new HadoopRunner(config());
        Path stdout = sandbox.resolve("stdout"), stderr = Files.writeString(sandbox.resolve("stderr"), "");
        // more than one watch read (1 MiB) of output before the job's line, and the line is the log's last
        String before = "10:41:01.000 [main] INFO  org.apache.hadoop.conf.Configuration - a deprecated key\n".repeat(30_000);
        Files.writeString(stdout, before + "10:41:02.123 [main] INFO  org.apache.hadoop.mapreduce.Job - Running job: job_local42_0001");
        assertThat(runner.atExit(launch(spec), stdout, stderr)).isEqualTo(io.nightshift.api.model.AppInfo.hadoop("job_local42_0001"));

        Files.writeString(stdout, before + "10:41:02.123 [main] INFO  org.apache.hadoop.mapreduce.JobSubmitter - Cleaning up the staging area\n");
        assertThat(runner.atExit(launch(spec), stdout, stderr)).as("a driver that never submitted a job").isNull();
        assertThat(runner.atExit(launch(spec), sandbox.resolve("no-such-log"), stderr)).as("no log at all").isNull();
        assertThat(new SparkRunner(config()).atExit(launch(spec), stdout, stderr)).as("the default reads nothing").isNull();
    }

    @Test
    void aDriversEndIsItsJvmsExitItselfWithItsRealExitCode() throws Exception {
        // the Spark home's spark-submit execs the driver, so what it exits with is what the driver JVM exits with
        Files.writeString(home.resolve("bin/spark-submit"), "#!/bin/sh\necho $$ > \"$NIGHTSHIFT_SPARK_PID_FILE\"\nexit 7\n");
        JobSpec spec = JobSpec.spark(SparkSpec.of("app/etl.jar", "com.example.Etl", List.of())).id("etl").build();
        SparkRunner runner = new SparkRunner(config());
        Launch l = launch(spec);
        io.nightshift.agent.process.Supervisor.Started s = runner.start(l, ctx, runner.plan(l, ctx), sandbox.resolve("stdout"),
                sandbox.resolve("stderr"), List.of(), null, info -> { });
        s.ended().get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(s.exitCodeOfProcess()).as("the launcher's handle gave up its process").isTrue();
        assertThat(s.exitCode().get()).as("not the handle's FAILED, which would read 1").isEqualTo(7);
    }

    @Test
    void theDriverJvmIsToldTheTasksCpusUnlessTheJobSaysOtherwise() throws Exception {
        JobSpec spec = JobSpec.spark(SparkSpec.of("app/etl.jar", "com.example.Etl", List.of()))
                .id("etl").resources(new Resources(2.5, 2048, 0, 0)).build();
        assertThat(new SparkRunner(config()).plan(launch(spec), ctx).argv())
                .containsSubsequence("--conf", "spark.driver.extraJavaOptions=-XX:ActiveProcessorCount=3");
        JobSpec own = JobSpec.spark(SparkSpec.of("app/etl.jar", "com.example.Etl", List.of())
                        .withConf(Map.of("spark.driver.extraJavaOptions", "-XX:+UseG1GC")))
                .id("etl").resources(new Resources(0.5, 2048, 0, 0)).build();
        assertThat(new SparkRunner(config()).plan(launch(own), ctx).argv()).as("ahead of the job's own options")
                .containsSubsequence("--conf", "spark.driver.extraJavaOptions=-XX:ActiveProcessorCount=1 -XX:+UseG1GC");
        JobSpec set = JobSpec.spark(SparkSpec.of("app/etl.jar", "com.example.Etl", List.of())
                        .withConf(Map.of("spark.driver.extraJavaOptions", "-XX:ActiveProcessorCount=8")))
                .id("etl").resources(new Resources(0.5, 2048, 0, 0)).build();
        assertThat(new SparkRunner(config()).plan(launch(set), ctx).argv()).as("the job's own count stands")
                .containsSubsequence("--conf", "spark.driver.extraJavaOptions=-XX:ActiveProcessorCount=8");
    }
}
