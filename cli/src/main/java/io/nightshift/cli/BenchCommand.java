package io.nightshift.cli;

import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.client.NightshiftException;
import io.nightshift.api.model.AgentInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nightshift bench}: how fast a coordinator takes and starts jobs. Against
 * {@code --coordinator} when one is named, else against a cluster of its own (1 agent, ephemeral
 * port, data in a temporary directory that is deleted afterwards). See {@link Bench} for what is
 * measured and how.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark submitting and starting many small jobs.",
                "Submits N trivial jobs with bounded concurrency; reports submit->RUNNING latency (p50/p90/p99/max),",
                "jobs/s from first submit to last job ended, failures and the coordinator's used heap.",
                "With --coordinator: against that coordinator. Without: first the floor (the same command started by a plain",
                "Java loop, as many at a time as the agent's launch threads), then a coordinator and an agent in JVMs of",
                "their own; prints jobs/s against the floor, submit->RUNNING and submit-ack percentiles (idle, burst, paced",
                "at 200/s), CPU per job of the coordinator, the agent and the tasks from /proc, memory, and checks that",
                "every job ran exactly once."})
final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    Nightshift root;

    @Option(names = {"-n", "--jobs"}, paramLabel = "N", defaultValue = "1000", description = "Jobs to submit (default ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "32",
            description = "Submit requests in flight at once (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
            description = "Give up waiting for the jobs to end after this long (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--failover", paramLabel = "RUNS",
            description = "Instead: measure coordinator failover RUNS times (two coordinators in their own JVMs, kill -9 of the leader).")
    int failoverRuns;

    @Option(names = "--kafka", paramLabel = "RECORDS",
            description = "Instead: records/s of a kafka drain job through the harness vs a plain KafkaConsumer loop "
                    + "(a real KRaft broker in a child JVM, RECORDS records, e.g. 1000000).")
    int kafkaRecords;

    @Option(names = "--streams", paramLabel = "N",
            description = "Instead: submit latency with N event streams (and --follows log follows) open that never read.")
    int streams;

    @Option(names = "--follows", paramLabel = "N", defaultValue = "0", description = "Log follows that never read, with --streams.")
    int follows;

    @Option(names = "--fetch", paramLabel = "MB",
            description = "Instead: artifact fetch throughput of an MB MiB file (HTTP cold vs curl, warm cache into a new "
                    + "sandbox, S3 and HDFS cold).")
    int fetchMb;

    @Option(names = "--fetch-http-only", description = "With --fetch: skip the S3 and HDFS servers.")
    boolean fetchHttpOnly;

    @Option(names = "--spark", paramLabel = "ROUNDS",
            description = "Instead: wall time of the example Spark ETL and MapReduce word count through Nightshift vs a plain "
                    + "SparkLauncher / java -cp launch of the same application, ROUNDS alternating rounds, medians.")
    int sparkRounds;

    @Option(names = "--agents", paramLabel = "N",
            description = "Instead: the coordinator (its own JVM) with N agent-protocol peers (this JVM, tasks are no-ops): its CPU, "
                    + "heap, RSS and event-loop delay with no agent, with N heartbeating and with jobs submitted (placement rate).")
    Integer fleetAgents;

    @Option(names = "--agents-failover", description = "With --agents: two coordinators on one store, kill -9 of the leader; time until "
            + "all N agents are re-registered and reconciled on the new leader, and its first placement.")
    boolean fleetFailover;

    @Option(names = "--agents-rate", paramLabel = "JOBS/S",
            description = "With --agents: jobs submitted per second while measuring placements (default 50).")
    Integer fleetRate;

    @Option(names = "--history", paramLabel = "N",
            description = "Instead: the coordinator's heap and RSS with N finished jobs (run on 100 agent-protocol peers) and "
                    + "--pending M pending, and an idle real agent's RSS.")
    Integer historyJobs;

    @Option(names = "--pending", paramLabel = "M", description = "With --history: jobs left pending (default 10000).")
    Integer pendingJobs;

    @Override
    public Integer call() throws Exception {
        // an option of one bench given without it, or two benches at once, is a usage error, not the launch bench
        if (historyJobs != null && fleetAgents != null) throw CliException.usage("--history and --agents are two benches: give one");
        if (pendingJobs != null && historyJobs == null) throw CliException.usage("--pending needs --history N");
        if ((fleetFailover || fleetRate != null) && fleetAgents == null)
            throw CliException.usage("--agents-failover and --agents-rate need --agents N");
        int pending = pendingJobs == null ? 10_000 : pendingJobs;
        if (historyJobs != null && (historyJobs < 1 || historyJobs > 1_000_000 || pending < 0 || pending > 100_000))
            throw CliException.usage("--history must be between 1 and 1000000, --pending between 0 and 100000");
        if (historyJobs != null) {
            Path dir = Files.createTempDirectory("nightshift-history-bench-");
            boolean ok = false;
            try {
                for (String line : new HistoryBench(historyJobs, pending, dir, root.err).run()) root.out.println(line);
                root.out.flush();
                ok = true;
                return 0;
            } finally {
                if (ok) deleteRecursively(dir);
                else root.err.println("bench: the coordinator's log is kept in " + dir);
            }
        }
        int rate = fleetRate == null ? 50 : fleetRate;
        if (fleetAgents != null && (fleetAgents < 1 || fleetAgents > 20_000)) throw CliException.usage("--agents must be between 1 and 20000");
        if (rate < 1 || rate > 1000) throw CliException.usage("--agents-rate must be between 1 and 1000");
        if (fleetAgents != null) {
            Path dir = Files.createTempDirectory("nightshift-fleet-bench-");
            boolean ok = false;
            try {
                for (String line : new FleetBench(fleetAgents, fleetFailover, rate, dir, root.err).run()) root.out.println(line);
                root.out.flush();
                ok = true;
                return 0;
            } finally {
                if (ok) deleteRecursively(dir);
                else root.err.println("bench: the coordinators' logs are kept in " + dir);
            }
        }
        if (fetchMb < 0 || fetchMb > 8192) throw CliException.usage("--fetch must be between 1 and 8192 (MiB)");
        if (fetchMb > 0) {
            Path dir = Files.createTempDirectory("nightshift-fetch-");
            try {
                for (String line : new FetchBench(fetchMb, dir, root.err, !fetchHttpOnly).run()) root.out.println(line);
                root.out.flush();
                return 0;
            } catch (Exception e) {
                throw new IOException("fetch benchmark failed: " + e.getMessage(), e);
            } finally {
                deleteRecursively(dir);
            }
        }
        if (sparkRounds < 0 || sparkRounds > 50) throw CliException.usage("--spark must be between 1 and 50 (rounds)");
        if (sparkRounds > 0) {
            Path dir = Files.createTempDirectory("nightshift-spark-bench-");
            try {
                root.out.println(SparkBench.summary(new SparkBench(sparkRounds, dir, root.err).run(root.config())));
                root.out.flush();
                return 0;
            } finally {
                deleteRecursively(dir);
            }
        }
        if (kafkaRecords < 0 || kafkaRecords > 100_000_000) throw CliException.usage("--kafka must be between 1 and 100000000");
        if (kafkaRecords > 0) {
            Path dir = Files.createTempDirectory("nightshift-kafka-bench-");
            try {
                root.out.println(KafkaBench.summary(new KafkaBench(kafkaRecords, dir, root.err).run(root.config())));
                root.out.flush();
                return 0;
            } finally {
                deleteRecursively(dir);
            }
        }
        if (streams > 0) {
            if (streams > 9000 || follows < 0 || follows > 1000) throw CliException.usage("--streams must be at most 9000, --follows at most 1000");
            Path dir = Files.createTempDirectory("nightshift-streams-");
            try {
                int n = Math.min(jobs, 500);
                StreamsBench.Result r = new StreamsBench(streams, follows, n, root.err)
                        .run(root.config(), dir, Long.toString(root.clock.millis(), 36));
                root.out.print(StreamsBench.summary(r, streams, follows));
                root.out.flush();
                return r.agentConnected() ? 0 : 1;
            } finally {
                deleteRecursively(dir);
            }
        }
        if (failoverRuns < 0 || failoverRuns > 100) throw CliException.usage("--failover must be between 1 and 100");
        if (failoverRuns > 0) {
            Path dir = Files.createTempDirectory("nightshift-failover-");
            try {
                List<Long> times = new FailoverBench(failoverRuns, dir, root.err).run();
                root.out.println(FailoverBench.summary(times));
                root.out.flush();
                return 0;
            } finally {
                deleteRecursively(dir);
            }
        }
        if (jobs < 1 || jobs > 1_000_000) throw CliException.usage("--jobs must be between 1 and 1000000");
        if (concurrency < 1 || concurrency > 1024) throw CliException.usage("--concurrency must be between 1 and 1024");
        Duration limit = Durations.parse("--timeout", timeout);
        String runId = Long.toString(root.clock.millis(), 36);

        if (root.coordinatorGiven()) {
            NightshiftClient client = root.client();
            awaitAgent(client);
            Bench.Result r = new Bench(client, jobs, concurrency, limit, root.err, runId).run(client.baseUrl().toString());
            print(withHeap(r, remoteHeapMiB(client)));
            return r.failures() == 0 ? 0 : 1;
        }

        Path dir = Files.createTempDirectory("nightshift-bench-");
        boolean ok = false;
        try {
            LaunchBench.Result r = new LaunchBench(jobs, concurrency, limit, dir, root.err, runId).run();
            root.out.print(LaunchBench.summary(r, concurrency));
            root.out.flush();
            ok = r.ok();
            return ok ? 0 : 1;
        } finally {
            if (ok) deleteRecursively(dir);
            else root.err.println("bench: the logs of the coordinator and the agent are kept in " + dir);
        }
    }

    /** The benchmark measures scheduling, not agent start-up: wait until an agent is ACTIVE. */
    static void awaitAgent(NightshiftClient client) throws InterruptedException {
        awaitAgent(client, Duration.ofSeconds(30));
    }

    static void awaitAgent(NightshiftClient client, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            if (client.agents().stream().anyMatch(a -> a.status() == AgentInfo.AgentStatus.ACTIVE)) return;
            if (System.nanoTime() > deadline)
                throw new CliException(CliException.FAILED, "no active agent at " + client.baseUrl() + " after " + limit.toSeconds() + "s");
            Thread.sleep(100);
        }
    }

    private static final Pattern HEAP_USED = Pattern.compile(
            "^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*}\\s+([0-9.eE+-]+)", Pattern.MULTILINE);

    /** The coordinator's used heap from its Prometheus metrics, when it exports JVM memory; else null. */
    static Double remoteHeapMiB(NightshiftClient client) {
        try {
            return heapFromMetrics(client.getText("/metrics"));
        } catch (NightshiftException e) {
            return null;
        }
    }

    static Double heapFromMetrics(String metrics) {
        Matcher m = HEAP_USED.matcher(metrics);
        double sum = 0;
        boolean any = false;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
            any = true;
        }
        return any ? sum / (1024.0 * 1024.0) : null;
    }

    private static Bench.Result withHeap(Bench.Result r, Double heap) {
        return new Bench.Result(r.jobs(), r.submitted(), r.succeeded(), r.failures(), r.unfinished(), r.p50(), r.p90(),
                r.p99(), r.max(), r.jobsPerSecond(), r.seconds(), heap, r.target(), r.firstError(), r.ackP50(), r.ackP99());
    }

    private void print(Bench.Result r) {
        if (root.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", r.target());
            m.put("jobs", r.jobs());
            m.put("submitted", r.submitted());
            m.put("succeeded", r.succeeded());
            m.put("failures", r.failures());
            m.put("unfinished", r.unfinished());
            m.put("submitToRunningMs", latencies(r));
            m.put("jobsPerSecond", round(r.jobsPerSecond()));
            m.put("seconds", round(r.seconds()));
            m.put("heapMiB", r.heapMiB() == null ? null : round(r.heapMiB()));
            if (r.firstError() != null) m.put("firstError", r.firstError());
            root.out.println(Cli.pretty(m));
            return;
        }
        root.out.println("bench against " + r.target() + ": " + r.jobs() + " jobs, " + concurrency + " submits in flight");
        root.out.print(table(r));
        if (r.firstError() != null) root.out.println("first submit error: " + r.firstError());
    }

    static String table(Bench.Result r) {
        return Table.of("JOBS", "FAILURES", "P50 MS", "P90 MS", "P99 MS", "MAX MS", "JOBS/S", "HEAP MIB")
                .alignRight(0, 1, 2, 3, 4, 5, 6, 7)
                .row(r.jobs(), r.failures(), ms(r.p50()), ms(r.p90()), ms(r.p99()), ms(r.max()),
                        String.format(Locale.ROOT, "%.1f", r.jobsPerSecond()),
                        r.heapMiB() == null ? null : String.format(Locale.ROOT, "%.0f", r.heapMiB()))
                .render();
    }

    private static Map<String, Object> latencies(Bench.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", nullIfNaN(r.p50()));
        m.put("p90", nullIfNaN(r.p90()));
        m.put("p99", nullIfNaN(r.p99()));
        m.put("max", nullIfNaN(r.max()));
        return m;
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? null : String.format(Locale.ROOT, "%.1f", v);
    }

    private static Double nullIfNaN(double v) {
        return Double.isNaN(v) ? null : round(v);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
