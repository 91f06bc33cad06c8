package io.nightshift.cli;

import static io.nightshift.cli.FakeCoordinator.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nightshift.api.Resources;
import io.nightshift.api.json.Json;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.api.queue.QueueSpecParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** {@code nightshift queues}, {@code queues apply} and {@code queues delete}, against a fake coordinator. */
class QueuesCommandTest {
    static final String ETL_JSON = """
            {"name": "etl", "weight": 2, "guarantee": {"cpus": 4, "memMb": 8192}, "limit": {"cpus": 16},
             "maxRunning": 20, "defaultPriority": 10}
            """;
    static final String ETL_YAML = """
            # the nightly ETL jobs
            name: etl
            weight: 2
            guarantee:
              cpus: 4
              memMb: 8192
            limit:
              cpus: 16
            maxRunning: 20
            defaultPriority: 10
            """;
    static final QueueSpec ETL = QueueSpec.of("etl", 2).withGuarantee(Resources.of(4, 8192))
            .withLimit(new Resources(16, QueueSpecParser.MAX_MEM_MB, QueueSpecParser.MAX_DISK_MB, QueueSpecParser.MAX_GPUS))
            .withMaxRunning(20).withDefaultPriority(10);

    static final String QUEUES = """
            {"queues":[
              {"spec":{"name":"default","weight":1.0,"guarantee":{"cpus":0.0,"memMb":0,"diskMb":0,"gpus":0},"defaultPriority":0},
               "share":null},
              {"spec":%s,
               "share":{"queue":"etl","weight":2.0,"allocated":{"cpus":6.0,"memMb":12288,"diskMb":0,"gpus":0},
                        "share":0.375,"fairShare":0.5,"pending":3,"running":6}}]}""".formatted(Json.write(ETL));

    @TempDir
    Path dir;
    CliRunner cli;

    @BeforeEach
    void setUp() {
        cli = new CliRunner(dir);
    }

    private static InputStream noStdin() {
        return new ByteArrayInputStream(new byte[0]);
    }

    @Test
    void picocliFindsTheSubcommandsAndTheirParameters() {
        CommandLine cl = Main.commandLine(new Nightshift());

        ParseResult list = cl.parseArgs("queues", "-o", "json");
        assertThat(list.subcommand().commandSpec().userObject()).isInstanceOf(QueuesCommand.class);

        ParseResult apply = cl.parseArgs("queues", "apply", "etl.yaml");
        QueuesCommand.Apply a = (QueuesCommand.Apply) apply.subcommand().subcommand().commandSpec().userObject();
        assertThat(a.file).isEqualTo("etl.yaml");

        ParseResult delete = Main.commandLine(new Nightshift()).parseArgs("queues", "delete", "old", "--coordinator", "http://h:1");
        QueuesCommand.Delete d = (QueuesCommand.Delete) delete.subcommand().subcommand().commandSpec().userObject();
        assertThat(d.name).isEqualTo("old");
    }

    @Test
    void aYamlQueueFileReadsAsTheSameSpecAsItsJson() throws IOException {
        Files.writeString(dir.resolve("etl.yaml"), ETL_YAML);
        Files.writeString(dir.resolve("etl.json"), ETL_JSON);

        QueueSpec fromYaml = QueuesCommand.read("etl.yaml", dir, noStdin()).spec();
        QueueSpec fromJson = QueuesCommand.read("etl.json", dir, noStdin()).spec();
        QueueSpec fromStdin = QueuesCommand.read("-", dir,
                new ByteArrayInputStream(ETL_YAML.getBytes(StandardCharsets.UTF_8))).spec();

        assertThat(fromYaml).isEqualTo(fromJson).isEqualTo(fromStdin).isEqualTo(ETL);
    }

    @Test
    void aQueueFileThatIsNotAnObjectSaysItExpectsAQueueSpec() throws IOException {
        Files.writeString(dir.resolve("list.yaml"), "- etl\n- ml\n");

        assertThatThrownBy(() -> QueuesCommand.read("list.yaml", dir, noStdin()))
                .hasMessage("list.yaml must hold one queue spec (an object), not array");
    }

    @Test
    void anInvalidQueueIsRejectedLocallyWithOneLinePerProblemAndExitCode2() throws IOException {
        Files.writeString(dir.resolve("bad.yaml"), """
                name: ETL
                weight: 0
                guarantee: {cpus: 8}
                limit: {cpus: 4}
                colour: red
                """);

        CliRunner.Result r = cli.run("--coordinator", "http://127.0.0.1:1", "queues", "apply", "bad.yaml");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: invalid queue spec (4 problems):\n");
        assertThat(r.err().lines().filter(l -> l.startsWith("  /")))
                .anyMatch(l -> l.startsWith("  /name: must be 1 to 64 lower-case letters"))
                .anyMatch(l -> l.startsWith("  /weight: "))
                .anyMatch(l -> l.equals("  /guarantee/cpus: must not exceed limit.cpus (4), got 8"))
                .anyMatch(l -> l.startsWith("  /colour: unknown field"))
                .hasSize(4);
        assertThat(r.err()).doesNotContain("cannot reach"); // nothing was sent
    }

