package io.nightshift.coordinator.simulation;

import io.nightshift.api.Resources;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.coordinator.scheduling.FinishRates;
import io.nightshift.coordinator.scheduling.AgentSlot;
import io.nightshift.coordinator.scheduling.ClusterSnapshot;
import io.nightshift.coordinator.scheduling.DeclineFilter;
import io.nightshift.coordinator.scheduling.Offer;
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
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;

/**
 * Runs the scheduling core the coordinator runs ({@link OfferCycle}, no copy of its policy) over a virtual
 * clock: a cluster of identical agents, queues, and a workload from a seeded generator or a trace.
 *
 * <p>Time moves by events: the clock jumps to the next arrival, task end, exit of a preempted task, or wake-up
 * the core asked for ({@link Plan#nextWakeUp()}: a back-off or gang hold running out), and to the expiry of an
 * offer or decline filter only while it could change a decision. A cycle is run only when something changed,
 * so a quiet stretch costs nothing however long it is. Events are handled at the next multiple of
 * {@code tick} (the coordinator's cycle granularity). Each cycle checks the {@link Invariants} (a violation
 * ends the run with {@link InvariantViolation}), and the coordinator's own {@link PlanApplier} carries out the
 * plan (preemptions, placements, allocation per agent, preemption budgets, and the offers, decline filters and
 * gang holds the next cycle sees).
 *
 * <p>A trace job wider than one agent becomes a gang of instances of at most one agent's size; its requested
 * time becomes its {@code maxRuntime}, so running tasks have expected ends and gangs get reservations (EASY
 * backfill). Measured per job: wait (submit to start of all its instances), bounded slowdown
 * {@code max(1, (wait + run) / max(run, 10 s))}, gang waits; per queue and overall the time-weighted
 * utilization. For an SWF trace the same figures are computed from the waits the trace recorded, side by side.
 *
 * <p>Deterministic for a given config: the same seed gives the same summary (but for {@code cycleMillis} and
 * {@code wallSeconds}, the wall-clock cost). {@code java ... Simulator key=value...} prints the JSON summary.
 */
public final class Simulator {

    static final Instant EPOCH = Instant.parse("2026-03-01T00:00:00Z");
    /** Bounded slowdown's threshold τ: runs shorter than this count as this long. */
    static final double SLOWDOWN_TAU_S = 10;
    private static final int MAX_SAMPLES = 5_000;

    private final SimulationConfig cfg;
    private final OfferCycle core;
    private final Random random;
    private final long tick;

    // cluster
    private final List<AgentSlot> templates = new ArrayList<>();
    private final PlanApplier applier = new PlanApplier();
    private final double totalCpus;
    private final double totalMem;

    // work
    private final Map<String, SimTask> tasks = new HashMap<>();
    private final Map<String, PendingTask> pending = new LinkedHashMap<>();
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final Map<String, Integer> pendingPerQueue = new HashMap<>();
    /** Jobs per queue not started yet (the coordinator's QUEUED jobs), against {@code coordinator.queue.max-queued}. */
    private final Map<String, int[]> waitingJobs = new HashMap<>();
    private final FinishRates recentFinishes = new FinishRates(FinishRates.WINDOW.defaultValue());   // the coordinator's, same window
    private final Map<String, double[]> allocatedPerQueue = new HashMap<>();   // cpus, memMb held now
    private List<TraceTask> trace;
    private int traceNext;
    private double nextArrival;
    private long jobSeq;
    private long eventSeq;
    private long skipped;
    private long refused;

    // measurements
    private long cycles, submitted, started, finished, preempted, jobsSubmitted;
    private final List<SimJob> jobs = new ArrayList<>();
    private final Map<String, long[]> perQueueCounts = new TreeMap<>();   // started, finished, preempted
    private final Map<String, double[]> cpuSecondsPerQueue = new TreeMap<>();
    private double cpuSeconds, memSeconds, measuredFrom = Double.NaN, measuredTo;
    private final List<Double> sampleHours = new ArrayList<>();
    private final List<Double> cpuUtil = new ArrayList<>();
    private final List<Double> memUtil = new ArrayList<>();
    private final Map<String, List<Double>> shares = new TreeMap<>();
    private final Map<String, List<Double>> ideals = new TreeMap<>();
    private final Map<String, double[]> accuracy = new TreeMap<>();   // sum share, sum ideal, samples
    private final List<Double> cycleMillis = new ArrayList<>();

