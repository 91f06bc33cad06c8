package io.nightshift.coordinator.simulation;

import io.nightshift.api.Resources;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.OwnerLoad;
import io.nightshift.api.pool.PoolSpec;
import io.nightshift.api.pool.PoolSpecParser;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.coordinator.pools.Capacity;
import io.nightshift.coordinator.pools.PoolSlots;
import io.nightshift.coordinator.scheduling.AgentSlot;
import io.nightshift.coordinator.scheduling.ClusterSnapshot;
import io.nightshift.coordinator.scheduling.OfferCycle;
import io.nightshift.coordinator.scheduling.PendingTask;
import io.nightshift.coordinator.scheduling.Placement;
import io.nightshift.coordinator.scheduling.Plan;
import io.nightshift.coordinator.scheduling.PlanApplier;
import io.nightshift.coordinator.scheduling.Preemption;
import io.nightshift.coordinator.scheduling.RunningTask;
import io.nightshift.coordinator.scheduling.SchedulingPolicy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * {@code nightshift simulate --scenario diurnal}: a week of machines shared with their owners, run twice on the
 * scheduling core the coordinator runs ({@link OfferCycle}, its slots built by {@link PoolSlots} as the
 * coordinator builds them, its plans applied by {@link PlanApplier}):
 * <ul>
 *   <li><b>nightshift</b>: every machine is an agent of its pool; the owners' load follows a day curve and the
 *       pool lends its reservation in its {@code night} window (weeknights 22:00-06:00 and the weekend, local
 *       time); revocable batch work takes what is idle and is reclaimed when a window closes or the owners' load
 *       rises into the headroom;</li>
 *   <li><b>static</b> (the baseline): a fixed share of each pool's machines is given to batch for good (no owners
 *       on them), the rest belong to the owners and lend nothing.</li>
 * </ul>
 * Both runs see the same owners' load and the same workload: a saturating backlog of overnight Spark-like (1-4
 * cpus, 15-60 min) and training-like jobs (8 cpus, 2-5 h), revocable, in the {@code night} window and only when
 * their expected runtime fits before it closes (on the static machines: at any time), in queue {@code batch}, and daytime ad-hoc work (non-revocable, 1-2 cpus,
 * Poisson arrivals 08:00-19:00 on weekdays, priority 10) in queue {@code adhoc}.
 *
 * <p>The owners' load of a machine, as a fraction of its cpus: busy 08:00-19:00 on weekdays at a level of its own
 * in [0.30, 0.40], ramps of an hour either side, near idle at night (0.04-0.06) and at weekends (0.08 by day),
 * noise of ±0.03 that changes every 5 minutes, and spikes (about one a machine a day, +0.10-0.20 for 2-20 min by
 * day, kept within the reservation; +0.20-0.45 at night, e.g. the owners' backups). Its memory is 10 % of the
 * machine plus half its cpu fraction. The agent reports it smoothed as the agent smooths it (half-life 10 s).
 *
 * <p>Measured (on the true load, not the reported one): night idle capacity used (cpu-seconds our tasks held over
 * the idle capacity total − owner load − headroom, summed while each pool's window is open), owner headroom
 * violations (an agent whose allocation exceeds total − owners − headroom, the owners being their load, raised to
 * the reservation outside the window) with their length, revocations and the work they lost (cpu-hours the
 * revoked attempts had run), and batch throughput (cpu-hours of batch tasks finished). Time moves in fixed steps
 * ({@code step}); a cycle runs after anything changed and at least every {@code cycleEvery}.
 */
public final class DiurnalScenario {
    /** Monday 2026-03-02 00:00 UTC: a plain week (no DST change). */
    static final Instant START = Instant.parse("2026-03-02T00:00:00Z");
    static final String BATCH = "batch";
    static final String ADHOC = "adhoc";
    static final Resources MACHINE = new Resources(16, 65_536, 0, 0);
    private static final int SAMPLE_EVERY_S = 600;
    /** Agents report their owners' cpus rounded to a thousandth of a core: differences below that are no violation. */
    private static final double EPS = 0.001;

    /**
     * The scenario's options. {@code key=value}, every one optional:
     * <pre>
     * seed=42              random seed (the same seed gives the same figures)
     * days=7               simulated days, from Monday 00:00 UTC
     * agentsPerPool=30     machines per pool (two pools: office in Europe/Amsterdam, shop in America/New_York)
     * step=PT10S           time step (owner load, heartbeat and task ends are seen at this granularity)
     * cycleEvery=PT30S     longest time between two cycles when nothing changed
     * killGrace=PT20S      a revoked or preempted task exits this long after its SIGTERM
     * grace=PT60S          the owners' headroom must never stay violated longer than this
     * reclaimLead=PT30S    how long before a window closes its capacity is taken back
     * staticShare=0.2      the baseline: share of each pool's machines given to batch for good
     * dags=8               nightly DAGs with a 06:00 deadline submitted each night (0: none; see NightlyDags)
     * out=                 directory for diurnal.json and the charts (PNG + SVG); none: no files
     * </pre>
     */
    public record Options(long seed, int days, int agentsPerPool, Duration step, Duration cycleEvery, Duration killGrace,
                          Duration grace, Duration reclaimLead, double staticShare, Path out, int dags) {
        public Options {
            if (days < 1 || days > 28) throw new IllegalArgumentException("days must be 1..28, got " + days);
            if (agentsPerPool < 5 || agentsPerPool > 1000)
                throw new IllegalArgumentException("agentsPerPool must be 5..1000, got " + agentsPerPool);
            if (step.toSeconds() < 1 || step.toSeconds() > 60) throw new IllegalArgumentException("step must be PT1S..PT60S, got " + step);
            if (cycleEvery.compareTo(step) < 0) throw new IllegalArgumentException("cycleEvery must be at least step, got " + cycleEvery);
            if (killGrace.isNegative() || grace.isNegative() || reclaimLead.isNegative())
                throw new IllegalArgumentException("killGrace, grace and reclaimLead must not be negative");
            if (!(staticShare > 0 && staticShare < 1)) throw new IllegalArgumentException("staticShare must be in (0, 1), got " + staticShare);
            if (dags < 0 || dags > 16) throw new IllegalArgumentException("dags must be 0..16, got " + dags);
        }

        public static Options defaults() {
            return parse(Map.of());
        }

        /** Reads {@code key=value} options; unknown keys and bad values are errors naming the key. */
        public static Options parse(Map<String, String> options) {
            Map<String, String> o = new LinkedHashMap<>(DEFAULTS);
            for (Map.Entry<String, String> e : options.entrySet()) {
                if (!DEFAULTS.containsKey(e.getKey()))
                    throw new IllegalArgumentException("unknown option '%s' of the diurnal scenario; known: %s".formatted(e.getKey(),
                            String.join(", ", DEFAULTS.keySet())));
                o.put(e.getKey(), e.getValue());
            }
            String key = "seed";
            try {
                long seed = Long.parseLong(o.get(key));
                key = "days";
                int days = Integer.parseInt(o.get(key));
                key = "agentsPerPool";
                int agents = Integer.parseInt(o.get(key));
                key = "step";
                Duration step = Duration.parse(o.get(key));
                key = "cycleEvery";
                Duration cycle = Duration.parse(o.get(key));
                key = "killGrace";
                Duration kill = Duration.parse(o.get(key));
                key = "grace";
                Duration grace = Duration.parse(o.get(key));
                key = "reclaimLead";
                Duration lead = Duration.parse(o.get(key));
                key = "staticShare";
                double share = Double.parseDouble(o.get(key));
                key = "dags";
                int dags = Integer.parseInt(o.get(key));
                return new Options(seed, days, agents, step, cycle, kill, grace, lead, share,
                        o.get("out").isBlank() ? null : Path.of(o.get("out")), dags);
            } catch (java.time.format.DateTimeParseException | NumberFormatException e) {
                throw new IllegalArgumentException("bad value of diurnal option %s: '%s'".formatted(key, o.get(key)), e);
            }
        }

        private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

        static {
            DEFAULTS.put("seed", "42");
            DEFAULTS.put("days", "7");
            DEFAULTS.put("agentsPerPool", "30");
            DEFAULTS.put("step", "PT10S");
            DEFAULTS.put("cycleEvery", "PT30S");
            DEFAULTS.put("killGrace", "PT20S");
            DEFAULTS.put("grace", "PT60S");
            DEFAULTS.put("reclaimLead", "PT30S");
            DEFAULTS.put("staticShare", "0.2");
            DEFAULTS.put("out", "");
            DEFAULTS.put("dags", "8");
        }
    }

    /**
     * One run's figures.
     *
     * @param nightIdleCpuHours  idle capacity (total − owner load − headroom) while the pools' windows were open
     * @param nightUsedCpuHours  what our tasks held of the pools' machines meanwhile
     * @param nightIdleUsed      their ratio, overall and per pool
     * @param violations         headroom violations (episodes, per agent); {@code violationMaxSeconds} the longest,
     *                           {@code violationsOverGrace} how many lasted longer than the grace period
     * @param revocations        revocable tasks revoked by the pools; {@code workLostCpuHours} what they had run
     * @param preemptions        fairness and priority preemptions (not revocations)
     * @param batchFinished      batch tasks finished; {@code batchCpuHours} their cpu-hours (the throughput)
     * @param adhocFinished      ad-hoc tasks finished; {@code adhocWaitP90Seconds} the 90th percentile of their waits
     */
    public record Figures(double nightIdleCpuHours, double nightUsedCpuHours, Map<String, Double> nightIdleUsed,
                          long violations, double violationMaxSeconds, long violationsOverGrace, long revocations,
                          double workLostCpuHours, long preemptions, long batchFinished, double batchCpuHours,
                          long adhocFinished, double adhocWaitP90Seconds, long cycles) {
    }

    /**
     * The nightly DAGs' deadlines in the nightshift run ({@link NightlyDags}): submitted, admitted / at risk / refused
     * at submit, admitted ones that met their 06:00 deadline and the ratio, missed ones (and how many were warned
     * before), warned ones (and how many met it anyway), and the warnings' lead time before the deadline.
     */
    public record DeadlineFigures(int dags, int admitted, int atRisk, int refused, int admittedMet, double admittedMetRatio,
                                  int atRiskMet, int missed, int missedWarned, int warned, int warnedButMet,
                                  double leadP50Seconds, double leadMinSeconds) {
        static DeadlineFigures of(NightlyDags.Figures f) {
            return new DeadlineFigures(f.dags(), f.admitted(), f.atRisk(), f.refused(), f.admittedMet(), f.admittedMetRatio(),
                    f.atRiskMet(), f.missed(), f.missedWarned(), f.warned(), f.warnedButMet(), f.leadP50Seconds(), f.leadMinSeconds());
        }
    }

    /** Both runs, the throughput ratio, the nightly DAGs' deadlines (nightshift run) and whether each target was met. */
    public record Result(long seed, int days, int agents, List<String> pools, Figures nightshift,
                         @com.fasterxml.jackson.annotation.JsonProperty("static") Figures staticPartitioning,
                         double throughputRatio, DeadlineFigures deadlines, Map<String, Boolean> targets, List<String> charts,
                         double wallSeconds) {
        public String toJson() {
            try {
                return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(this);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private DiurnalScenario() {
    }

    /** The two pools of the scenario: reservation 10 of 16 cpus, headroom 10 % and 4 GiB, a night window each. */
    static List<PoolSpec> pools() {
        return List.of(pool("office", "Europe/Amsterdam"), pool("shop", "America/New_York"));
    }

    private static PoolSpec pool(String name, String zone) {
        return PoolSpecParser.parse("""
                {"name":"%s","reservation":{"cpus":10,"memMb":40960},"headroom":{"cpuPercent":10,"memMb":4096},
                 "windows":[{"name":"night","zone":"%s","ranges":[{"from":"Mon 22:00","to":"Tue 06:00"},
                   {"from":"Tue 22:00","to":"Wed 06:00"},{"from":"Wed 22:00","to":"Thu 06:00"},
                   {"from":"Thu 22:00","to":"Fri 06:00"},{"from":"Fri 22:00","to":"Mon 06:00"}]}]}""".formatted(name, zone));
    }

    public static Result run(Options o) {
        long wall0 = System.nanoTime();
        List<PoolSpec> pools = pools();
        Owners owners = new Owners(o, pools);
        Run ns = new Run(o, pools, owners, false);
        Figures nightshift = ns.simulate();
        Run st = new Run(o, pools, owners, true);
        Figures baseline = st.simulate();
        double ratio = baseline.batchCpuHours() == 0 ? 0 : round(nightshift.batchCpuHours() / baseline.batchCpuHours());
        Map<String, Boolean> targets = new LinkedHashMap<>();
        targets.put("nightIdleUsed>=0.9", nightshift.nightIdleUsed().get("all") >= 0.9);
        targets.put("violationsOverGrace==0", nightshift.violationsOverGrace() == 0);
        targets.put("throughput>=2x", ratio >= 2);
        DeadlineFigures deadlines = DeadlineFigures.of(ns.nightly == null ? NightlyDags.summarize(List.of()) : ns.nightly.figures());
        if (deadlines.admitted() > 0) targets.put("deadlinesMet>=0.99", deadlines.admittedMetRatio() >= 0.99);
        List<String> charts = List.of();
        if (o.out() != null) charts = writeCharts(o.out(), pools, ns, st);
        Result r = new Result(o.seed(), o.days(), owners.agents.size(), pools.stream().map(PoolSpec::name).toList(), nightshift,
                baseline, ratio, deadlines, targets, charts, round((System.nanoTime() - wall0) / 1e9));
        if (o.out() != null) {
            try {
                Files.writeString(o.out().resolve("diurnal.json"), r.toJson());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + o.out().resolve("diurnal.json"), e);
            }
        }
        return r;
    }

    // ---------------------------------------------------------------- the owners

    /** The owners' true load of every machine at every step: the same for both runs (a random stream of its own). */
    static final class Owners {
        record Machine(String id, PoolSpec pool, double level) {
        }

        final List<Machine> agents = new ArrayList<>();
        /** cpus fraction per machine per step, computed once. */
        final float[][] load;
        final int steps;
        final long step;

        Owners(Options o, List<PoolSpec> pools) {
            Random random = new Random(o.seed());
            step = o.step().toSeconds();
            steps = (int) (o.days() * 86_400L / step);
            for (PoolSpec p : pools) {
                for (int i = 0; i < o.agentsPerPool(); i++) {
                    agents.add(new Machine("%s-%03d".formatted(p.name(), i), p, 0.30 + 0.10 * random.nextDouble()));
                }
            }
            load = new float[agents.size()][steps];
            long noiseEvery = Math.max(1, 300 / step);
            for (int a = 0; a < agents.size(); a++) {
                Machine m = agents.get(a);
                ZoneId zone = m.pool().windows().get(0).zone();
                double noise = 0;
                int spikeLeft = 0;
                double spike = 0;
                for (int k = 0; k < steps; k++) {
                    Instant t = START.plusSeconds(k * step);
                    ZonedDateTime z = t.atZone(zone);
                    double hour = z.getHour() + z.getMinute() / 60.0;
                    boolean weekend = z.getDayOfWeek() == DayOfWeek.SATURDAY || z.getDayOfWeek() == DayOfWeek.SUNDAY;
                    double night = 0.04 + 0.02 * (a % 3) / 2.0;
                    double base = weekend ? (hour >= 9 && hour < 18 ? 0.08 : night) : day(hour, m.level(), night);
                    if (k % noiseEvery == 0) noise = (random.nextDouble() * 2 - 1) * 0.03;
                    boolean business = !weekend && hour >= 7 && hour < 20;
                    if (spikeLeft == 0 && random.nextDouble() < step / 86_400.0) {
                        spikeLeft = (int) Math.max(1, (120 + random.nextDouble() * 1080) / step);
                        spike = business ? 0.10 + 0.10 * random.nextDouble() : 0.20 + 0.25 * random.nextDouble();
                    }
                    double s = 0;
                    if (spikeLeft > 0) {
                        spikeLeft--;
                        s = spike;
                    }
                    double v = Math.max(0.01, base + noise + s);
                    if (business) v = Math.min(v, 0.6); // the reservation (10 of 16 cpus) covers the owners' day
                    load[a][k] = (float) Math.min(1, v);
                }
            }
        }

        /** The weekday curve: night level, an hour's ramp to the busy level at 07:00-08:00, back 19:00-20:00. */
        static double day(double hour, double busy, double night) {
            if (hour >= 8 && hour < 19) return busy;
            if (hour >= 7 && hour < 8) return night + (busy - night) * (hour - 7);
            if (hour >= 19 && hour < 20) return busy - (busy - night) * (hour - 19);
            return night;
        }

        Resources at(int agent, int k) {
            double f = load[agent][Math.min(k, steps - 1)];
            return new Resources(f * MACHINE.cpus(), Math.round((0.10 + 0.5 * f) * MACHINE.memMb()), 0, 0);
        }
    }

    // ---------------------------------------------------------------- one run

    private static final class Task {
        final String id;
        final String queue;
        final Resources resources;
        final int priority;
        final boolean revocable;
        final String window;
        final double duration;
        final double submittedAt;
        /** A nightly DAG job's deadline; null for the others. */
        final Instant deadline;

        Task(String id, String queue, Resources resources, int priority, boolean revocable, String window, double duration,
             double submittedAt) {
            this(id, queue, resources, priority, revocable, window, duration, submittedAt, null);
        }

        Task(String id, String queue, Resources resources, int priority, boolean revocable, String window, double duration,
             double submittedAt, Instant deadline) {
            this.deadline = deadline;
            this.id = id;
            this.queue = queue;
            this.resources = resources;
            this.priority = priority;
            this.revocable = revocable;
            this.window = window;
            this.duration = duration;
            this.submittedAt = submittedAt;
        }
    }

    private static final class Running {
        RunningTask task;
        final Task spec;
        final double startedAt;
        final double endAt;
        double exitAt = Double.NaN;
        boolean revoked;

        Running(RunningTask task, Task spec, double startedAt, double endAt) {
            this.task = task;
            this.spec = spec;
            this.startedAt = startedAt;
            this.endAt = endAt;
        }
    }

    static final class Run {
        final Options o;
        final boolean baseline;
        final Owners owners;
        final List<PoolSpec> pools;
        /** The coordinator's defaults, but no per-agent why-pending explanations (they change no decision, and cost most). */
        final OfferCycle core = new OfferCycle(SchedulingPolicy.from(io.nightshift.api.config.Config.defaults(SchedulingPolicy.SETTINGS)
                .with(SchedulingPolicy.MAX_EXPLAINED_SHAPES, "0")));
        final PlanApplier applier = new PlanApplier();
        final Random work;
        final List<QueueSpec> queues = List.of(QueueSpec.of(BATCH, 1), QueueSpec.of(ADHOC, 1), QueueSpec.of(NightlyDags.QUEUE, 1));
        /** The nightly DAGs (the nightshift run only; null in the baseline or with dags=0). */
        final NightlyDags nightly;
        /** indexes into owners.agents of the machines that are our agents */
        final int[] ours;
        final double[] ewmaCpus;
        final double[] ewmaMem;
        /** the raw samples of the agent's peak window, per machine (a ring) */
        final float[][] recentCpus;
        final float[][] recentMem;
        final double[] violatedSince;
        final Map<String, Integer> index = new LinkedHashMap<>();

        final Map<String, Task> tasks = new LinkedHashMap<>();
        final Map<String, PendingTask> pending = new LinkedHashMap<>();
        final Map<String, Running> running = new LinkedHashMap<>();
        final java.util.Set<String> startedOnce = new java.util.HashSet<>();
        int pendingSpark, pendingTraining;
        long seq;
        double nextAdhoc;

        // figures
        final Map<String, double[]> night = new TreeMap<>(); // pool -> idle cpu-s, used cpu-s
        long violations, violationsOverGrace, revocations, preemptions, batchFinished, adhocFinished, cycles;
        double violationMax, workLost, batchCpuSeconds;
        final List<Double> adhocWaits = new ArrayList<>();
        final Map<String, List<double[]>> series = new TreeMap<>(); // pool -> [hour, idle, used]

        Run(Options o, List<PoolSpec> pools, Owners owners, boolean baseline) {
            this.o = o;
            this.pools = pools;
            this.owners = owners;
            this.baseline = baseline;
            this.work = new Random(o.seed() + 1);
            List<Integer> mine = new ArrayList<>();
            int perPool = o.agentsPerPool();
            int dedicated = Math.max(1, (int) Math.round(perPool * o.staticShare()));
            for (int a = 0; a < owners.agents.size(); a++) {
                if (!baseline || a % perPool < dedicated) mine.add(a);
            }
            ours = mine.stream().mapToInt(Integer::intValue).toArray();
            for (int i = 0; i < ours.length; i++) index.put(owners.agents.get(ours[i]).id(), ours[i]);
            ewmaCpus = new double[owners.agents.size()];
            ewmaMem = new double[owners.agents.size()];
            int peakSteps = (int) Math.max(1, PEAK_WINDOW_S / o.step().toSeconds());
            recentCpus = new float[owners.agents.size()][peakSteps];
            recentMem = new float[owners.agents.size()][peakSteps];
            violatedSince = new double[owners.agents.size()];
            Arrays.fill(violatedSince, Double.NaN);
            for (PoolSpec p : pools) {
                night.put(p.name(), new double[2]);
                series.put(p.name(), new ArrayList<>());
            }
            nextAdhoc = exponential(60.0 / ADHOC_PER_MINUTE);
            nightly = baseline || o.dags() == 0 ? null
                    : new NightlyDags(o.dags(), START, START.plus(Duration.ofDays(o.days())), o.seed(), USERS);
        }

        static final double ADHOC_PER_MINUTE = 1.5;
        static final int SPARK_BACKLOG = 30;
        static final int TRAINING_BACKLOG = 10;
        /** the agent's defaults: smoothed with a 10 s half-life, peak of the last minute */
        static final double HALF_LIFE_S = 10;
        static final long PEAK_WINDOW_S = 60;
        static final ZoneId USERS = ZoneId.of("Europe/Amsterdam");

        Figures simulate() {
            long step = owners.step;
            double alpha = 1 - Math.pow(2, -step / HALF_LIFE_S);
            double lastCycle = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < owners.steps; k++) {
                double t = (double) k * step;
                Instant now = START.plusSeconds(k * step);
                boolean changed = finish(t);
                changed |= arrive(t, now);
                for (int a : ours) {
                    Resources truth = owners.at(a, k);
                    double before = reported(a).worstCpus();
                    if (k == 0) {
                        ewmaCpus[a] = truth.cpus();
                        ewmaMem[a] = truth.memMb();
                    } else {
                        ewmaCpus[a] += alpha * (truth.cpus() - ewmaCpus[a]);
                        ewmaMem[a] += alpha * (truth.memMb() - ewmaMem[a]);
                    }
                    recentCpus[a][k % recentCpus[a].length] = (float) truth.cpus();
                    recentMem[a][k % recentMem[a].length] = truth.memMb();
                    if (!baseline && Math.abs(before - reported(a).worstCpus()) > 0.1) changed = true;
                }
                if (changed || t - lastCycle >= o.cycleEvery().toSeconds()) {
                    cycle(t, now, k);
                    lastCycle = t;
                }
                measure(t, now, k, step);
            }
            double end = owners.steps * (double) step;
            for (int a = 0; a < violatedSince.length; a++) endViolation(a, end);
            double idle = 0, used = 0;
            Map<String, Double> ratio = new LinkedHashMap<>();
            for (Map.Entry<String, double[]> e : night.entrySet()) {
                idle += e.getValue()[0];
                used += e.getValue()[1];
                ratio.put(e.getKey(), round(e.getValue()[0] == 0 ? 0 : e.getValue()[1] / e.getValue()[0]));
            }
            Map<String, Double> all = new LinkedHashMap<>();
            all.put("all", round(idle == 0 ? 0 : used / idle));
            all.putAll(ratio);
            double[] waits = adhocWaits.stream().mapToDouble(Double::doubleValue).toArray();
            return new Figures(round(idle / 3600), round(used / 3600), all, violations, violationMax, violationsOverGrace,
                    revocations, round(workLost / 3600), preemptions, batchFinished, round(batchCpuSeconds / 3600), adhocFinished,
                    Simulator.percentile(waits, 90), cycles);
        }

        /** What the agent of machine {@code a} reports: its smoothed load and the peak of its window. */
        private OwnerLoad reported(int a) {
            float peakCpus = 0;
            float peakMem = 0;
            for (int i = 0; i < recentCpus[a].length; i++) {
                peakCpus = Math.max(peakCpus, recentCpus[a][i]);
                peakMem = Math.max(peakMem, recentMem[a][i]);
            }
            return new OwnerLoad(Math.round(ewmaCpus[a] * 1000) / 1000d, Math.round(ewmaMem[a]), Math.round(peakCpus * 1000) / 1000d,
                    Math.round(peakMem));
        }

        /** Ends what is due by {@code t}: finished tasks leave, revoked and preempted ones are queued again. */
        private boolean finish(double t) {
            boolean any = false;
            for (Running r : List.copyOf(running.values())) {
                boolean exits = !Double.isNaN(r.exitAt) && r.exitAt <= t;
                boolean ends = Double.isNaN(r.exitAt) && r.endAt <= t;
                if (!exits && !ends) continue;
                any = true;
                running.remove(r.spec.id);
                applier.release(r.task.agentId(), r.task.resources());
                applier.ended(r.spec.id);
                if (exits) {
                    if (r.revoked) workLost += r.spec.resources.cpus() * (r.exitAt - r.startedAt);
                    queueUp(r.spec);
                } else {
                    applier.runEnded(r.task.runId());
                    tasks.remove(r.spec.id);
                    if (r.spec.queue.equals(BATCH)) {
                        batchFinished++;
                        batchCpuSeconds += r.spec.resources.cpus() * r.spec.duration;
                    } else if (r.spec.queue.equals(ADHOC)) {
                        adhocFinished++;
                    } else if (nightly != null) {
                        for (NightlyDags.Job j : nightly.ended(r.spec.id, START.plusMillis(Math.round(t * 1000)))) submitNightly(j, t);
                    }
                }
            }
            return any;
        }

        /** Ad-hoc work by day in the users' time zone; the batch backlog kept full. */
        private boolean arrive(double t, Instant now) {
            boolean any = false;
            if (nightly != null) {
                for (NightlyDags.Job j : nightly.due(now, nightlyIdleCpus())) {
                    submitNightly(j, t);
                    any = true;
                }
            }
            while (nextAdhoc <= t) {
                ZonedDateTime z = START.plusMillis(Math.round(nextAdhoc * 1000)).atZone(USERS);
                boolean business = z.getDayOfWeek().getValue() <= 5 && z.getHour() >= 8 && z.getHour() < 19;
                if (business) {
                    double cpus = work.nextBoolean() ? 1 : 2;
                    submit(ADHOC, new Resources(cpus, (long) (cpus * 4096), 0, 0), 10, false, null,
                            Math.max(120, exponential(1200)), nextAdhoc);
                    any = true;
                }
                nextAdhoc += exponential(60.0 / ADHOC_PER_MINUTE);
            }
            while (pendingSpark < SPARK_BACKLOG) {
                double cpus = List.of(1.0, 2.0, 4.0).get(work.nextInt(3));
                submit(BATCH, new Resources(cpus, (long) (cpus * 3072), 0, 0), 0, true, baseline ? null : "night",
                        900 + work.nextDouble() * 2700, t);
                pendingSpark++;
                any = true;
            }
            while (pendingTraining < TRAINING_BACKLOG) {
                submit(BATCH, new Resources(8, 24_576, 0, 0), 0, true, baseline ? null : "night", 7200 + work.nextDouble() * 10_800, t);
                pendingTraining++;
                any = true;
            }
            return any;
        }

        /** A nightly DAG job whose upstreams have ended: not revocable, in no window, with its DAG's deadline (EDF). */
        private void submitNightly(NightlyDags.Job j, double at) {
            double cpus = j.shape.cpus();
            Task task = new Task(j.id, NightlyDags.QUEUE, new Resources(cpus, (long) (cpus * 2048), 0, 0), NightlyDags.PRIORITY,
                    false, null, j.seconds, at, j.dag.deadline);
            tasks.put(task.id, task);
            queueUp(task);
        }

        /**
         * The cpus work of the DAGs' priority may claim, as the admission's forecast: every machine's unreserved capacity
         * (total − the pool's reservation − headroom: the batch below it gives way), less what work of that priority or
         * above holds now.
         */
        private double nightlyIdleCpus() {
            double cpus = 0;
            for (int a : ours) {
                PoolSpec pool = owners.agents.get(a).pool();
                cpus += Math.max(0, MACHINE.cpus() - pool.reservation().cpus() - Capacity.headroom(MACHINE, pool).cpus());
            }
            for (Running r : running.values()) if (r.spec.priority >= NightlyDags.PRIORITY) cpus -= r.spec.resources.cpus();
            return Math.max(0, cpus);
        }

        private void submit(String queue, Resources r, int priority, boolean revocable, String window, double duration, double at) {
            Task task = new Task("%s-%07d".formatted(queue, seq++), queue, r, priority, revocable, window, duration, at);
            tasks.put(task.id, task);
            queueUp(task);
        }

        private void queueUp(Task task) {
            Duration runtime = task.window == null ? null : Duration.ofSeconds((long) Math.ceil(task.duration * 1.1));
            pending.put(task.id, new PendingTask(task.id, task.id, task.priority, START.plusMillis(Math.round(task.submittedAt * 1000)),
                    null, task.resources, task.queue, task.id + ".r1", 1, false, List.of(), task.deadline, null)
                    .night(task.revocable, task.window, runtime));
        }

        private void cycle(double t, Instant now, int k) {
            List<AgentSlot> slots = new ArrayList<>(ours.length);
            for (int a : ours) {
                Owners.Machine m = owners.agents.get(a);
                Resources allocated = applier.allocated(m.id());
                Map<String, String> attrs = Map.of("hostname", m.id(), "pool", m.pool().name());
                if (baseline) {
                    slots.add(new AgentSlot(m.id(), MACHINE.minus(allocated), attrs, MACHINE));
                } else {
                    slots.add(PoolSlots.slot(m.id(), MACHINE, allocated, attrs, reported(a), m.pool(), now, o.reclaimLead()));
                }
            }
            List<RunningTask> rts = new ArrayList<>(running.size());
            for (Running r : running.values()) rts.add(r.task);
            ClusterSnapshot snapshot = applier.carry(ClusterSnapshot.builder(++cycles, now).agents(slots)
                    .pending(new ArrayList<>(pending.values())).queues(queues).running(rts)).build();
            Plan plan = core.plan(snapshot);
            Invariants.check(snapshot, plan);
            applier.apply(plan, new PlanApplier.Target() {
                @Override
                public boolean launch(Placement p) {
                    PendingTask pt = pending.remove(p.taskId());
                    Task task = tasks.get(p.taskId());
                    if (pt == null || task == null) throw new InvariantViolation("placed task " + p.taskId() + " is not pending");
                    if (task.queue.equals(BATCH) && startedOnce.add(task.id)) {
                        if (task.resources.cpus() < 8) pendingSpark--;
                        else pendingTraining--;
                    }
                    if (task.queue.equals(ADHOC)) adhocWaits.add(t - task.submittedAt);
                    if (nightly != null && task.queue.equals(NightlyDags.QUEUE)) nightly.started(task.id, now);
                    running.put(task.id, new Running(new RunningTask(task.id, pt.jobId(), pt.runId(), task.queue, p.agentId(),
                            task.resources, task.priority, now, applier.preemptions(pt.runId()), false,
                            pt.maxRuntime() == null ? null : now.plus(pt.maxRuntime()), task.revocable), task, t, t + task.duration));
                    return true;
                }

                @Override
                public String stop(Preemption p) {
                    Running r = running.get(p.taskId());
                    if (r == null || !Double.isNaN(r.exitAt)) throw new InvariantViolation("stopped task " + p.taskId() + " is not running");
                    r.exitAt = t + o.killGrace().toSeconds();
                    r.task = r.task.asTerminating();
                    r.revoked = "revoked".equals(p.code());
                    if (r.revoked) revocations++;
                    else preemptions++;
                    return r.task.runId();
                }
            });
            if (nightly != null) nightly.watch(now);
            for (int a : ours) {
                String id = owners.agents.get(a).id();
                if (!MACHINE.fits(applier.allocated(id)))
                    throw new InvariantViolation("at %s agent %s holds %s of %s".formatted(now, id, applier.allocated(id), MACHINE));
            }
        }

        /** Night idle capacity and its use, headroom violations, and the chart's samples, over [t, t + dt). */
        private void measure(double t, Instant now, int k, long dt) {
            boolean sample = (long) t % SAMPLE_EVERY_S == 0;
            Map<String, double[]> s = sample ? new TreeMap<>() : null;
            for (int a = 0; a < owners.agents.size(); a++) {
                Owners.Machine m = owners.agents.get(a);
                PoolSpec pool = m.pool();
                Resources truth = owners.at(a, k);
                OwnerLoad load = new OwnerLoad(truth.cpus(), truth.memMb(), truth.cpus(), truth.memMb());
                Resources allocated = index.containsKey(m.id()) ? applier.allocated(m.id()) : Resources.ZERO;
                Resources headroom = Capacity.headroom(MACHINE, pool);
                if (pool.lending(now)) {
                    double[] n = night.get(pool.name());
                    n[0] += Math.max(0, MACHINE.cpus() - truth.cpus() - headroom.cpus()) * dt;
                    n[1] += allocated.cpus() * dt;
                }
                if (!baseline) {
                    Resources may = MACHINE.minus(Capacity.owners(load, pool, now)).minus(headroom);
                    boolean violated = allocated.cpus() > may.cpus() + EPS || allocated.memMb() > may.memMb();
                    if (violated && Double.isNaN(violatedSince[a])) violatedSince[a] = t;
                    else if (!violated) endViolation(a, t);
                }
                if (sample) {
                    double[] v = s.computeIfAbsent(pool.name(), p -> new double[2]);
                    v[0] += Capacity.idle(MACHINE, Resources.ZERO, load, pool, now).cpus();
                    v[1] += allocated.cpus();
                }
            }
            if (sample) s.forEach((p, v) -> series.get(p).add(new double[]{t / 3600, v[0], v[1]}));
        }

        private void endViolation(int a, double t) {
            if (Double.isNaN(violatedSince[a])) return;
            double length = t - violatedSince[a];
            violatedSince[a] = Double.NaN;
            violations++;
            violationMax = Math.max(violationMax, length);
            if (length > o.grace().toSeconds()) violationsOverGrace++;
        }

        private double exponential(double mean) {
            return -mean * Math.log(1 - work.nextDouble());
        }
    }

    // ---------------------------------------------------------------- charts

    private static List<String> writeCharts(Path dir, List<PoolSpec> pools, Run ns, Run st) {
        System.setProperty("java.awt.headless", "true");
        List<String> files = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            for (PoolSpec p : pools) {
                org.knowm.xchart.XYChart chart = new org.knowm.xchart.XYChartBuilder().width(1200).height(450)
                        .title("Pool %s: idle capacity vs what batch and ad-hoc work used, over the week".formatted(p.name()))
                        .xAxisTitle("hours from Monday 00:00 UTC").yAxisTitle("cpus").build();
                chart.getStyler().setYAxisMin(0.0);
                List<double[]> a = ns.series.get(p.name());
                List<double[]> b = st.series.get(p.name());
                line(chart, "idle capacity (total - owners - headroom)", column(a, 0), column(a, 1));
                line(chart, "used, nightshift", column(a, 0), column(a, 2));
                line(chart, "used, static partitioning", column(b, 0), column(b, 2));
                String name = "diurnal-" + p.name();
                org.knowm.xchart.BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(),
                        org.knowm.xchart.BitmapEncoder.BitmapFormat.PNG);
                org.knowm.xchart.VectorGraphicsEncoder.saveVectorGraphic(chart, dir.resolve(name).toString(),
                        org.knowm.xchart.VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
                files.add(name + ".png");
                files.add(name + ".svg");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the charts to " + dir, e);
        }
        return files;
    }

    private static void line(org.knowm.xchart.XYChart chart, String name, double[] x, double[] y) {
        org.knowm.xchart.XYSeries s = chart.addSeries(name, x.length == 0 ? new double[]{0} : x, y.length == 0 ? new double[]{0} : y);
        s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
    }

    private static double[] column(List<double[]> rows, int c) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) out[i] = rows.get(i)[c];
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 10_000d) / 10_000d;
    }

    public static void main(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected key=value, got '" + a + "'");
            m.put(a.substring(0, eq), a.substring(eq + 1));
        }
        System.out.println(run(Options.parse(m)).toJson());
    }
}
