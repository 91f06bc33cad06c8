package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nightshift.api.json.Json;
import io.nightshift.coordinator.simulation.InvariantViolation;
import io.nightshift.coordinator.simulation.SimulationConfig;
import io.nightshift.coordinator.simulation.SimulationResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParseResult;

/** {@code nightshift simulate}: option parsing into a {@link SimulationConfig}, and tiny runs of the real simulator. */
class SimulateCommandTest {
    /** Two small agents, two queues, ten simulated minutes: a run of 58 cycles (one per 10 s tick with an event). */
    static final String[] TINY = {"simulate", "--agents", "2", "--agent-cpus", "4", "--agent-mem", "8192",
            "--queue", "a:1", "--queue", "b:2", "--duration", "10m", "--arrivals", "6", "--seed", "7"};

    @TempDir
    Path dir;
    CliRunner cli;

    @BeforeEach
    void setUp() {
        cli = new CliRunner(dir);
    }

    private SimulationConfig config(String... args) {
        PrintWriter sink = new PrintWriter(new StringWriter());
        Nightshift root = new Nightshift(Map.of(), dir, InputStream.nullInputStream(), sink, sink, CliRunner.CLOCK);
        ParseResult parsed = Main.commandLine(root).parseArgs(args);
        return ((SimulateCommand) parsed.subcommand().commandSpec().userObject()).config();
    }

