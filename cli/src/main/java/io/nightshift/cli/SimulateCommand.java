package io.nightshift.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nightshift.api.json.Json;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.api.queue.QueueSpecParser;
import io.nightshift.api.spec.InvalidSpecException;
import io.nightshift.coordinator.simulation.InvariantViolation;
import io.nightshift.coordinator.simulation.SimulationConfig;
import io.nightshift.coordinator.simulation.SimulationResult;
import io.nightshift.coordinator.simulation.Simulator;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nightshift simulate}: runs the scheduling core in-process on a virtual clock ({@link Simulator}),
 * with no coordinator and no agents. The options are typed shortcuts for {@link SimulationConfig}'s
 * {@code key=value} options, whose parsing (and defaults, shown in the help) this command reuses;
 * {@code --param} reaches the rest. Prints the JSON summary, or a short table with {@code -o table}.
 * Exit 0 after a run, 1 when the core broke a safety invariant, 2 for bad options or an unreadable trace.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, defaultValueProvider = SimulateCommand.Defaults.class,
        description = {"Simulate the scheduler in-process on a virtual clock and print a summary.",
                "The real scheduling core plans every tick for identical agents and weighted queues, over a synthetic "
                        + "(Poisson) workload or a trace; its safety invariants are checked, and a violation ends the run "
                        + "with exit 1.",
                "Prints the JSON summary (per queue: mean share against its fair share, starts, preemptions and "
                        + "waits; overall: utilization and waits); -o table prints it as a table. No coordinator is needed."})
final class SimulateCommand implements Callable<Integer> {
    @ParentCommand
    Nightshift root;

    @Option(names = "--agents", paramLabel = "N", description = "Number of agents (default ${DEFAULT-VALUE}).")
    int agents;

    @Option(names = "--agent-cpus", paramLabel = "CPUS", description = "Cpus of each agent (default ${DEFAULT-VALUE}).")
    double agentCpus;

    @Option(names = "--agent-mem", paramLabel = "MiB", description = "Memory of each agent in MiB (default ${DEFAULT-VALUE}).")
    long agentMemMb;

