package io.nightshift.cli;

import static io.nightshift.cli.FakeCoordinator.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.json.Json;
import io.nightshift.api.state.JobState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nightshift submit spark} turns spark-submit's command line into a spark job spec: the JSON sent to a fake
 * coordinator, the application's own flags left to it, and usage errors (exit 2, nothing sent) for what cannot be.
 */
class SubmitSparkCommandTest {
    @TempDir
    Path dir;
    CliRunner cli;

    @BeforeEach
    void setUp() {
        cli = new CliRunner(dir);
    }

    private JsonNode submitted(String... args) throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/jobs", ex -> reply(ex, 201, "application/json", Json.write(Fixtures.job("etl", JobState.QUEUED))));
            String[] all = new String[args.length + 2];
            all[0] = "--coordinator";
            all[1] = fake.url();
            System.arraycopy(args, 0, all, 2, args.length);
            CliRunner.Result r = cli.run(all);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("etl\n");
            assertThat(fake.requests).containsExactly("POST /v1/jobs");
            return Json.mapper().readTree(fake.bodies.get(0));
        }
    }

    @Test
    void sparkSubmitFlagsBecomeASparkSpecAndTheAppsOwnFlagsStayItsArguments() throws IOException {
        JsonNode spec = submitted("submit", "spark", "--id", "etl", "--class", "com.example.Etl", "--master", "local[2]",
                "--conf", "spark.sql.shuffle.partitions=4", "-c", "spark.eventLog.enabled=true",
                "--driver-memory", "2g", "--executor-memory", "1g", "--jars", "hdfs:///libs/a.jar,hdfs:///libs/b.jar",
                "hdfs:///apps/etl.jar", "--input", "hdfs:///data/in", "--conf", "not-ours=1");

        assertThat(spec.path("type").asText()).isEqualTo("spark");
        assertThat(spec.path("id").asText()).isEqualTo("etl");
        assertThat(spec.path("resources").path("memMb").asLong()).isEqualTo(2048 + 384);
        assertThat(spec.path("artifacts").get(0).path("uri").asText()).isEqualTo("hdfs:///apps/etl.jar");
        assertThat(spec.path("artifacts").get(0).path("destination").asText()).isEqualTo("app/etl.jar");
        JsonNode spark = spec.path("spark");
        assertThat(spark.path("appResource").asText()).isEqualTo("app/etl.jar");
        assertThat(spark.path("mainClass").asText()).isEqualTo("com.example.Etl");
        assertThat(spark.path("master").asText()).isEqualTo("local[2]");
        assertThat(spark.path("driverMemory").asText()).isEqualTo("2g");
        assertThat(spark.path("conf").path("spark.sql.shuffle.partitions").asText()).isEqualTo("4");
        assertThat(spark.path("conf").path("spark.eventLog.enabled").asText()).isEqualTo("true");
        assertThat(spark.path("conf").path("spark.executor.memory").asText()).isEqualTo("1g");
        assertThat(spark.path("jars")).extracting(JsonNode::asText).containsExactly("hdfs:///libs/a.jar", "hdfs:///libs/b.jar");
        // after APP everything is the application's, even what looks like a flag of ours
        assertThat(spark.path("appArgs")).extracting(JsonNode::asText)
                .containsExactly("--input", "hdfs:///data/in", "--conf", "not-ours=1");
    }

    @Test
    void aLocalAppIsSentAsAnAbsoluteFileUriAndAPropertiesFileGivesWayToConf() throws IOException {
        Files.writeString(dir.resolve("spark.conf"), "spark.ui.enabled=false\nspark.sql.shuffle.partitions=8\n");
        JsonNode spec = submitted("submit", "spark", "--class", "com.example.Etl", "--properties-file", "spark.conf",
                "--conf", "spark.sql.shuffle.partitions=2", "build/etl.jar");

        assertThat(spec.path("artifacts").get(0).path("uri").asText())
                .isEqualTo(dir.resolve("build/etl.jar").toUri().toString());
        assertThat(spec.path("resources").path("memMb").asLong()).isEqualTo(SubmitSparkCommand.DEFAULT_MEM_MB);
        assertThat(spec.path("spark").path("conf").path("spark.ui.enabled").asText()).isEqualTo("false");
        assertThat(spec.path("spark").path("conf").path("spark.sql.shuffle.partitions").asText()).isEqualTo("2");
    }

    @Test
    void whatCannotBeSubmittedIsAUsageErrorAndNothingIsSent() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/jobs", ex -> reply(ex, 500, "text/plain", "must not be called"));
            CliRunner.Result noValue = cli.run("--coordinator", fake.url(), "submit", "spark", "--conf", "spark.x", "a.jar");
            CliRunner.Result packages = cli.run("--coordinator", fake.url(), "submit", "spark", "--packages", "g:a:1", "a.jar");
            CliRunner.Result scheme = cli.run("--coordinator", fake.url(), "submit", "spark", "--class", "C", "gopher://h/a.jar");
            CliRunner.Result badMemory = cli.run("--coordinator", fake.url(), "submit", "spark", "--class", "C",
                    "--driver-memory", "lots", "hdfs:///a.jar");
            // checked by the coordinator's own parser before anything is sent: a jar needs its main class
            CliRunner.Result badUri = cli.run("--coordinator", fake.url(), "submit", "spark", "--class", "C", "hdfs://h/{x}.jar");
            CliRunner.Result noClass = cli.run("--coordinator", fake.url(), "submit", "spark", "hdfs:///apps/etl.jar");

            assertThat(noValue.code()).isEqualTo(2);
            assertThat(noValue.err()).contains("--conf takes PROP=VALUE, got 'spark.x'");
            assertThat(packages.code()).isEqualTo(2);
            assertThat(packages.err()).contains("Unknown option: '--packages'");
            assertThat(scheme.code()).isEqualTo(2);
            assertThat(scheme.err()).contains("the scheme 'gopher' cannot be fetched");
            assertThat(badMemory.code()).isEqualTo(2);
            assertThat(badMemory.err()).contains("--driver-memory takes a size");
            assertThat(badUri.code()).isEqualTo(2);
            assertThat(badUri.err()).contains("APP is not a valid URI");
            assertThat(noClass.code()).isEqualTo(2);
            assertThat(noClass.err()).contains("/spark/mainClass");
            assertThat(fake.requests).isEmpty();
        }
    }

    @Test
    void submitWithoutAFileOrASubcommandStillAsksForTheFile() {
        CliRunner.Result r = cli.run("submit");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required parameter: 'FILE|-'");
    }
}
