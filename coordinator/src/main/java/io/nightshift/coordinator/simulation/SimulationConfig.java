package io.nightshift.coordinator.simulation;

import io.nightshift.api.Resources;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.api.config.Config;
import io.nightshift.api.config.Setting;
import io.nightshift.coordinator.scheduling.SchedulingPolicy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to simulate. Build it in code, or from {@code key=value} options with {@link #parse(Map)} (what
 * {@code nightshift simulate} passes through). Every option, its default and meaning:
 *
 * <pre>
 * seed=42                    random seed of the synthetic workload (same seed, same run)
 * agents=100                 number of agents
 * agent.cpus=16              each agent's cpus
 * agent.memMb=65536          each agent's memory
 * agent.gpus=0               each agent's gpus
 * racks=10                   agents are spread round-robin over racks r0..r(n-1) (attribute "rack")
 * queues=default:1           queue:weight[:guaranteeCpus[:limitCpus]], comma-separated, e.g. a:1,b:2,c:3
 * duration=PT24H             simulated time
 * tick=PT10S                 cycle granularity: time jumps from event to event (arrival, end, wake-up), and
 *                            events are handled at the next multiple of this
 * drain=true                 swf / csv: run until every job of the trace has ended (duration is then ignored)
 * sample=PT1M                how often utilization and shares are sampled for the charts (at most 5,000 samples:
 *                            longer runs sample less often); the utilization figures are exact time integrals
 * warmup=PT30M               samples before this are left out of the share accuracy
 * workload=synthetic         synthetic | swf | csv
 * trace=                     the trace file for swf / csv (csv: submit_s,duration_s,cpus,mem_mb,queue)
 * arrivals.perMinute=60      synthetic: Poisson arrivals per minute, over all queues (0: none)
 * backlog=0                  synthetic: keep at least this many tasks pending per queue (saturating demand)
 * queueMix=                  synthetic: queue:weight,... for choosing a queue per arrival (default: equal)
 * task.cpus=0.5,1,2,4        synthetic: task cpus, picked uniformly
 * task.memMb=512,1024,2048,4096  synthetic: task memory, picked uniformly
 * task.meanDuration=PT10M    synthetic: exponential task durations with this mean ...
 * task.minDuration=PT30S     ... and at least this long
 * priorities=0:90,10:10      synthetic: priority:weight mix
 * killGrace=PT10S            a preempted task exits this long after its SIGTERM
 * preemption=true            whether the core may preempt (coordinator.scheduler.preemption)
 * preemptionTolerance=0.05   fairness preemption only below (1 - this) × fair share
 * coordinator.scheduler.*=   any knob of the scheduling core by its setting name, as the coordinator reads it
 *                            (offer-ttl, decline-filter, gang-timeout, max-gang-backoff, preemption,
 *                            max-preemptions-per-run, preemption-tolerance, max-preemptors-per-cycle,
 *                            placement-candidates, max-explained-shapes, reservations)
 * out=                       directory for summary.json and the charts (PNG + SVG); none: no files
 * coordinator.queue.max-queued=10000  most jobs waiting (not yet started) in one queue, as the coordinator's
 *                            setting of that name: a job arriving into a full queue is refused (the coordinator's
 *                            429) and counted in the summary's {@code refused}, not queued
 * </pre>
 */
