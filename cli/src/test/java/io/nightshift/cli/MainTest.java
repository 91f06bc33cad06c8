package io.nightshift.cli;

import static io.nightshift.cli.FakeCoordinator.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.PendingReason;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.TaskState;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing, exit codes and error lines of the CLI, against a port nobody listens on or a fake coordinator. */
class MainTest {
    static final String VALID = """
            {"id": "hello", "type": "command", "command": {"argv": ["echo", "hi"]}, "resources": {"cpus": 0.5, "memMb": 64}}
            """;

    @TempDir
    Path dir;
    CliRunner cli;
    String deadUrl;

    @BeforeEach
    void setUp() throws IOException {
        cli = new CliRunner(dir);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadUrl = "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void anUnknownOptionIsAUsageErrorWithExitCode2() {
        CliRunner.Result r = cli.run("status", "--bogus");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option: '--bogus'").contains("Usage: nightshift status");
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        CliRunner.Result r = cli.run("stauts");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Did you mean").contains("status");
    }

    @Test
    void aMissingParameterIsAUsageError() {
        CliRunner.Result r = cli.run("submit");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required parameter: 'FILE|-'");
    }

    @Test
    void noCommandPrintsUsageAndExits2() {
        CliRunner.Result r = cli.run();

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Usage: nightshift").contains("submit").contains("bench");
    }

    @Test
    void aBadOutputFormatIsAUsageError() {
        CliRunner.Result r = cli.run("--output", "xml", "status");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--output");
    }

    @Test
    void helpExitsZero() {
        CliRunner.Result r = cli.run("submit", "--help");

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: nightshift submit").contains("--wait");
    }

    @Test
    void anInvalidSpecIsRejectedLocallyWithOneLinePerProblemAndExitCode2() throws IOException {
        Files.writeString(dir.resolve("bad.json"), """
                {"type": "command", "command": {"argv": ["true"]}, "resources": {"cpus": -1, "memMb": 0}, "colour": "red"}
                """);

        CliRunner.Result r = cli.run("--coordinator", deadUrl, "submit", "bad.json");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: invalid job spec (3 problems):\n");
        assertThat(r.err().lines().filter(l -> l.startsWith("  /")))
                .anyMatch(l -> l.startsWith("  /resources/cpus: "))
                .anyMatch(l -> l.startsWith("  /resources/memMb: "))
                .anyMatch(l -> l.startsWith("  /colour: "))
                .hasSize(3);
        assertThat(r.err()).doesNotContain("cannot reach"); // nothing was sent
    }

    @Test
    void aSpecThatIsNotJsonIsAUsageError() throws IOException {
        Files.writeString(dir.resolve("broken.json"), "{\"type\": ");

        CliRunner.Result r = cli.run("submit", "broken.json");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: cannot read broken.json as JSON");
    }