    /** One submitted job: one task, or a gang of instances that start together. */
    private static final class SimJob {
        final String id;
        final String queue;
        final double submit;
        final double duration;
        final int instances;
        final double cpus;
        final double recordedWait;
        double startedAt = Double.NaN;

        SimJob(String id, String queue, double submit, double duration, int instances, double cpus, double recordedWait) {
            this.id = id;
            this.queue = queue;
            this.submit = submit;
            this.duration = duration;
            this.instances = instances;
            this.cpus = cpus;
            this.recordedWait = recordedWait;
        }
    }

    private static final class SimTask {
        final String id;
        final SimJob job;
        final Resources resources;
        final int priority;
        final Duration maxRuntime;
        boolean everStarted;

        SimTask(String id, SimJob job, Resources resources, int priority, Duration maxRuntime) {
            this.id = id;
            this.job = job;
            this.resources = resources;
            this.priority = priority;
            this.maxRuntime = maxRuntime;
        }
    }

    private static final class Running {
        RunningTask task;
        final double endAt;
        double exitAt = Double.NaN;

        Running(RunningTask task, double endAt) {
            this.task = task;
            this.endAt = endAt;
        }
    }

    /** A task ends ({@code exit}: a preempted one exits) at {@code at}; stale once the task is gone. */
    private record Event(double at, long seq, String taskId, boolean exit) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Double.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private Simulator(SimulationConfig cfg) {
        this.cfg = cfg;
        this.core = new OfferCycle(cfg.policy());
        this.random = new Random(cfg.seed());
        this.tick = Math.max(1, cfg.tick().toSeconds());
        int n = cfg.agents();
        for (int i = 0; i < n; i++) {
            String id = "agent-%05d".formatted(i);
            templates.add(new AgentSlot(id, cfg.agentResources(), Map.of("hostname", id, "rack", "r" + (i % cfg.racks())),
                    cfg.agentResources()));
        }
        totalCpus = n * cfg.agentResources().cpus();
        totalMem = (double) n * cfg.agentResources().memMb();
        for (QueueSpec q : cfg.queues()) {
            pendingPerQueue.put(q.name(), 0);
            waitingJobs.put(q.name(), new int[1]);
            perQueueCounts.put(q.name(), new long[3]);
            cpuSecondsPerQueue.put(q.name(), new double[1]);
            allocatedPerQueue.put(q.name(), new double[2]);
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
        long wall0 = System.nanoTime();
        loadTrace();
        nextArrival = cfg.arrivalsPerMinute() > 0 ? exponential(60.0 / cfg.arrivalsPerMinute()) : Double.POSITIVE_INFINITY;
        boolean drain = cfg.drain() && trace != null;
        double end = drain ? Double.POSITIVE_INFINITY : cfg.duration().toSeconds();
        double horizon = drain ? traceSpan() : end;
        double sampleEvery = Math.max(cfg.sample().toSeconds(), Math.ceil(horizon / MAX_SAMPLES));
        double nextSample = 0;
        Plan plan = null;
        double wake = Double.POSITIVE_INFINITY;
        boolean settled = false;   // the last cycle changed nothing: offer and filter expiries cannot matter
        double t = 0;
        double last = 0;
        while (t <= end) {
            boolean changed = arrive(t) | finish(t);
            if (changed || t >= wake || plan == null) {
                plan = cycle(t);
                settled = !changed && plan.placements().isEmpty() && plan.preemptions().isEmpty();
                wake = wakeUp(plan, settled);
            }
            double next = Math.min(Math.min(nextArrivalAt(), nextEventAt()), wake);
            if (cfg.backlog() > 0 && trace == null) next = Math.min(next, t + tick);   // the backlog refills each tick
            next = Math.max(t + 1e-9, quantize(next));
            if (drain && next == Double.POSITIVE_INFINITY) {
                measure(t, t);
                last = t;
                break;
            }
            while (nextSample < next && nextSample <= end) {   // nothing changes until next
                sample(nextSample, plan);
                nextSample += sampleEvery;
            }
            measure(t, Math.min(next, end));
            last = Math.min(next, end);
            t = next;
        }
        return summarize(drain ? last : end, (System.nanoTime() - wall0) / 1e9);
    }

