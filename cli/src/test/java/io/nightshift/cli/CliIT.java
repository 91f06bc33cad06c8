package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.testkit.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI in-process against a real local cluster (coordinator + 1 agent, port 0, real child processes). */
class CliIT {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static CliRunner cli;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.forTest(dir.resolve("cluster"), 1);
        cli = new CliRunner(dir).env("NIGHTSHIFT_COORDINATOR", cluster.url().toString())
                .env("NIGHTSHIFT_TOKEN", cluster.adminToken());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    private static void spec(String file, String json) throws IOException {
        Files.writeString(dir.resolve(file), json);
    }

    @Test
    void submitWaitExitsZeroForAJobThatSucceedsAndItsLogIsThere() throws IOException {
        spec("ok.json", """
                {"type": "command", "command": {"shell": "echo hello from the cli test"},
                 "resources": {"cpus": 0.1, "memMb": 32}}
                """);

        CliRunner.Result r = cli.run("submit", "ok.json", "--wait", "--timeout", "2m");

        assertThat(r.code()).as(r.err()).isZero();
        String id = r.out().lines().findFirst().orElseThrow();
        // Progress comes from polling: a quick job may skip RUNNING between two polls, but its end is always shown.
        assertThat(r.out()).contains("task " + id + ".r1.0 attempt 1 FINISHED exit 0").endsWith("job " + id + " SUCCEEDED\n");
        assertThat(cli.run("logs", id).out()).isEqualTo("hello from the cli test\n");
        assertThat(cli.run("status", id).out()).contains("State      SUCCEEDED").contains("FINISHED");
    }

    @Test
    void submitWaitExitsOneForAJobThatFails() throws IOException {
        spec("fails.yaml", """
                type: command
                command:
                  shell: "echo broken >&2; exit 3"
                resources: {cpus: 0.1, memMb: 32}
                """);

        CliRunner.Result r = cli.run("submit", "fails.yaml", "--wait", "--timeout", "2m");

        assertThat(r.code()).as(r.err()).isEqualTo(1);
        String id = r.out().lines().findFirst().orElseThrow();
        assertThat(r.out()).contains("attempt 1 FAILED exit 3").endsWith("job " + id + " FAILED (EXIT_CODE)\n");
        assertThat(cli.run("logs", id, "--stderr").out()).isEqualTo("broken\n");
    }

    @Test
    void agentsListsTheLocalAgent() {
        CliRunner.Result r = cli.run("agents");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("ID ").contains("local-1").contains("ACTIVE");
    }

    @Test
    void withoutATokenAClientCommandSaysWhatToSendAndExitsOne() {
        CliRunner.Result r = new CliRunner(dir.resolve("elsewhere")).env("NIGHTSHIFT_COORDINATOR", cluster.url().toString()).run("status");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("401").contains("Authorization: Bearer");
    }

    @Test
    void theAdminTokenALocalClusterWroteIsPickedUpFromItsDataDirectory() {
        CliRunner.Result r = new CliRunner(dir).env("NIGHTSHIFT_COORDINATOR", cluster.url().toString())
                .run("--set", "coordinator.data-dir=" + dir.resolve("cluster").resolve("coordinator"), "whoami");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("admin (admin)\n");
    }

    @Test
    void anAdminCreatesListsAndRevokesTokens() {
        CliRunner.Result created = cli.run("tokens", "create", "--subject", "dana", "--role", "submit:default", "--role", "read");
        assertThat(created.code()).as(created.err()).isZero();
        String token = created.out().strip();
        assertThat(token).startsWith("nst_");
        CliRunner dana = new CliRunner(dir.resolve("dana")).env("NIGHTSHIFT_COORDINATOR", cluster.url().toString())
                .env("NIGHTSHIFT_TOKEN", token);
        assertThat(dana.run("whoami").out()).isEqualTo("dana (read, submit:default)\n");

        CliRunner.Result listed = cli.run("tokens");
        assertThat(listed.out()).contains("dana").contains("submit:default,read").doesNotContain(token);
        String id = listed.out().lines().filter(l -> l.contains("dana")).findFirst().orElseThrow().split("\\s+")[0];

        CliRunner.Result denied = dana.run("tokens", "create", "--subject", "eve", "--role", "admin");
        assertThat(denied.code()).isEqualTo(1);
        assertThat(denied.err()).contains("403").contains("lacks role admin");

        assertThat(cli.run("tokens", "revoke", id).code()).isZero();
        assertThat(dana.run("whoami").code()).isEqualTo(1);
    }

    @Test
    void anAdminStoresASecretFromStdinOrAFileListsItWithoutItsValueAndDeletesIt() throws IOException {
        CliRunner.Result created = new CliRunner(dir).env("NIGHTSHIFT_COORDINATOR", cluster.url().toString())
                .env("NIGHTSHIFT_TOKEN", cluster.adminToken()).stdin("pa55-from-stdin\n")
                .run("secrets", "create", "cli-db", "--queue", "default", "--queue", "etl");
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(created.out() + created.err()).contains("cli-db").doesNotContain("pa55-from-stdin");

        Files.writeString(dir.resolve("api.key"), "pa55-from-file\n");
        CliRunner.Result fromFile = cli.run("secrets", "create", "cli-api", "--queue", "default", "--from-file", "api.key");
        assertThat(fromFile.code()).as(fromFile.err()).isZero();

        CliRunner.Result listed = cli.run("secrets");
        assertThat(listed.out()).startsWith("NAME ").contains("cli-db").contains("default,etl").contains("cli-api")
                .doesNotContain("pa55");
        assertThat(cli.run("secrets", "--output", "json").out()).contains("\"cli-db\"").doesNotContain("pa55");

        assertThat(cli.run("secrets", "delete", "cli-api").code()).isZero();
        assertThat(cli.run("secrets").out()).contains("cli-db").doesNotContain("cli-api");
        assertThat(cli.run("secrets", "delete", "cli-api").code()).isEqualTo(1);
    }

    @Test
    void aSecretValueIsNeverTakenFromTheCommandLineAndAnEmptyOneIsRefused() {
        CliRunner.Result onArgv = cli.run("secrets", "create", "argv-db", "--queue", "default", "s3cr3t-on-argv");
        assertThat(onArgv.code()).isEqualTo(2);
        CliRunner.Result empty = cli.run("secrets", "create", "argv-db", "--queue", "default");
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err()).contains("empty");
        assertThat(cli.run("secrets").out()).doesNotContain("argv-db");
    }
}