    @Test
    void anUnreachableCoordinatorIsOneLineWithoutAStackTraceAndExitCode1() {
        CliRunner.Result r = cli.run("--coordinator", deadUrl, "status");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: cannot reach coordinator at " + deadUrl + " (connection refused)\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void verboseAddsTheStackTrace() {
        CliRunner.Result r = cli.run("--verbose", "--coordinator", deadUrl, "agents");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: cannot reach coordinator").contains("\tat ");
    }

    @Test
    void globalOptionsWorkBeforeAndAfterTheCommand() {
        assertThat(cli.run("--coordinator", deadUrl, "agents").err()).contains(deadUrl);
        assertThat(cli.run("agents", "--coordinator", deadUrl).err()).contains(deadUrl);
    }

    @Test
    void theCoordinatorComesFromTheEnvironmentWhenNoFlagIsGiven() {
        CliRunner.Result r = cli.env("NIGHTSHIFT_COORDINATOR", deadUrl).run("kill", "x");

        assertThat(r.err()).isEqualTo("error: cannot reach coordinator at " + deadUrl + " (connection refused)\n");
    }

    @Test
    void anUnknownSettingIsAUsageError() {
        CliRunner.Result r = cli.run("--set", "cli.cordinator=http://x:1", "status");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: bad configuration: unknown setting 'cli.cordinator'\n");
    }

    @Test
    void aBadCoordinatorUrlIsAUsageErrorNamingTheSetting() {
        CliRunner.Result r = cli.run("--coordinator", "localhost:7070", "status");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: bad configuration: cli.coordinator: 'localhost:7070' is not allowed");
    }

    @Test
    void submitSendsTheSpecAndPrintsTheJobId() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/jobs", ex -> reply(ex, 201, "application/json", Json.write(Fixtures.job("hello", JobState.QUEUED))));
            Files.writeString(dir.resolve("job.json"), VALID);

            CliRunner.Result r = cli.run("--coordinator", fake.url(), "submit", "job.json", "--idempotency-key", "k1");

            assertThat(r.code()).isZero();
            assertThat(r.out()).isEqualTo("hello\n");
            assertThat(fake.requests).containsExactly("POST /v1/jobs");
            assertThat(Json.mapper().readTree(fake.bodies.get(0))).isEqualTo(Json.mapper().readTree(VALID));
        }
    }

    @Test
    void submitFromStdinAcceptsYaml() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/jobs", ex -> reply(ex, 201, "application/json", Json.write(Fixtures.job("hello", JobState.QUEUED))));

            CliRunner.Result r = cli.stdin("id: hello\ntype: command\ncommand:\n  argv: [echo, hi]\n")
                    .run("--coordinator", fake.url(), "submit", "-");

            assertThat(r.code()).isZero();
            assertThat(Json.mapper().readTree(fake.bodies.get(0)).path("command").path("argv").get(1).asText()).isEqualTo("hi");
        }
    }

    @Test
    void problemsTheCoordinatorFindsArePrintedLikeLocalOnesWithExitCode2() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/jobs", ex -> reply(ex, 400, "application/problem+json", """
                    {"title":"Invalid job spec","status":400,"detail":"1 problem",
                     "problems":[{"path":"/queue","message":"no such queue 'etl'"}]}"""));
            Files.writeString(dir.resolve("job.json"), VALID);

            CliRunner.Result r = cli.run("--coordinator", fake.url(), "submit", "job.json");

            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("error: 1 problem (HTTP 400 Invalid job spec)\n  /queue: no such queue 'etl'\n");
        }
    }

    @Test
    void submitWaitExitsZeroWhenTheJobSucceedsAndShowsEachChange() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            AtomicInteger polls = new AtomicInteger();
            fake.route("/v1/jobs", ex -> {
                if (ex.getRequestMethod().equals("POST")) {
                    reply(ex, 201, "application/json", Json.write(Fixtures.job("hello", JobState.QUEUED)));
                } else if (polls.incrementAndGet() == 1) {
                    reply(ex, 200, "application/json", Json.write(Fixtures.detail("hello", JobState.RUNNING,
                            Fixtures.attempt("hello.r1.0", 1, TaskState.RUNNING, null))));
                } else {
                    reply(ex, 200, "application/json", Json.write(Fixtures.detail("hello", JobState.SUCCEEDED,
                            Fixtures.attempt("hello.r1.0", 1, TaskState.FINISHED, 0))));
                }
            });
            Files.writeString(dir.resolve("job.json"), VALID);

            CliRunner.Result r = cli.run("--coordinator", fake.url(), "submit", "job.json", "--wait");

            assertThat(r.code()).isZero();
            assertThat(r.out()).isEqualTo("""
                    hello
                    10:00:00 job hello RUNNING
                    10:00:00 task hello.r1.0 attempt 1 RUNNING on agent-1 (host-1)
                    10:00:00 task hello.r1.0 attempt 1 FINISHED exit 0
                    10:00:00 job hello SUCCEEDED
                    """);
        }
    }

    @Test
    void submitWaitExitsOneWhenTheJobFails() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/jobs", ex -> {
                if (ex.getRequestMethod().equals("POST"))
                    reply(ex, 201, "application/json", Json.write(Fixtures.job("hello", JobState.QUEUED)));
                else reply(ex, 200, "application/json", Json.write(Fixtures.detail("hello", JobState.FAILED,
                        Fixtures.attempt("hello.r1.0", 1, TaskState.FAILED, 3))));
            });
            Files.writeString(dir.resolve("job.json"), VALID);

            CliRunner.Result r = cli.run("--coordinator", fake.url(), "submit", "job.json", "--wait");

            assertThat(r.code()).isEqualTo(1);
            assertThat(r.out()).endsWith("job hello FAILED (EXIT_CODE)\n");
        }
    }

    @Test
    void anUnknownJobIsExitCode1WithTheCoordinatorsWords() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/jobs/", ex -> reply(ex, 404, "application/problem+json",
                    "{\"title\":\"Job not found\",\"status\":404,\"detail\":\"no job 'nope'\"}"));

            CliRunner.Result r = cli.run("--coordinator", fake.url(), "status", "nope");

            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("error: no job 'nope' (HTTP 404 Job not found)\n");
        }
    }

    @Test
    void statusListsJobsAsATable() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/jobs", ex -> reply(ex, 200, "application/json", "{\"jobs\":["
                    + Json.write(Fixtures.job("hello", JobState.SUCCEEDED)) + ","
                    + Json.write(Fixtures.job("report-2", JobState.RUNNING)) + "],\"next\":null}"));

            CliRunner.Result r = cli.run("--coordinator", fake.url(), "status", "--state", "running", "--label", "team=data");

            assertThat(r.code()).isZero();
            assertThat(r.out()).isEqualTo("""
                    ID        NAME       STATE      QUEUE    SUBMITTED
                    hello     Say hello  SUCCEEDED  default  2025-03-01 09:00:00
                    report-2  Say hello  RUNNING    default  2025-03-01 09:00:00
                    """);
            assertThat(fake.requests).containsExactly("GET /v1/jobs?limit=50&state=RUNNING&label=team%3Ddata");
        }
    }

    @Test
    void jsonOutputIsTheDocumentNotATable() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/agents", ex -> reply(ex, 200, "application/json",
                    "{\"agents\":[" + Json.write(Fixtures.agent("a1", 4, 8192, 1, 1024)) + "]}"));

            CliRunner.Result r = cli.run("--coordinator", fake.url(), "agents", "-o", "json");

            assertThat(r.code()).isZero();
            assertThat(Json.mapper().readTree(r.out()).path("agents").get(0).path("id").asText()).isEqualTo("a1");
        }
    }

    @Test
    void logsOfATaskIdGoStraightToTheTask() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/tasks/", ex -> reply(ex, 200, "text/plain", "oops\n"));

            CliRunner.Result r = cli.run("--coordinator", fake.url(), "logs", "hello.r2.0", "--stderr", "--tail", "5");

            assertThat(r.code()).isZero();
            assertThat(r.out()).isEqualTo("oops\n");
            assertThat(fake.requests).containsExactly("GET /v1/tasks/hello.r2.0/logs/stderr?tail=5");
        }
    }

    @Test
    void statusOfAPendingJobShowsTheCoordinatorsEstimateOfItsStart() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            ObjectNode detail = (ObjectNode) Json.mapper().readTree(Json.write(Fixtures.pending("big",
                    PendingReason.shortOf("insufficient.cpus", PendingReason.Kind.DYNAMIC, 1, "cpus", 8, 2, "cpus: asked 8, largest free 2"))));
            ((ObjectNode) detail.path("pending")).put("eta", "2025-03-01T10:12:00Z");
            fake.route("/v1/jobs/", ex -> reply(ex, 200, "application/json", detail.toString()));

            CliRunner.Result r = cli.run("--coordinator", fake.url(), "status", "big");

            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).endsWith("""
                    Pending: 1 task waiting, expected to start 2025-03-01 10:12:00 (in 12m)
                      cpus: asked 8, largest free 2
                    """);
            assertThat(fake.requests).containsExactly("GET /v1/jobs/big");
        }
    }

    @Test
    void versionWorksWithoutACoordinator() {
        CliRunner.Result r = cli.run("--coordinator", deadUrl, "version");

        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("nightshift ").contains("coordinator at " + deadUrl + ": cannot reach coordinator");
    }
}
