package io.nightshift.coordinator.simulation;

import io.nightshift.api.Resources;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.coordinator.scheduling.AgentSlot;
import io.nightshift.coordinator.scheduling.ClusterSnapshot;
import io.nightshift.coordinator.scheduling.OfferCycle;
import io.nightshift.coordinator.scheduling.PendingTask;
import io.nightshift.coordinator.scheduling.Placement;
import io.nightshift.coordinator.scheduling.Plan;
import io.nightshift.coordinator.scheduling.PlanApplier;
import io.nightshift.coordinator.scheduling.Preemption;
import io.nightshift.coordinator.scheduling.QueueShare;
import io.nightshift.coordinator.scheduling.RunningTask;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Runs the scheduling core the coordinator runs ({@link OfferCycle}, no copy of its policy) over a virtual
 * clock: a cluster of identical agents, queues, and a workload from a seeded generator or a trace. Every
 * tick it admits arrivals, finishes tasks whose time is up, lets preempted tasks exit after their grace
 * period and re-queues them, plans one cycle, checks the {@link Invariants} (a violation ends the run
 * with {@link InvariantViolation}), and has the coordinator's own {@link PlanApplier} carry out the plan
 * (preemptions, placements, allocation per agent, preemption budgets, and the offers, decline filters and
 * gang holds the next cycle sees).
 *
 * <p>Deterministic for a given config: the same seed gives the same summary (but for {@code cycleMillis},
 * the wall-clock cost of the cycles). {@code java ... Simulator key=value...} prints the JSON summary.
 */
public final class Simulator {

    static final Instant EPOCH = Instant.parse("2026-03-01T00:00:00Z");
    private static final long FINISH_WINDOW_S = 600;

    private final SimulationConfig cfg;
    private final OfferCycle core;
    private final Random random;

    // cluster
    private final List<AgentSlot> templates = new ArrayList<>();
    private final Map<String, Integer> agentIndex = new HashMap<>();
    private final PlanApplier applier = new PlanApplier();
    private final double totalCpus;
    private final double totalMem;

    // tasks
    private final Map<String, SimTask> tasks = new HashMap<>();
    private final Map<String, PendingTask> pending = new LinkedHashMap<>();
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final Map<String, Integer> pendingPerQueue = new HashMap<>();
    private final Map<String, ArrayDeque<Long>> recentFinishes = new HashMap<>();
    private List<TraceTask> trace;
    private int traceNext;
    private double nextArrival;
    private long taskSeq;

    // measurements
    private long cycles, submitted, started, finished, preempted;
    private final List<Double> waits = new ArrayList<>();
    private final Map<String, List<Double>> waitsPerQueue = new TreeMap<>();
    private final Map<String, long[]> perQueueCounts = new TreeMap<>();   // started, finished, preempted
    private final List<Double> sampleHours = new ArrayList<>();
    private final List<Double> cpuUtil = new ArrayList<>();
    private final List<Double> memUtil = new ArrayList<>();
    private final Map<String, List<Double>> shares = new TreeMap<>();
    private final Map<String, List<Double>> ideals = new TreeMap<>();
    private final Map<String, double[]> accuracy = new TreeMap<>();   // sum share, sum ideal, samples
    private final List<Double> cycleMillis = new ArrayList<>();

    private static final class SimTask {
        final String id;
        final String queue;
        final double submit;
        final double duration;
        final Resources resources;
        final int priority;
        int preemptions;
        boolean everStarted;

        SimTask(String id, String queue, double submit, double duration, Resources resources, int priority) {
            this.id = id;
            this.queue = queue;
            this.submit = submit;
            this.duration = duration;
            this.resources = resources;
            this.priority = priority;
        }
    }

    private static final class Running {
        RunningTask task;
        final int agent;
        final double endAt;
        double exitAt = Double.NaN;

        Running(RunningTask task, int agent, double endAt) {
            this.task = task;
            this.agent = agent;
            this.endAt = endAt;
        }
    }

    private Simulator(SimulationConfig cfg) {
        this.cfg = cfg;
        this.core = new OfferCycle(cfg.policy());
        this.random = new Random(cfg.seed());
        int n = cfg.agents();
        for (int i = 0; i < n; i++) {
            String id = "agent-%05d".formatted(i);
            templates.add(new AgentSlot(id, cfg.agentResources(), Map.of("hostname", id, "rack", "r" + (i % cfg.racks())),
                    cfg.agentResources()));
            agentIndex.put(id, i);
        }
        totalCpus = n * cfg.agentResources().cpus();
        totalMem = (double) n * cfg.agentResources().memMb();
        for (QueueSpec q : cfg.queues()) {
            pendingPerQueue.put(q.name(), 0);
            perQueueCounts.put(q.name(), new long[3]);
            waitsPerQueue.put(q.name(), new ArrayList<>());
            shares.put(q.name(), new ArrayList<>());
            ideals.put(q.name(), new ArrayList<>());
            accuracy.put(q.name(), new double[3]);
        }
    }

