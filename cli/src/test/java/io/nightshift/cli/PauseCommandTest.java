package io.nightshift.cli;

import static io.nightshift.cli.FakeCoordinator.reply;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nightshift pause|resume ID} against a fake coordinator: the route, the answer and the exit code. */
class PauseCommandTest {
    static final String JOB = """
            {"v":1,"id":"nightly","spec":{"id":"nightly","name":"nightly","queue":"default","type":"command",
             "command":{"shell":"true"},"schedule":{"cron":"30 2 * * *","syntax":"unix","zone":"Europe/Amsterdam"}},
             "state":"QUEUED","killRequested":false,"submittedAt":"2026-12-01T00:00:00Z","runIds":[],
             "schedule":{"cursor":"2026-12-01T00:00:00Z","paused":%s,"nextFireAt":"2026-12-02T01:30:00Z","fired":0,"skipped":0}}
            """;

    @TempDir
    Path dir;
    CliRunner cli;

    @BeforeEach
    void setUp() {
        cli = new CliRunner(dir);
    }

    @Test
    void pauseAndResumePostToTheJobAndSayWhereTheScheduleStands() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/jobs/nightly/pause", ex -> reply(ex, 200, "application/json", JOB.formatted("true")));
            fake.route("/v1/jobs/nightly/resume", ex -> reply(ex, 200, "application/json", JOB.formatted("false")));
            CliRunner.Result paused = cli.run("--coordinator", fake.url(), "pause", "nightly");
            CliRunner.Result resumed = cli.run("--coordinator", fake.url(), "resume", "nightly");
            assertThat(paused.code()).isZero();
            assertThat(paused.out()).isEqualTo("job nightly paused\n");
            assertThat(resumed.code()).isZero();
            assertThat(resumed.out()).isEqualTo("job nightly resumed; next fire at 2026-12-02T01:30:00Z\n");
            assertThat(fake.requests).containsExactly("POST /v1/jobs/nightly/pause", "POST /v1/jobs/nightly/resume");
        }
    }

    @Test
    void aJobWithoutAScheduleIsAConflictWithExitCode1() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/jobs/plain/pause", ex -> reply(ex, 409, "application/problem+json",
                    "{\"type\":\"conflict\",\"title\":\"Job has no schedule\",\"status\":409,\"detail\":\"job 'plain' has no schedule to pause\"}"));
            CliRunner.Result r = cli.run("--coordinator", fake.url(), "pause", "plain");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("no schedule");
        }
    }
}