    @Option(names = "--queue", paramLabel = "QUEUE", split = ",", hideParamSyntax = true,
            description = "A queue, NAME[:WEIGHT[:GUARANTEE_CPUS[:LIMIT_CPUS]]] (repeatable, or comma-separated), "
                    + "e.g. --queue etl:1 --queue ml:2:8 (default ${DEFAULT-VALUE}).")
    List<String> queues;

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "Simulated time, e.g. 30m, 6h, P2D (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--arrivals", paramLabel = "PER_MINUTE",
            description = "Synthetic workload: Poisson task arrivals per minute over all queues (default ${DEFAULT-VALUE}).")
    double arrivals;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed; the same seed gives the same run (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Replay a workload trace instead of the synthetic one: .swf (Standard Workload Format) "
                    + "or .csv (submit_s,duration_s,cpus,mem_mb,queue), plain or .gz. Jobs wider than one agent become "
                    + "gangs, SWF requested times their maxRuntime; the run lasts until every job ended (drain=false: "
                    + "--duration), and the summary sets our figures beside the trace's recorded ones.")
    Path trace;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write summary.json and the charts (utilization, shares, wait times; PNG and SVG) here.")
    Path out;

    @Option(names = "--param", paramLabel = "KEY=VALUE",
            description = "Any other simulator option (repeatable), e.g. tick=PT5S, backlog=20, task.cpus=1,2, "
                    + "task.meanDuration=PT5M, preemption=false, queueMix=a:3,b:1, racks=4, killGrace=PT30S.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--scenario", paramLabel = "NAME",
            description = "Run a built-in scenario instead: diurnal (a week of machines shared with their owners, lent at "
                    + "night, against static partitioning; takes --seed, --out and its own --param options: days, "
                    + "agentsPerPool, step, killGrace, grace, reclaimLead, staticShare, cycleEvery).")
    String scenario;

    /** The simulator's option each typed option sets; these may not also be given with {@code --param}. */
    private static final Map<String, String> KEYS = Map.of("--agents", "agents", "--agent-cpus", "agent.cpus",
            "--agent-mem", "agent.memMb", "--queue", "queues", "--duration", "duration", "--arrivals", "arrivals.perMinute",
            "--seed", "seed", "--trace", "trace", "--out", "out");

    @Override
    public Integer call() {
        if (scenario != null) {
            if (!scenario.equals("diurnal")) throw CliException.usage("--scenario: unknown scenario '" + scenario + "'; known: diurnal");
            var o = DiurnalView.options(seed, out == null ? null : root.workDir.resolve(out), params);
            var r = DiurnalView.run(o);
            root.out.print(root.outputOr(Output.JSON) == Output.JSON ? r.toJson() + "\n" : DiurnalView.table(r, String.valueOf(o.out())));
            return 0;
        }
        SimulationConfig cfg = config();
        SimulationResult r = simulate(cfg, Simulator::run);
        if (root.outputOr(Output.JSON) == Output.JSON) root.out.println(r.toJson());
        else root.out.print(Views.simulation(r, cfg.out() == null ? null : String.valueOf(cfg.out())));
        return 0;
    }

    /** The options as {@link SimulationConfig#parse(Map)} reads them, checked; any problem is a usage error. */
    SimulationConfig config() {
        Map<String, String> o = new LinkedHashMap<>();
        for (Map.Entry<String, String> p : params.entrySet()) {
            for (Map.Entry<String, String> k : KEYS.entrySet()) {
                if (k.getValue().equals(p.getKey()) || (p.getKey().equals("workload") && k.getKey().equals("--trace")))
                    throw CliException.usage("--param " + p.getKey() + ": use " + k.getKey() + " instead");
            }
            o.put(p.getKey(), p.getValue());
        }
        o.put("agents", Integer.toString(agents));
        o.put("agent.cpus", Double.toString(agentCpus));
        o.put("agent.memMb", Long.toString(agentMemMb));
        o.put("queues", queues(queues));
        o.put("duration", Durations.parse("--duration", duration).toString());
        o.put("arrivals.perMinute", Double.toString(arrivals));
        o.put("seed", Long.toString(seed));
        if (trace != null) {
            Path file = root.workDir.resolve(trace);
            if (!Files.isRegularFile(file)) throw CliException.usage("--trace: no such file: " + trace);
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".gz")) name = name.substring(0, name.length() - 3);
            String workload = name.endsWith(".swf") ? "swf" : name.endsWith(".csv") ? "csv" : null;
            if (workload == null) throw CliException.usage("--trace: expected a .swf or .csv file (or .swf.gz, .csv.gz), got " + trace);
            o.put("workload", workload);
            o.put("trace", file.toString());
        }
        if (out != null) o.put("out", root.workDir.resolve(out).toString());
        try {
            return SimulationConfig.parse(o);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    /**
     * {@code --queue} values checked with the same rules as a queue definition ({@link QueueSpecParser}), then
     * written back in the simulator's {@code name:weight[:guaranteeCpus[:limitCpus]],...} form.
     */
    static String queues(List<String> raw) {
        List<String> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String r : raw) {
            QueueSpec q = queue(r.strip());
            if (!names.add(q.name())) throw CliException.usage("--queue " + q.name() + " is given twice");
            out.add(r.strip());
        }
        if (out.isEmpty()) throw CliException.usage("--queue: at least one queue is needed");
        return String.join(",", out);
    }

    static QueueSpec queue(String raw) {
        String[] f = raw.split(":", -1);
        if (f.length > 4)
            throw CliException.usage("--queue " + raw + ": expected NAME[:WEIGHT[:GUARANTEE_CPUS[:LIMIT_CPUS]]]");
        ObjectNode n = Json.mapper().createObjectNode().put("name", f[0]);
        if (f.length > 1) n.put("weight", number(raw, "weight", f[1]));
        if (f.length > 2) n.putObject("guarantee").put("cpus", number(raw, "guarantee cpus", f[2]));
        if (f.length > 3) n.putObject("limit").put("cpus", number(raw, "limit cpus", f[3]));
        try {
            return QueueSpecParser.parse(n);
        } catch (InvalidSpecException e) {
            throw CliException.invalid("--queue " + raw, e.problems());
        }
    }

    private static BigDecimal number(String raw, String what, String s) {
        try {
            return new BigDecimal(s.strip());
        } catch (NumberFormatException e) {
            throw CliException.usage("--queue " + raw + ": " + what + " must be a number, got '" + s + "'");
        }
    }

    /** Runs {@code simulator}; a broken invariant is a failure (exit 1), a trace it cannot read a usage error. */
    static SimulationResult simulate(SimulationConfig cfg, Function<SimulationConfig, SimulationResult> simulator) {
        try {
            return simulator.apply(cfg);
        } catch (InvariantViolation e) {
            throw new CliException(CliException.FAILED, "invariant violated: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            String why = e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause().getMessage());
            boolean input = cfg.trace() != null && e.getMessage() != null && e.getMessage().startsWith("cannot read trace");
            throw new CliException(input ? CliException.USAGE : CliException.FAILED, why, e);
        } catch (NumberFormatException e) {
            if (cfg.trace() == null) throw e;
            throw new CliException(CliException.USAGE, "cannot read trace " + cfg.trace() + ": " + e.getMessage(), e);
        }
    }

    /** The defaults shown in the help and used when an option is not given: {@link SimulationConfig#defaults()}'s. */
    static final class Defaults implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec o)) return null;
            SimulationConfig d = SimulationConfig.defaults();
            return switch (o.longestName()) {
                case "--agents" -> Integer.toString(d.agents());
                case "--agent-cpus" -> Views.cpus(d.agentResources().cpus());
                case "--agent-mem" -> Long.toString(d.agentResources().memMb());
                case "--queue" -> String.join(",", d.queues().stream().map(Defaults::queue).toList());
                case "--duration" -> compact(d.duration());
                case "--arrivals" -> Views.cpus(d.arrivalsPerMinute());
                case "--seed" -> Long.toString(d.seed());
                default -> null;
            };
        }

        /** {@code 1d}, {@code 6h}, {@code 90s}: the largest whole unit, in a form {@code --duration} reads back. */
        static String compact(Duration d) {
            long s = d.getSeconds();
            if (s % 86_400 == 0) return s / 86_400 + "d";
            if (s % 3600 == 0) return s / 3600 + "h";
            if (s % 60 == 0) return s / 60 + "m";
            return s + "s";
        }

        private static String queue(QueueSpec q) {
            return q.name() + ":" + Views.cpus(q.weight());
        }
    }
}