    /** The next multiple of the tick at or after {@code at}. */
    private double quantize(double at) {
        if (at == Double.POSITIVE_INFINITY) return at;
        return Math.ceil(at / tick - 1e-9) * tick;
    }

    /**
     * When waiting alone changes a decision: the core's wake-up, and, unless the last cycle settled, the
     * earliest expiry of an offer reserved for one queue while another has work, or of a decline filter of a
     * queue with work.
     */
    private double wakeUp(Plan plan, boolean settled) {
        double w = plan.nextWakeUp() == null ? Double.POSITIVE_INFINITY : seconds(plan.nextWakeUp());
        if (settled || pending.isEmpty()) return w;
        for (Offer o : plan.offers()) {
            if (o.queue() != null && otherQueueWaits(o.queue())) w = Math.min(w, seconds(o.expiresAt()));
        }
        for (DeclineFilter f : plan.declineFilters()) {
            if (pendingPerQueue.getOrDefault(f.queue(), 0) > 0) w = Math.min(w, seconds(f.until()));
        }
        return w;
    }

    private boolean otherQueueWaits(String queue) {
        for (Map.Entry<String, Integer> e : pendingPerQueue.entrySet()) {
            if (e.getValue() > 0 && !e.getKey().equals(queue)) return true;
        }
        return false;
    }

    private static double seconds(Instant at) {
        return Duration.between(EPOCH, at).toMillis() / 1000.0;
    }

    private double nextArrivalAt() {
        if (trace != null) return traceNext < trace.size() ? trace.get(traceNext).submitSeconds() : Double.POSITIVE_INFINITY;
        return nextArrival;
    }

    private double nextEventAt() {
        while (!events.isEmpty() && stale(events.peek())) events.poll();
        return events.isEmpty() ? Double.POSITIVE_INFINITY : events.peek().at;
    }

    private boolean stale(Event e) {
        Running r = running.get(e.taskId);
        if (r == null) return true;
        return e.exit ? r.exitAt != e.at : !Double.isNaN(r.exitAt) || r.endAt != e.at;
    }

    // ---------------------------------------------------------------- workload

