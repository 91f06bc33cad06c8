package io.nightshift.cli;

import static io.nightshift.cli.FakeCoordinator.reply;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nightshift submit} of a job with a deadline: an at-risk verdict is said on stderr, a refusal is exit 1 with why. */
class SubmitDeadlineTest {
    static final String JOB = """
            {"v":1,"id":"etl","spec":{"id":"etl","name":"etl","queue":"default","type":"command","command":{"shell":"true"},
             "deadline":"2026-12-03T06:00:00Z"},"state":"QUEUED","killRequested":false,"submittedAt":"2026-12-03T01:00:00Z",
             "runIds":["etl.r1"],"admission":{"verdict":"%s","deadline":"2026-12-03T06:00:00Z","estimate":"PT4H58M",
             "basis":"history","historyRuns":12,"aheadCpuSeconds":0.0,"idleCpus":8.0,"reason":"%s",
             "decidedAt":"2026-12-03T01:00:00Z"}}
            """;

    @TempDir
    Path dir;
    CliRunner cli;
    Path spec;

    @BeforeEach
    void setUp() throws IOException {
        cli = new CliRunner(dir);
        spec = Files.writeString(dir.resolve("etl.json"),
                "{\"id\":\"etl\",\"type\":\"command\",\"command\":{\"shell\":\"true\"},\"deadline\":\"2026-12-03T06:00:00Z\"}");
    }

    @Test
    void anAtRiskVerdictIsSaidOnStderrAndStdoutStaysTheJobId() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/jobs", ex -> reply(ex, 201, "application/json",
                    JOB.formatted("at-risk", "expected to end at 2026-12-03T05:58:00Z, only PT2M before the deadline")));
            CliRunner.Result r = cli.run("--coordinator", fake.url(), "submit", spec.toString());
            assertThat(r.code()).isZero();
            assertThat(r.out()).isEqualTo("etl\n");
            assertThat(r.err()).contains("deadline at-risk: expected to end at 2026-12-03T05:58:00Z, only PT2M before the deadline");
        }
    }

    @Test
    void anAdmittedVerdictSaysNothingMore() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/jobs", ex -> reply(ex, 201, "application/json", JOB.formatted("admitted", "fits")));
            CliRunner.Result r = cli.run("--coordinator", fake.url(), "submit", spec.toString());
            assertThat(r.code()).isZero();
            assertThat(r.out()).isEqualTo("etl\n");
            assertThat(r.err()).doesNotContain("deadline");
        }
    }

    @Test
    void aRefusalIsExitOneWithTheReason() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/jobs", ex -> reply(ex, 409, "application/problem+json", """
                    {"type":"urn:nightshift:problem:deadline-refused","title":"Deadline refused","status":409,
                     "detail":"expected to end at 2026-12-03T06:40:00Z, PT40M after the deadline 2026-12-03T06:00:00Z",
                     "problems":[{"path":"/deadline","message":"expected to end at 2026-12-03T06:40:00Z, PT40M after the deadline"}]}"""));
            CliRunner.Result r = cli.run("--coordinator", fake.url(), "submit", spec.toString());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("PT40M after the deadline");
        }
    }
}
