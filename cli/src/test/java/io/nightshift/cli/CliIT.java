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
        cli = new CliRunner(dir).env("NIGHTSHIFT_COORDINATOR", cluster.url().toString());
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
}