    private void loadTrace() {
        if (cfg.workload().equals("synthetic")) return;
        List<String> queueNames = cfg.queues().stream().map(QueueSpec::name).toList();
        try (Reader in = TraceTask.open(cfg.trace())) {
            trace = cfg.workload().equals("swf") ? TraceTask.readSwf(in, queueNames, cfg.taskMemMb().get(0)) : TraceTask.readCsv(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read trace " + cfg.trace(), e);
        }
        trace = new ArrayList<>(trace);
        trace.sort(Comparator.comparingDouble(TraceTask::submitSeconds));
    }

    /** From the first submit to the latest the trace's jobs could end if each started at once; for the sampling rate. */
    private double traceSpan() {
        double span = 0;
        for (TraceTask tt : trace) span = Math.max(span, tt.submitSeconds() + tt.durationSeconds());
        return Math.max(1, span);
    }

    /** Admits what arrives by {@code t}; true when anything did. */
    private boolean arrive(double t) {
        boolean any = false;
        if (trace != null) {
            while (traceNext < trace.size() && trace.get(traceNext).submitSeconds() <= t) {
                TraceTask tt = trace.get(traceNext++);
                String queue = pendingPerQueue.containsKey(tt.queue()) ? tt.queue() : cfg.queues().get(0).name();
                Duration max = Double.isNaN(tt.requestedSeconds()) ? null
                        : Duration.ofSeconds((long) Math.ceil(Math.max(tt.requestedSeconds(), tt.durationSeconds())));
                any |= submitJob(queue, tt.submitSeconds(), Math.max(1, tt.durationSeconds()), tt.cpus(), tt.memMb(), 0, max,
                        tt.recordedWaitSeconds());
            }
            return any;
        }
        while (nextArrival <= t) {
            Resources size = size();
            any |= submitJob(pickQueue(), nextArrival, duration(), size.cpus(), size.memMb(), priority(), null, Double.NaN);
            nextArrival += exponential(60.0 / cfg.arrivalsPerMinute());   // a refused job changes nothing: no cycle for it
        }
        if (cfg.backlog() > 0) {
            for (QueueSpec q : cfg.queues()) {
                while (pendingPerQueue.get(q.name()) < cfg.backlog()) {
                    Resources size = size();
                    if (!submitJob(q.name(), t, duration(), size.cpus(), size.memMb(), priority(), null, Double.NaN)) break;
                    any = true;
                }
            }
        }
        return any;
    }

    /**
     * Submits a job of {@code cpus} in total: one task when it fits one agent, else a gang of instances of at
     * most one agent's cpus each. A job wider than the whole cluster is skipped (counted); a job arriving into
     * a queue that holds {@code coordinator.queue.max-queued} jobs not started yet is refused (counted), as the
     * coordinator refuses such a submit with 429. False when the job was not queued.
     */
    private boolean submitJob(String queue, double at, double duration, double cpus, long memMb, int priority, Duration maxRuntime,
                              double recordedWait) {
        Resources agent = cfg.agentResources();
        int instances = cpus <= agent.cpus() + 1e-9 ? 1 : (int) Math.ceil(cpus / agent.cpus() - 1e-9);
        if (instances > cfg.agents()) {
            skipped++;
            return false;
        }
        int[] waiting = waitingJobs.get(queue);
        if (waiting[0] >= cfg.maxQueued()) {
            refused++;
            return false;
        }
        waiting[0]++;
        double each = cpus / instances;
        long mem = Math.min(agent.memMb(), Math.max(1, memMb / instances));
        SimJob job = new SimJob("j%07d".formatted(jobSeq++), queue, at, duration, instances, cpus, recordedWait);
        jobs.add(job);
        jobsSubmitted++;
        for (int i = 0; i < instances; i++) {
            SimTask task = new SimTask(instances == 1 ? job.id : job.id + "." + i, job, new Resources(each, mem, 0, 0), priority,
                    maxRuntime);
            tasks.put(task.id, task);
            queueUp(task, at);
            submitted++;
        }
        return true;
    }

    private void queueUp(SimTask task, double at) {
        SimJob job = task.job;
        pending.put(task.id, new PendingTask(task.id, job.id, task.priority, EPOCH.plusMillis(Math.round(at * 1000)), null,
                task.resources, job.queue, runOf(job), job.instances, job.instances > 1, List.of(), null, null, task.maxRuntime));
        pendingPerQueue.merge(job.queue, 1, Integer::sum);
    }

    /** A job's one run: a preempted task is re-queued in the same run, as in the coordinator. */
    private static String runOf(SimJob job) {
        return job.id + ".r1";
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

    /** Ends what is due by {@code t}: finished tasks leave, preempted ones are re-queued; true when anything ended. */
    private boolean finish(double t) {
        boolean any = false;
        while (nextEventAt() <= t) {
            Event e = events.poll();
            Running r = running.remove(e.taskId);
            SimTask task = tasks.get(e.taskId);
            release(r);
            applier.ended(task.id);
            any = true;
            if (e.exit) {   // preempted: exited after its grace period, re-queued
                queueUp(task, t);
            } else {
                applier.runEnded(r.task.runId());
                finished++;
                perQueueCounts.get(task.job.queue)[1]++;
                recentFinishes.ended(task.job.queue, EPOCH.plusMillis(Math.round(t * 1000)));
                tasks.remove(task.id);
            }
        }
        return any;
    }

    private void release(Running r) {
        applier.release(r.task.agentId(), r.task.resources());
        double[] q = allocatedPerQueue.get(r.task.queue());
        q[0] -= r.task.resources().cpus();
        q[1] -= r.task.resources().memMb();
    }

    private Plan cycle(double t) {
        Instant now = EPOCH.plusMillis(Math.round(t * 1000));
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
        Map<String, Double> rates = recentFinishes.perMinute(now);
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

    private void apply(Plan plan, double t, Instant now) {
        applier.apply(plan, new PlanApplier.Target() {
            @Override
            public boolean launch(Placement p) {
                PendingTask pt = pending.remove(p.taskId());
                SimTask task = tasks.get(p.taskId());
                if (pt == null || task == null) throw new InvariantViolation("placed task " + p.taskId() + " is not pending");
                SimJob job = task.job;
                pendingPerQueue.merge(job.queue, -1, Integer::sum);
                Instant expectedEnd = task.maxRuntime == null ? null : now.plus(task.maxRuntime);
                Running r = new Running(new RunningTask(task.id, pt.jobId(), pt.runId(), job.queue, p.agentId(),
                        task.resources, task.priority, now, applier.preemptions(pt.runId()), false, expectedEnd), t + job.duration);
                running.put(task.id, r);
                events.add(new Event(r.endAt, eventSeq++, task.id, false));
                double[] q = allocatedPerQueue.get(job.queue);
                q[0] += task.resources.cpus();
                q[1] += task.resources.memMb();
                started++;
                perQueueCounts.get(job.queue)[0]++;
                if (!task.everStarted) {
                    task.everStarted = true;
                    if (Double.isNaN(job.startedAt)) {
                        job.startedAt = t;
                        waitingJobs.get(job.queue)[0]--;
                    }
                }
                return true;
            }

            @Override
            public String stop(Preemption p) {
                Running r = running.get(p.taskId());
                if (r == null || !Double.isNaN(r.exitAt)) throw new InvariantViolation("preempted task " + p.taskId() + " is not running");
                r.exitAt = t + cfg.killGrace().toSeconds();
                r.task = r.task.asTerminating();
                events.add(new Event(r.exitAt, eventSeq++, r.task.taskId(), true));
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

    /** What the cluster held from {@code from} to {@code to} (nothing changes in between). */
    private void measure(double from, double to) {
        if (Double.isNaN(measuredFrom)) measuredFrom = from;
        double dt = Math.max(0, to - from);
        measuredTo = Math.max(measuredTo, to);
        if (dt == 0) return;
        double cpus = 0, mem = 0;
        for (Map.Entry<String, double[]> e : allocatedPerQueue.entrySet()) {
            cpus += e.getValue()[0];
            mem += e.getValue()[1];
            cpuSecondsPerQueue.get(e.getKey())[0] += e.getValue()[0] * dt;
        }
        cpuSeconds += cpus * dt;
        memSeconds += mem * dt;
    }

    private void sample(double t, Plan plan) {
        double cpus = 0, mem = 0;
        for (double[] q : allocatedPerQueue.values()) {
            cpus += q[0];
            mem += q[1];
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

    private SimulationResult summarize(double end, double wallSeconds) {
        double span = Math.max(1e-9, measuredTo - (Double.isNaN(measuredFrom) ? 0 : measuredFrom));
        Map<String, List<SimJob>> jobsPerQueue = new TreeMap<>();
        List<SimJob> startedJobs = new ArrayList<>();
        for (SimJob j : jobs) {
            if (Double.isNaN(j.startedAt)) continue;
            startedJobs.add(j);
            jobsPerQueue.computeIfAbsent(j.queue, k -> new ArrayList<>()).add(j);
        }
        Map<String, SimulationResult.QueueSummary> queues = new LinkedHashMap<>();
        for (QueueSpec q : cfg.queues()) {
            double[] acc = accuracy.get(q.name());
            double share = acc[2] == 0 ? 0 : acc[0] / acc[2];
            double ideal = acc[2] == 0 ? 0 : acc[1] / acc[2];
            long[] c = perQueueCounts.get(q.name());
            List<SimJob> mine = jobsPerQueue.getOrDefault(q.name(), List.of());
            double[] w = waits(mine);
            queues.put(q.name(), new SimulationResult.QueueSummary(q.weight(), round(share), round(ideal),
                    round(ideal == 0 ? 0 : Math.abs(share - ideal) / ideal), c[0], c[1], c[2], percentile(w, 50),
                    percentile(w, 99), round(mean(w)), percentile(w, 90), round(mean(slowdowns(mine))),
                    round(cpuSecondsPerQueue.get(q.name())[0] / (totalCpus * span))));
        }
        double[] allWaits = waits(startedJobs);
        Map<String, Double> wait = stats(allWaits);
        wait.put("max", allWaits.length == 0 ? 0 : Arrays.stream(allWaits).max().orElse(0));
        Map<String, Double> util = new LinkedHashMap<>();
        util.put("cpus", round(cpuSeconds / (totalCpus * span)));
        util.put("memMb", round(memSeconds / (totalMem * span)));
        List<SimJob> gangs = startedJobs.stream().filter(j -> j.instances > 1).toList();
        SimulationResult.Figures ours = new SimulationResult.Figures(startedJobs.size(), round(cpuSeconds / (totalCpus * span)),
                stats(allWaits), stats(slowdowns(startedJobs)), gangs.size(), stats(waits(gangs)));
        SimulationResult.Figures recorded = recorded();
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
                preempted, pending.size(), running.size(), util, wait, queues, cost, charts, jobsSubmitted, skipped, ours, recorded,
                round(wallSeconds), refused);
        if (cfg.out() != null) {
            try {
                Files.writeString(cfg.out().resolve("summary.json"), result.toJson());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write summary to " + cfg.out(), e);
            }
        }
        return result;
    }

    /**
     * The same figures from the trace's own recorded waits (what that machine's scheduler did), over the jobs
     * the simulation ran that have one; null when the trace records none. Utilization: the jobs' cpu-seconds
     * over the cluster's, from the first submit to the last recorded end.
     */
    private SimulationResult.Figures recorded() {
        List<SimJob> with = jobs.stream().filter(j -> !Double.isNaN(j.recordedWait)).toList();
        if (with.isEmpty()) return null;
        double[] w = new double[with.size()];
        double[] sd = new double[with.size()];
        double work = 0, from = Double.POSITIVE_INFINITY, to = 0;
        List<Double> gangWaits = new ArrayList<>();
        for (int i = 0; i < w.length; i++) {
            SimJob j = with.get(i);
            w[i] = j.recordedWait;
            sd[i] = slowdown(j.recordedWait, j.duration);
            work += j.cpus * j.duration;
            from = Math.min(from, j.submit);
            to = Math.max(to, j.submit + j.recordedWait + j.duration);
            if (j.instances > 1) gangWaits.add(j.recordedWait);
        }
        return new SimulationResult.Figures(with.size(), round(work / (totalCpus * Math.max(1, to - from))), stats(w), stats(sd),
                gangWaits.size(), stats(toArray(gangWaits)));
    }

    private static double[] waits(List<SimJob> js) {
        double[] w = new double[js.size()];
        for (int i = 0; i < w.length; i++) w[i] = js.get(i).startedAt - js.get(i).submit;
        return w;
    }

    private static double[] slowdowns(List<SimJob> js) {
        double[] s = new double[js.size()];
        for (int i = 0; i < s.length; i++) s[i] = slowdown(js.get(i).startedAt - js.get(i).submit, js.get(i).duration);
        return s;
    }

    /** Bounded slowdown: {@code max(1, (wait + run) / max(run, τ))}. */
    static double slowdown(double wait, double run) {
        return Math.max(1, (wait + run) / Math.max(run, SLOWDOWN_TAU_S));
    }

    /** mean, p50, p90, p99. */
    private static Map<String, Double> stats(double[] v) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mean", round(mean(v)));
        m.put("p50", round(percentile(v, 50)));
        m.put("p90", round(percentile(v, 90)));
        m.put("p99", round(percentile(v, 99)));
        return m;
    }

    private static double[] toArray(List<Double> l) {
        double[] a = new double[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }

    private static double mean(List<Double> l) {
        return l.isEmpty() ? 0 : l.stream().mapToDouble(Double::doubleValue).sum() / l.size();
    }

    private static double mean(double[] v) {
        return v.length == 0 ? 0 : Arrays.stream(v).sum() / v.length;
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