    @Test
    void applyPutsTheDefinitionAsWrittenAndSaysWhetherTheQueueIsNew() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            AtomicInteger puts = new AtomicInteger();
            fake.route("/v1/queues/", ex -> reply(ex, puts.incrementAndGet() == 1 ? 201 : 200, "application/json",
                    "{\"spec\":" + Json.write(ETL) + "}"));
            Files.writeString(dir.resolve("etl.yaml"), ETL_YAML);

            CliRunner.Result first = cli.run("--coordinator", fake.url(), "queues", "apply", "etl.yaml");
            CliRunner.Result again = cli.run("--coordinator", fake.url(), "queues", "apply", "etl.yaml", "-o", "json");

            assertThat(first.code()).isZero();
            assertThat(first.out()).isEqualTo("queue etl created\n");
            assertThat(again.code()).isZero();
            assertThat(Json.mapper().readTree(again.out())).isEqualTo(Json.mapper().readTree("{\"queue\":\"etl\",\"created\":false}"));
            assertThat(fake.requests).containsExactly("PUT /v1/queues/etl", "PUT /v1/queues/etl");
            assertThat(Json.mapper().readTree(fake.bodies.get(0))).isEqualTo(Json.mapper().readTree(ETL_JSON));
        }
    }

    @Test
    void problemsTheCoordinatorFindsArePrintedPerPathWithExitCode2() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/queues/", ex -> reply(ex, 400, "application/problem+json", """
                    {"title":"Invalid queue spec","status":400,"detail":"1 problem",
                     "problems":[{"path":"/guarantee/cpus","message":"guarantees add up to more than the cluster"}]}"""));
            Files.writeString(dir.resolve("etl.json"), ETL_JSON);

            CliRunner.Result r = cli.run("--coordinator", fake.url(), "queues", "apply", "etl.json");

            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("error: 1 problem (HTTP 400 Invalid queue spec)\n"
                    + "  /guarantee/cpus: guarantees add up to more than the cluster\n");
        }
    }

    @Test
    void deleteRemovesTheQueue() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/queues/", ex -> reply(ex, 204, "application/json", ""));

            CliRunner.Result r = cli.run("--coordinator", fake.url(), "queues", "delete", "old");

            assertThat(r.code()).isZero();
            assertThat(r.out()).isEqualTo("queue old deleted\n");
            assertThat(fake.requests).containsExactly("DELETE /v1/queues/old");
        }
    }

    @Test
    void deletingAQueueWithLiveJobsFailsWithTheCoordinatorsWordsAndExitCode1() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/queues/", ex -> reply(ex, 409, "application/problem+json",
                    "{\"title\":\"Conflict\",\"status\":409,\"detail\":\"queue 'etl' still has 2 jobs that have not ended\"}"));

            CliRunner.Result r = cli.run("--coordinator", fake.url(), "queues", "delete", "etl");

            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("error: queue 'etl' still has 2 jobs that have not ended (HTTP 409 Conflict)\n");
        }
    }

    @Test
    void queuesListsEachQueueWithItsShare() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/queues", ex -> reply(ex, 200, "application/json", QUEUES));

            CliRunner.Result r = cli.run("--coordinator", fake.url(), "queues");

            assertThat(r.code()).isZero();
            assertThat(r.out()).isEqualTo("""
                    NAME     WEIGHT  GUARANTEE CPUS/MiB  LIMIT CPUS/MiB  MAX RUNNING  SHARE %  FAIR %  PENDING  RUNNING
                    default       1  -                   -                         -        -       -        -        -
                    etl           2  4/8192              16/*                     20     37.5    50.0        3        6
                    """);
            assertThat(fake.requests).containsExactly("GET /v1/queues");
        }
    }

    @Test
    void queuesAsJsonIsTheCoordinatorsDocument() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/queues", ex -> reply(ex, 200, "application/json", QUEUES));

            CliRunner.Result r = cli.run("--coordinator", fake.url(), "queues", "-o", "json");

            assertThat(r.code()).isZero();
            assertThat(Json.mapper().readTree(r.out())).isEqualTo(Json.mapper().readTree(QUEUES));
        }
    }
}