public record SimulationConfig(long seed, int agents, Resources agentResources, int racks, List<QueueSpec> queues,
                               Duration duration, Duration tick, Duration sample, Duration warmup, String workload,
                               Path trace, double arrivalsPerMinute, int backlog, Map<String, Double> queueMix,
                               List<Double> taskCpus, List<Long> taskMemMb, Duration meanTaskDuration,
                               Duration minTaskDuration, Map<Integer, Double> priorities, Duration killGrace,
                               SchedulingPolicy policy, Path out, boolean drain, int maxQueued) {

    public SimulationConfig {
        if (agents < 1) throw new IllegalArgumentException("agents must be at least 1, got " + agents);
        Objects.requireNonNull(agentResources, "agentResources");
        if (racks < 1) throw new IllegalArgumentException("racks must be at least 1, got " + racks);
        queues = List.copyOf(queues);
        if (queues.isEmpty()) throw new IllegalArgumentException("at least one queue is needed");
        positive(duration, "duration");
        positive(tick, "tick");
        positive(sample, "sample");
        Objects.requireNonNull(warmup, "warmup");
        if (!List.of("synthetic", "swf", "csv").contains(workload)) {
            throw new IllegalArgumentException("workload must be synthetic, swf or csv, got " + workload);
        }
        if (!workload.equals("synthetic") && trace == null) {
            throw new IllegalArgumentException("workload=" + workload + " needs trace=<file>");
        }
        if (arrivalsPerMinute < 0) throw new IllegalArgumentException("arrivals.perMinute must not be negative");
        if (backlog < 0) throw new IllegalArgumentException("backlog must not be negative");
        queueMix = queueMix == null ? Map.of() : Map.copyOf(queueMix);
        taskCpus = List.copyOf(taskCpus);
        taskMemMb = List.copyOf(taskMemMb);
        if (taskCpus.isEmpty() || taskMemMb.isEmpty()) throw new IllegalArgumentException("task sizes must not be empty");
        positive(meanTaskDuration, "task.meanDuration");
        Objects.requireNonNull(minTaskDuration, "task.minDuration");
        priorities = Map.copyOf(priorities);
        Objects.requireNonNull(killGrace, "killGrace");
        Objects.requireNonNull(policy, "policy");
        if (maxQueued < 1) throw new IllegalArgumentException(MAX_QUEUED.name() + " must be at least 1, got " + maxQueued);
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isZero() || d.isNegative()) throw new IllegalArgumentException(name + " must be positive, got " + d);
    }

    /** The defaults of {@link #parse(Map)} with no option given. */
    public static SimulationConfig defaults() {
        return parse(Map.of());
    }

    /** Reads {@code key=value} options; unknown keys and bad values are errors naming the key. */
    public static SimulationConfig parse(Map<String, String> options) {
        Map<String, String> o = new LinkedHashMap<>(DEFAULTS);
        Config knobs = Config.defaults(SchedulingPolicy.SETTINGS);
        for (Map.Entry<String, String> e : options.entrySet()) {
            Setting<?> knob = KNOBS.get(e.getKey());
            if (knob != null) {
                try {
                    knobs = knobs.with(knob, e.getValue());
                } catch (RuntimeException bad) {
                    throw new IllegalArgumentException("bad simulation option %s: %s".formatted(e.getKey(), bad.getMessage()), bad);
                }
                continue;
            }
            if (!DEFAULTS.containsKey(e.getKey())) {
                throw new IllegalArgumentException("unknown option '%s'; known: %s, %s".formatted(e.getKey(),
                        String.join(", ", DEFAULTS.keySet()), String.join(", ", KNOBS.keySet())));
            }
            o.put(e.getKey(), e.getValue());
        }
        try {
            SchedulingPolicy policy = SchedulingPolicy.from(knobs);
            return new SimulationConfig(Long.parseLong(o.get("seed")), Integer.parseInt(o.get("agents")),
                    new Resources(Double.parseDouble(o.get("agent.cpus")), Long.parseLong(o.get("agent.memMb")), 0,
                            Integer.parseInt(o.get("agent.gpus"))),
                    Integer.parseInt(o.get("racks")), queues(o.get("queues")), Duration.parse(o.get("duration")),
                    Duration.parse(o.get("tick")), Duration.parse(o.get("sample")), Duration.parse(o.get("warmup")),
                    o.get("workload"), o.get("trace").isBlank() ? null : Path.of(o.get("trace")),
                    Double.parseDouble(o.get("arrivals.perMinute")), Integer.parseInt(o.get("backlog")),
                    weights(o.get("queueMix")), doubles(o.get("task.cpus")), longs(o.get("task.memMb")),
                    Duration.parse(o.get("task.meanDuration")), Duration.parse(o.get("task.minDuration")),
                    priorities(o.get("priorities")), Duration.parse(o.get("killGrace")), policy,
                    o.get("out").isBlank() ? null : Path.of(o.get("out")), bool("drain", o.get("drain")),
                    maxQueued(o.get(MAX_QUEUED.name())));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad simulation option: " + e.getMessage(), e);
        }
    }

    /** Reads {@code key=value} command-line arguments. */
    public static SimulationConfig parse(String... args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected key=value, got '" + a + "'");
            m.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return parse(m);
    }

    /** The coordinator's cap on waiting jobs per queue: the same setting, so the same default and bounds. */
    private static final Setting<Integer> MAX_QUEUED = io.nightshift.coordinator.SecuritySettings.MAX_QUEUED;
    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();
    /** The scheduling core's knobs by setting name, and the two older short names. */
    private static final Map<String, Setting<?>> KNOBS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("seed", "42");
        DEFAULTS.put("agents", "100");
        DEFAULTS.put("agent.cpus", "16");
        DEFAULTS.put("agent.memMb", "65536");
        DEFAULTS.put("agent.gpus", "0");
        DEFAULTS.put("racks", "10");
        DEFAULTS.put("queues", "default:1");
        DEFAULTS.put("duration", "PT24H");
        DEFAULTS.put("tick", "PT10S");
        DEFAULTS.put("sample", "PT1M");
        DEFAULTS.put("warmup", "PT30M");
        DEFAULTS.put("workload", "synthetic");
        DEFAULTS.put("trace", "");
        DEFAULTS.put("arrivals.perMinute", "60");
        DEFAULTS.put("backlog", "0");
        DEFAULTS.put("queueMix", "");
        DEFAULTS.put("task.cpus", "0.5,1,2,4");
        DEFAULTS.put("task.memMb", "512,1024,2048,4096");
        DEFAULTS.put("task.meanDuration", "PT10M");
        DEFAULTS.put("task.minDuration", "PT30S");
        DEFAULTS.put("priorities", "0:90,10:10");
        DEFAULTS.put("killGrace", "PT10S");
        KNOBS.put("preemption", SchedulingPolicy.PREEMPTION);
        KNOBS.put("preemptionTolerance", SchedulingPolicy.PREEMPTION_TOLERANCE);
        for (Setting<?> s : SchedulingPolicy.SETTINGS) KNOBS.put(s.name(), s);
        DEFAULTS.put("out", "");
        DEFAULTS.put("drain", "true");
        DEFAULTS.put(MAX_QUEUED.name(), String.valueOf(MAX_QUEUED.defaultValue()));
    }

    private static int maxQueued(String raw) {
        try {
            return MAX_QUEUED.parse(raw);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static List<QueueSpec> queues(String s) {
        List<QueueSpec> out = new ArrayList<>();
        for (String part : s.split(",")) {
            String[] f = part.trim().split(":");
            QueueSpec q = QueueSpec.of(f[0], f.length > 1 ? Double.parseDouble(f[1]) : 1);
            if (f.length > 2) q = q.withGuarantee(Resources.of(Double.parseDouble(f[2]), 0));
            if (f.length > 3) q = q.withLimit(new Resources(Double.parseDouble(f[3]), Long.MAX_VALUE / 4, Long.MAX_VALUE / 4,
                    Integer.MAX_VALUE / 4));
            out.add(q);
        }
        return out;
    }

    private static boolean bool(String key, String v) {
        if (v.equals("true")) return true;
        if (v.equals("false")) return false;
        throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
    }

    private static Map<String, Double> weights(String s) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (s.isBlank()) return m;
        for (String part : s.split(",")) {
            String[] f = part.trim().split(":");
            m.put(f[0], Double.parseDouble(f[1]));
        }
        return m;
    }

    private static Map<Integer, Double> priorities(String s) {
        Map<Integer, Double> m = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : weights(s).entrySet()) m.put(Integer.parseInt(e.getKey()), e.getValue());
        if (m.isEmpty()) m.put(0, 1.0);
        return m;
    }

    private static List<Double> doubles(String s) {
        List<Double> out = new ArrayList<>();
        for (String p : s.split(",")) out.add(Double.parseDouble(p.trim()));
        return out;
    }

    private static List<Long> longs(String s) {
        List<Long> out = new ArrayList<>();
        for (String p : s.split(",")) out.add(Long.parseLong(p.trim()));
        return out;
    }

    public SimulationConfig withOut(Path v) {
        return new SimulationConfig(seed, agents, agentResources, racks, queues, duration, tick, sample, warmup, workload,
                trace, arrivalsPerMinute, backlog, queueMix, taskCpus, taskMemMb, meanTaskDuration, minTaskDuration,
                priorities, killGrace, policy, v, drain, maxQueued);
    }
}