    /** Runs one simulation; writes summary.json and the charts when the config names an output directory. */
    public static SimulationResult run(SimulationConfig cfg) {
        return new Simulator(cfg).simulate();
    }

    public static void main(String[] args) {
        SimulationResult r = run(SimulationConfig.parse(args));
        System.out.println(r.toJson());
    }

    private SimulationResult simulate() {
        loadTrace();
        nextArrival = cfg.arrivalsPerMinute() > 0 ? exponential(60.0 / cfg.arrivalsPerMinute()) : Double.POSITIVE_INFINITY;
        long tick = cfg.tick().toSeconds();
        long end = cfg.duration().toSeconds();
        long sampleEvery = cfg.sample().toSeconds();
        long nextSample = 0;
        for (long t = 0; t <= end; t += tick) {
            arrive(t);
            finish(t);
            Plan plan = cycle(t);
            if (t >= nextSample) {
                sample(t, plan);
                nextSample += sampleEvery;
            }
        }
        return summarize(end);
    }

    // ---------------------------------------------------------------- workload

    private void loadTrace() {
        if (cfg.workload().equals("synthetic")) return;
        List<String> queueNames = cfg.queues().stream().map(QueueSpec::name).toList();
        try (Reader in = Files.newBufferedReader(cfg.trace(), StandardCharsets.UTF_8)) {
            trace = cfg.workload().equals("swf")
                    ? TraceTask.readSwf(in, queueNames, cfg.agentResources().cpus(), cfg.taskMemMb().get(0))
                    : TraceTask.readCsv(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read trace " + cfg.trace(), e);
        }
        trace = new ArrayList<>(trace);
        trace.sort(Comparator.comparingDouble(TraceTask::submitSeconds));
    }

    private void arrive(long t) {
        if (trace != null) {
            while (traceNext < trace.size() && trace.get(traceNext).submitSeconds() <= t) {
                TraceTask tt = trace.get(traceNext++);
                String queue = pendingPerQueue.containsKey(tt.queue()) ? tt.queue() : cfg.queues().get(0).name();
                submit(queue, tt.submitSeconds(), Math.max(1, tt.durationSeconds()),
                        new Resources(Math.min(tt.cpus(), cfg.agentResources().cpus()),
                                Math.min(tt.memMb(), cfg.agentResources().memMb()), 0, 0), 0);
            }
            return;
        }
        while (nextArrival <= t) {
            submit(pickQueue(), nextArrival, duration(), size(), priority());
            nextArrival += exponential(60.0 / cfg.arrivalsPerMinute());
        }
        if (cfg.backlog() > 0) {
            for (QueueSpec q : cfg.queues()) {
                while (pendingPerQueue.get(q.name()) < cfg.backlog()) submit(q.name(), t, duration(), size(), priority());
            }
        }
    }

    private void submit(String queue, double at, double duration, Resources resources, int priority) {
        String id = "t%07d".formatted(taskSeq++);
        SimTask task = new SimTask(id, queue, at, duration, resources, priority);
        tasks.put(id, task);
        queueUp(task, at);
        submitted++;
    }

    private void queueUp(SimTask task, double at) {
        pending.put(task.id, new PendingTask(task.id, task.id, task.priority, EPOCH.plusMillis((long) (at * 1000)), null,
                task.resources, task.queue, runOf(task), 1, false, List.of(), null));
        pendingPerQueue.merge(task.queue, 1, Integer::sum);
    }

    /** A task's one run: a preempted task is re-queued in the same run, as in the coordinator. */
    private static String runOf(SimTask task) {
        return task.id + ".r1";
    }

    private String pickQueue() {
        List<QueueSpec> qs = cfg.queues();
        if (cfg.queueMix().isEmpty()) return qs.get(random.nextInt(qs.size())).name();
        double total = 0;
        for (QueueSpec q : qs) total += cfg.queueMix().getOrDefault(q.name(), 0.0);
        double x = random.nextDouble() * total;
        for (QueueSpec q : qs) {
            x -= cfg.queueMix().getOrDefault(q.name(), 0.0);
            if (x < 0) return q.name();
        }
        return qs.get(qs.size() - 1).name();
    }

    private double duration() {
        return Math.max(cfg.minTaskDuration().toSeconds(), exponential(cfg.meanTaskDuration().toSeconds()));
    }

    private Resources size() {
        double cpus = cfg.taskCpus().get(random.nextInt(cfg.taskCpus().size()));
        long mem = cfg.taskMemMb().get(random.nextInt(cfg.taskMemMb().size()));
        return new Resources(cpus, mem, 0, 0);
    }

    private int priority() {
        double total = cfg.priorities().values().stream().mapToDouble(Double::doubleValue).sum();
        double x = random.nextDouble() * total;
        List<Integer> keys = new ArrayList<>(cfg.priorities().keySet());
        keys.sort(Comparator.naturalOrder());
        for (int p : keys) {
            x -= cfg.priorities().get(p);
            if (x < 0) return p;
        }
        return keys.get(keys.size() - 1);
    }

    private double exponential(double mean) {
        return -mean * Math.log(1 - random.nextDouble());
    }

    // ---------------------------------------------------------------- the cluster

    private void finish(long t) {
        for (Iterator<Running> it = running.values().iterator(); it.hasNext(); ) {
            Running r = it.next();
            SimTask task = tasks.get(r.task.taskId());
            if (!Double.isNaN(r.exitAt) && r.exitAt <= t) {   // preempted: exited after its grace period, re-queued
                it.remove();
                release(r);
                applier.ended(task.id);
                task.preemptions++;
                queueUp(task, t);
            } else if (Double.isNaN(r.exitAt) && r.endAt <= t) {
                it.remove();
                release(r);
                applier.ended(task.id);
                applier.runEnded(r.task.runId());
                finished++;
                perQueueCounts.get(task.queue)[1]++;
                recentFinishes.computeIfAbsent(task.queue, k -> new ArrayDeque<>()).add(t);
                tasks.remove(task.id);
            }
        }
    }

    private void release(Running r) {
        applier.release(r.task.agentId(), r.task.resources());
    }

    private Plan cycle(long t) {
        Instant now = EPOCH.plusSeconds(t);
        List<AgentSlot> slots = new ArrayList<>(templates.size());
        Resources total = cfg.agentResources();
        for (AgentSlot a : templates) {
            Resources used = applier.allocated(a.agentId());
            Resources free = new Resources(Math.max(0, Math.round((total.cpus() - used.cpus()) * 10_000d) / 10_000d),
                    Math.max(0, total.memMb() - used.memMb()), total.diskMb(), Math.max(0, total.gpus() - used.gpus()));
            slots.add(new AgentSlot(a.agentId(), free, a.attributes(), a.total()));
        }
        List<RunningTask> runningTasks = new ArrayList<>(running.size());
        for (Running r : running.values()) runningTasks.add(r.task);
        Map<String, Double> rates = new HashMap<>();
        for (Map.Entry<String, ArrayDeque<Long>> e : recentFinishes.entrySet()) {
            while (!e.getValue().isEmpty() && e.getValue().peekFirst() < t - FINISH_WINDOW_S) e.getValue().pollFirst();
            rates.put(e.getKey(), e.getValue().size() * 60.0 / FINISH_WINDOW_S);
        }
        ClusterSnapshot.Builder builder = ClusterSnapshot.builder(++cycles, now).agents(slots)
                .pending(new ArrayList<>(pending.values())).queues(cfg.queues()).running(runningTasks)
                .finishRates(rates);
        ClusterSnapshot snapshot = applier.carry(builder).build();
        long t0 = System.nanoTime();
        Plan plan = core.plan(snapshot);
        cycleMillis.add((System.nanoTime() - t0) / 1e6);
        Invariants.check(snapshot, plan);
        apply(plan, t, now);
        checkCapacity(now);
        return plan;
    }

    private void apply(Plan plan, long t, Instant now) {
        applier.apply(plan, new PlanApplier.Target() {
            @Override
            public boolean launch(Placement p) {
                PendingTask pt = pending.remove(p.taskId());
                SimTask task = tasks.get(p.taskId());
                if (pt == null || task == null) throw new InvariantViolation("placed task " + p.taskId() + " is not pending");
                pendingPerQueue.merge(task.queue, -1, Integer::sum);
                int agent = agentIndex.get(p.agentId());
                running.put(task.id, new Running(new RunningTask(task.id, pt.jobId(), pt.runId(), task.queue, p.agentId(),
                        task.resources, task.priority, now, applier.preemptions(pt.runId()), false), agent, t + task.duration));
                started++;
                perQueueCounts.get(task.queue)[0]++;
                if (!task.everStarted) {
                    task.everStarted = true;
                    waits.add(t - task.submit);
                    waitsPerQueue.get(task.queue).add(t - task.submit);
                }
                return true;
            }

            @Override
            public String stop(Preemption p) {
                Running r = running.get(p.taskId());
                if (r == null || !Double.isNaN(r.exitAt)) throw new InvariantViolation("preempted task " + p.taskId() + " is not running");
                r.exitAt = t + cfg.killGrace().toSeconds();
                r.task = r.task.asTerminating();
                preempted++;
                perQueueCounts.get(r.task.queue())[2]++;
                return r.task.runId();
            }
        });
    }

    /** After applying a plan no agent holds more than it has. */
    private void checkCapacity(Instant now) {
        Resources total = cfg.agentResources();
        for (AgentSlot a : templates) {
            Resources used = applier.allocated(a.agentId());
            if (!total.fits(used)) {
                throw new InvariantViolation("at %s agent %s holds %s of %s".formatted(now, a.agentId(), used, total));
            }
        }
    }

    // ---------------------------------------------------------------- measurements

    private void sample(long t, Plan plan) {
        double cpus = 0, mem = 0;
        for (AgentSlot a : templates) {
            Resources used = applier.allocated(a.agentId());
            cpus += used.cpus();
            mem += used.memMb();
        }
        sampleHours.add(t / 3600.0);
        cpuUtil.add(cpus / totalCpus);
        memUtil.add(mem / totalMem);
        boolean warm = t >= cfg.warmup().toSeconds();
        for (QueueShare q : plan.queues()) {
            if (!shares.containsKey(q.queue())) continue;
            shares.get(q.queue()).add(q.share());
            ideals.get(q.queue()).add(q.fairShare());
            if (warm) {
                double[] acc = accuracy.get(q.queue());
                acc[0] += q.share();
                acc[1] += q.fairShare();
                acc[2]++;
            }
        }
    }

    private SimulationResult summarize(long end) {
        Map<String, SimulationResult.QueueSummary> queues = new LinkedHashMap<>();
        for (QueueSpec q : cfg.queues()) {
            double[] acc = accuracy.get(q.name());
            double share = acc[2] == 0 ? 0 : acc[0] / acc[2];
            double ideal = acc[2] == 0 ? 0 : acc[1] / acc[2];
            long[] c = perQueueCounts.get(q.name());
            double[] w = toArray(waitsPerQueue.get(q.name()));
            queues.put(q.name(), new SimulationResult.QueueSummary(q.weight(), round(share), round(ideal),
                    round(ideal == 0 ? 0 : Math.abs(share - ideal) / ideal), c[0], c[1], c[2], percentile(w, 50),
                    percentile(w, 99)));
        }
        double[] allWaits = toArray(waits);
        Map<String, Double> wait = new LinkedHashMap<>();
        wait.put("p50", percentile(allWaits, 50));
        wait.put("p90", percentile(allWaits, 90));
        wait.put("p99", percentile(allWaits, 99));
        wait.put("max", allWaits.length == 0 ? 0 : Arrays.stream(allWaits).max().orElse(0));
        Map<String, Double> util = new LinkedHashMap<>();
        util.put("cpus", round(mean(cpuUtil)));
        util.put("memMb", round(mean(memUtil)));
        double[] cm = toArray(cycleMillis);
        Map<String, Double> cost = new LinkedHashMap<>();
        cost.put("mean", round(mean(cycleMillis)));
        cost.put("p99", round(percentile(cm, 99)));
        cost.put("max", round(cm.length == 0 ? 0 : Arrays.stream(cm).max().orElse(0)));
        List<String> charts = List.of();
        if (cfg.out() != null) {
            try {
                Map<String, double[]> s = new LinkedHashMap<>(), i = new LinkedHashMap<>();
                shares.forEach((k, v) -> s.put(k, toArray(v)));
                ideals.forEach((k, v) -> i.put(k, toArray(v)));
                charts = Charts.write(cfg.out(), toArray(sampleHours), toArray(cpuUtil), toArray(memUtil), s, i, allWaits);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write charts to " + cfg.out(), e);
            }
        }
        SimulationResult result = new SimulationResult(cfg.seed(), end, cycles, cfg.agents(), submitted, started, finished,
                preempted, pending.size(), running.size(), util, wait, queues, cost, charts);
        if (cfg.out() != null) {
            try {
                Files.writeString(cfg.out().resolve("summary.json"), result.toJson());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write summary to " + cfg.out(), e);
            }
        }
        return result;
    }

    private static double[] toArray(List<Double> l) {
        double[] a = new double[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }

    private static double mean(List<Double> l) {
        return l.isEmpty() ? 0 : l.stream().mapToDouble(Double::doubleValue).sum() / l.size();
    }

    /** Nearest-rank percentile; 0 for no data. */
    static double percentile(double[] values, double p) {
        if (values.length == 0) return 0;
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double round(double v) {
        return Math.round(v * 10_000d) / 10_000d;
    }
}
