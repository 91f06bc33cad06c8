package io.nightshift.cli;

import static io.nightshift.cli.FakeCoordinator.reply;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nightshift capacity} against a fake coordinator answering {@code GET /v1/pools} as the real one does ({@code {"pools": [...]}}; DemoIT sees it against a real one). */
class CapacityCommandTest {
    static final String POOLS = """
            {"pools":[{"spec":{"name":"office","reservation":{"cpus":6,"memMb":12288,"diskMb":0,"gpus":0},
               "headroom":{"cpuPercent":20,"memMb":4096},"windows":[{"name":"night"}]},
              "agents":["a1","a2"],"total":{"cpus":8,"memMb":16384,"diskMb":0,"gpus":0},
              "owners":{"cpus":0.5,"memMb":1024,"diskMb":0,"gpus":0},"idle":{"cpus":5.9,"memMb":11264,"diskMb":0,"gpus":0},
              "lending":true,
              "windows":[{"name":"night","open":true,"opensAt":"2026-12-01T21:00:00Z","closesAt":"2026-12-02T05:00:00Z"}]},
             {"spec":{"name":"lab","windows":[]},"agents":[],"total":{"cpus":0,"memMb":0,"diskMb":0,"gpus":0},
              "owners":{"cpus":0,"memMb":0,"diskMb":0,"gpus":0},"idle":{"cpus":0,"memMb":0,"diskMb":0,"gpus":0},
              "lending":false,"windows":[{"name":"weekend","open":false,"opensAt":"2026-12-05T00:00:00Z",
              "closesAt":"2026-12-07T06:00:00Z"}]}]}
            """;

    @TempDir
    Path dir;
    CliRunner cli;

    @BeforeEach
    void setUp() {
        cli = new CliRunner(dir);
    }

    @Test
    void showsEachPoolsAgentsOwnersIdleCapacityAndWindows() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/pools", ex -> reply(ex, 200, "application/json", POOLS));
            CliRunner.Result r = cli.run("--coordinator", fake.url(), "capacity");

            assertThat(r.code()).as(r.err()).isZero();
            assertThat(fake.requests).containsExactly("GET /v1/pools");
            String[] lines = r.out().split("\n");
            assertThat(lines[0]).contains("POOL", "AGENTS", "OWNERS CPUS/MiB", "IDLE CPUS/MiB", "LENDING", "WINDOWS");
            assertThat(lines[1]).contains("office", "2", "8/16384", "0.5/1024", "5.9/11264", "yes",
                    "night: open until 2026-12-02T05:00:00Z");
            assertThat(lines[2]).contains("lab", "0/0", "no", "weekend: opens 2026-12-05T00:00:00Z");
        }
    }

    @Test
    void noPoolsSaysHowToMakeOne() throws IOException {
        try (FakeCoordinator fake = new FakeCoordinator()) {
            fake.route("/v1/pools", ex -> reply(ex, 200, "application/json", "{\"pools\":[]}"));
            CliRunner.Result r = cli.run("--coordinator", fake.url(), "capacity");
            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("No pools.").contains("PUT /v1/pools/NAME");
        }
    }
}