    private static String[] with(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void typedOptionsBecomeTheSimulatorsConfig() {
        SimulationConfig c = config(TINY);

        assertThat(c.agents()).isEqualTo(2);
        assertThat(c.agentResources().cpus()).isEqualTo(4);
        assertThat(c.agentResources().memMb()).isEqualTo(8192);
        assertThat(c.queues()).extracting(q -> q.name() + ":" + q.weight()).containsExactly("a:1.0", "b:2.0");
        assertThat(c.duration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.arrivalsPerMinute()).isEqualTo(6);
        assertThat(c.seed()).isEqualTo(7);
        assertThat(c.workload()).isEqualTo("synthetic");
        assertThat(c.out()).isNull();
    }

    @Test
    void withoutOptionsTheSimulatorsOwnDefaultsApply() {
        SimulationConfig c = config("simulate");
        SimulationConfig d = SimulationConfig.defaults();

        assertThat(c.agents()).isEqualTo(d.agents());
        assertThat(c.agentResources()).isEqualTo(d.agentResources());
        assertThat(c.queues()).isEqualTo(d.queues());
        assertThat(c.duration()).isEqualTo(d.duration());
        assertThat(c.arrivalsPerMinute()).isEqualTo(d.arrivalsPerMinute());
        assertThat(c.seed()).isEqualTo(d.seed());
    }

    @Test
    void queuesMayBeCommaSeparatedAndCarryGuaranteeAndLimitCpus() {
        SimulationConfig c = config("simulate", "--queue", "etl:1:4,ml:3:0:8");

        assertThat(c.queues()).hasSize(2);
        assertThat(c.queues().get(0).guarantee().cpus()).isEqualTo(4);
        assertThat(c.queues().get(1).weight()).isEqualTo(3);
        assertThat(c.queues().get(1).limit().cpus()).isEqualTo(8);
    }

    @Test
    void paramReachesTheOtherOptionsAndTraceAndOutResolveAgainstTheWorkingDirectory() throws IOException {
        Files.writeString(dir.resolve("jobs.csv"), "submit_s,duration_s,cpus,mem_mb,queue\n0,60,1,512,a\n");

        SimulationConfig c = config("simulate", "--param", "tick=PT5S", "--param", "backlog=3",
                "--trace", "jobs.csv", "--out", "charts");

        assertThat(c.tick()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.backlog()).isEqualTo(3);
        assertThat(c.workload()).isEqualTo("csv");
        assertThat(c.trace()).isEqualTo(dir.resolve("jobs.csv"));
        assertThat(c.out()).isEqualTo(dir.resolve("charts"));
    }

    @Test
    void badOptionsAreUsageErrorsNamingWhatIsWrong() throws IOException {
        Files.writeString(dir.resolve("jobs.txt"), "");

        assertThat(cli.run("simulate", "--queue", "Big:1").err())
                .startsWith("error: invalid --queue Big:1 (1 problem):\n  /name: must be 1 to 64 lower-case letters");
        assertThat(cli.run("simulate", "--queue", "a:0").err()).contains("  /weight: must be a number > 0");
        assertThat(cli.run("simulate", "--queue", "a:x").err()).isEqualTo("error: --queue a:x: weight must be a number, got 'x'\n");
        assertThat(cli.run("simulate", "--queue", "a:1", "--queue", "a:2").err()).isEqualTo("error: --queue a is given twice\n");
        assertThat(cli.run("simulate", "--param", "agents=3").err()).isEqualTo("error: --param agents: use --agents instead\n");
        assertThat(cli.run("simulate", "--param", "colour=red").err()).startsWith("error: unknown option 'colour'; known: seed, ");
        assertThat(cli.run("simulate", "--duration", "soon").err()).startsWith("error: --duration: 'soon' is not a duration");
        assertThat(cli.run("simulate", "--trace", "nope.swf").err()).isEqualTo("error: --trace: no such file: nope.swf\n");
        assertThat(cli.run("simulate", "--trace", "jobs.txt").err())
                .isEqualTo("error: --trace: expected a .swf or .csv file (or .swf.gz, .csv.gz), got jobs.txt\n");
        assertThat(cli.run("simulate", "--agents", "0").code()).isEqualTo(2);
        assertThat(cli.run("simulate", "--agents", "0").err()).isEqualTo("error: bad simulation option: agents must be at least 1, got 0\n");
    }

    @Test
    void helpShowsTheSimulatorsOwnDefaults() {
        SimulationConfig d = SimulationConfig.defaults();

        CliRunner.Result r = cli.run("simulate", "--help");

        String help = r.out().replaceAll("\\s+", ""); // picocli wraps lines wherever it likes
        assertThat(r.code()).isZero();
        assertThat(help).contains("Numberofagents(default" + d.agents() + ")")
                .contains("(default" + d.queues().get(0).name() + ":1)")
                .contains("(default1d)")
                .contains("(default" + d.seed() + ")");
    }

    @Test
    void aTinySimulationPrintsTheJsonSummaryWithEachQueue() throws IOException {
        CliRunner.Result r = cli.run(TINY);

        assertThat(r.code()).as(r.err()).isZero();
        JsonNode summary = Json.mapper().readTree(r.out());
        assertThat(summary.path("seed").asLong()).isEqualTo(7);
        assertThat(summary.path("agents").asInt()).isEqualTo(2);
        assertThat(summary.path("simulatedSeconds").asDouble()).isEqualTo(600);
        assertThat(summary.path("submitted").asLong()).isPositive();
        assertThat(summary.path("queues").fieldNames()).toIterable().containsExactly("a", "b");
        assertThat(summary.path("queues").path("b").path("weight").asDouble()).isEqualTo(2);
        assertThat(summary.path("charts")).isEmpty();
    }

    @Test
    void theSameSeedGivesTheSameRun() throws IOException {
        ObjectNode first = (ObjectNode) Json.mapper().readTree(cli.run(TINY).out());
        ObjectNode second = (ObjectNode) Json.mapper().readTree(cli.run(TINY).out());
        first.remove("cycleMillis"); // wall-clock costs: the only parts that are not simulated
        second.remove("cycleMillis");
        first.remove("wallSeconds");
        second.remove("wallSeconds");

        assertThat(second).isEqualTo(first);
    }

    @Test
    void asATableItShowsTheRunAndOneRowPerQueue() {
        CliRunner.Result r = cli.run(with(TINY, "-o", "table"));

        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("Simulated    10m on 2 agents, seed 7, 58 cycles");
        assertThat(lines.get(1)).startsWith("Tasks        submitted ");
        assertThat(lines.get(2)).matches("Utilization  cpus \\d+\\.\\d %, memory \\d+\\.\\d %");
        assertThat(lines.get(3)).startsWith("Wait (s)     p50 ");
        assertThat(lines.get(4)).startsWith("Cycle (ms)   mean ").endsWith(" (wall clock)");
        assertThat(lines.get(5)).isEmpty();
        assertThat(lines.get(6)).isEqualTo("QUEUE  WEIGHT  SHARE %  FAIR %  ERROR %  STARTED  FINISHED  PREEMPTED  WAIT P50 s  WAIT P99 s");
        assertThat(lines.get(7)).startsWith("a           1  ");
        assertThat(lines.get(8)).startsWith("b           2  ");
        assertThat(lines.get(9)).isEmpty();
        assertThat(lines.get(10)).startsWith("JOBS             UTIL %  WAIT MEAN s");
        assertThat(lines.get(11)).matches("\\s*\\d+  simulated .*");
        assertThat(lines).as("no recorded figures without a trace that has them").hasSize(12);
    }

    @Test
    void aTraceIsReplayedAndChartsAreWrittenToOut() throws IOException {
        Files.writeString(dir.resolve("jobs.csv"), """
                submit_s,duration_s,cpus,mem_mb,queue
                0,120,1,512,a
                30,60,2,1024,b
                60,300,4,2048,b
                """);

        CliRunner.Result r = cli.run("simulate", "--agents", "1", "--agent-cpus", "4", "--agent-mem", "4096",
                "--queue", "a,b", "--duration", "10m", "--trace", "jobs.csv", "--out", "out");

        assertThat(r.code()).as(r.err()).isZero();
        JsonNode summary = Json.mapper().readTree(r.out());
        assertThat(summary.path("submitted").asLong()).isEqualTo(3);
        assertThat(summary.path("finished").asLong()).isEqualTo(3);
        assertThat(dir.resolve("out/summary.json")).exists();
        assertThat(summary.path("charts")).extracting(JsonNode::asText)
                .contains("utilization.png", "utilization.svg", "shares.png", "wait-times.svg");
        for (JsonNode chart : summary.path("charts")) assertThat(dir.resolve("out").resolve(chart.asText())).isNotEmptyFile();
    }

    @Test
    void aTraceTheSimulatorCannotReadIsAUsageError() throws IOException {
        Files.writeString(dir.resolve("jobs.csv"), "0,60,one,512,a\n");

        CliRunner.Result r = cli.run("simulate", "--duration", "1m", "--trace", "jobs.csv");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: cannot read trace ").contains("CSV line 1");
    }

    @Test
    void aBrokenInvariantEndsTheRunWithItsMessageAndExitCode1() {
        SimulationConfig cfg = config(TINY);

        assertThatThrownBy(() -> SimulateCommand.simulate(cfg, c -> {
            throw new InvariantViolation("at 2026-03-01T00:01:00Z agent agent-00001 holds cpus 5.0 of 4");
        })).isInstanceOfSatisfying(CliException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(1);
            assertThat(e.getMessage()).isEqualTo("invariant violated: at 2026-03-01T00:01:00Z agent agent-00001 holds cpus 5.0 of 4");
        });
    }

