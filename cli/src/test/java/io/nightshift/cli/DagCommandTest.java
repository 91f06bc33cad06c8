package io.nightshift.cli;

import static io.nightshift.cli.FakeCoordinator.reply;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nightshift dag ID}: the upstream tree with each job's state and latest run, against a fake coordinator. */
class DagCommandTest {
    static String detail(String id, String state, String after, String run, String pending) {
        return ("{\"job\":{\"v\":1,\"id\":\"%s\",\"spec\":{\"id\":\"%s\",\"name\":\"%s\",\"queue\":\"default\",\"type\":\"command\","
                + "\"command\":{\"shell\":\"true\"}%s},\"state\":\"%s\",\"killRequested\":false,"
                + "\"submittedAt\":\"2026-12-01T00:00:00Z\",\"runIds\":[\"%s.r1\"]},"
                + "\"runs\":[{\"run\":{\"v\":1,\"id\":\"%s.r1\",\"jobId\":\"%s\",\"number\":1,\"state\":\"%s\","
                + "\"createdAt\":\"2026-12-01T00:00:00Z\",\"taskIds\":[]},\"tasks\":[]}]%s}")
                .formatted(id, id, id, after == null ? "" : ",\"after\":" + after, state, id, id, id, run,
                        pending == null ? "" : ",\"pending\":{\"tasks\":[\"" + id + ".r1.0\"],\"reasons\":[{\"code\":\"upstream\",\"kind\":\"DYNAMIC\","
                                + "\"agents\":0,\"message\":\"" + pending + "\"}]}");
    }

    @TempDir
    Path dir;
    CliRunner cli;

    @BeforeEach
    void setUp() {
        cli = new CliRunner(dir);
    }

    @Test
    void printsTheUpstreamTreeWithStatesAndShowsADiamondOnce() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/jobs/report", ex -> reply(ex, 200, "application/json", detail("report", "QUEUED",
                    "[{\"job\":\"transform\"},{\"job\":\"extract\",\"state\":\"ENDED\",\"sameDay\":true}]", "QUEUED",
                    "waits for run transform.r1 (RUNNING)")));
            fake.route("/v1/jobs/transform", ex -> reply(ex, 200, "application/json", detail("transform", "RUNNING",
                    "[{\"job\":\"extract\"}]", "RUNNING", null)));
            fake.route("/v1/jobs/extract", ex -> reply(ex, 200, "application/json", detail("extract", "SUCCEEDED", null, "SUCCEEDED", null)));
            CliRunner.Result r = cli.run("--coordinator", fake.url(), "dag", "report");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("""
                    report  QUEUED  report.r1 QUEUED  waits for run transform.r1 (RUNNING)
                    ├─ transform  (SUCCEEDED)  RUNNING  transform.r1 RUNNING
                    │  └─ extract  (SUCCEEDED)  SUCCEEDED  extract.r1 SUCCEEDED
                    └─ extract  (ENDED, same day)  SUCCEEDED  extract.r1 SUCCEEDED  (shown above)
                    """);
        }
    }
}