    @Test
    void aRunThatEndsNormallyIsReturnedAsIs() {
        SimulationConfig cfg = config(TINY);
        SimulationResult[] seen = new SimulationResult[1];

        SimulationResult r = SimulateCommand.simulate(cfg, c -> seen[0] = new SimulationResult(c.seed(), 0, 0, c.agents(),
                0, 0, 0, 0, 0, 0, Map.of(), Map.of(), Map.of(), Map.of(), List.of()));

        assertThat(r).isSameAs(seen[0]);
    }

    @Test
    void theDiurnalScenarioPrintsBothRunsAndTheTargetsAndWritesItsCharts() {
        CliRunner.Result r = cli.run("-o", "table", "simulate", "--scenario", "diurnal", "--param", "days=1", "--param",
                "agentsPerPool=5", "--param", "step=PT60S", "--param", "cycleEvery=PT60S", "--out", "week");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Diurnal scenario: 1 days, 10 machines in pools office, shop, seed 42")
                .contains("night idle capacity used %").contains("NIGHTSHIFT").contains("STATIC")
                .contains("Batch throughput: ").contains("Target throughput>=2x: ")
                .contains("Charts in " + dir.resolve("week") + ": diurnal-office.png, diurnal-office.svg");
        assertThat(dir.resolve("week/diurnal-shop.svg")).isNotEmptyFile();
        assertThat(dir.resolve("week/diurnal.json")).content().contains("\"nightIdleUsed\"");
    }

    /** The nightly DAGs' deadlines are part of the text summary (the week's figures; a short run has no night's DAGs). */
    @Test
    void theDiurnalSummarySaysHowTheNightlyDagsDeadlinesWent() {
        io.nightshift.coordinator.simulation.DiurnalScenario.Figures f = new io.nightshift.coordinator.simulation.DiurnalScenario.Figures(
                1, 1, Map.of("all", 0.9, "office", 0.9, "shop", 0.9), 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1);
        var d = new io.nightshift.coordinator.simulation.DiurnalScenario.DeadlineFigures(48, 40, 5, 3, 40, 1.0, 4, 1, 1, 6, 5,
                1800, 600);
        String text = DiurnalView.table(new io.nightshift.coordinator.simulation.DiurnalScenario.Result(42, 7, 50,
                List.of("office", "shop"), f, f, 2.0, d, Map.of("deadlinesMet>=0.99", true), List.of(), 1), null);
        assertThat(text).contains("Nightly DAGs (06:00 deadlines, nightshift run): 48 submitted: 40 admitted, 5 at risk, 3 refused\n")
                .contains("  admitted deadlines met: 40 of 40 (100.0 %); at risk met: 4 of 5; missed: 1 (1 warned before the deadline)\n")
                .contains("  at-risk warnings: 6 DAGs (5 met it anyway), lead time before the deadline p50 30 min, min 10 min\n")
                .contains("Target deadlinesMet>=0.99: met");
    }

    @Test
    void anUnknownScenarioOrDiurnalOptionIsAUsageError() {
        assertThat(cli.run("simulate", "--scenario", "lunar").err()).isEqualTo("error: --scenario: unknown scenario 'lunar'; known: diurnal\n");
        CliRunner.Result bad = cli.run("simulate", "--scenario", "diurnal", "--param", "agents=5");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).startsWith("error: unknown option 'agents' of the diurnal scenario; known: seed, days, agentsPerPool");
        assertThat(cli.run("simulate", "--scenario", "diurnal", "--param", "days=0").err()).startsWith("error: days must be 1..28");
    }
}
