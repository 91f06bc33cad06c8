package io.nightshift.coordinator.simulation;

import io.nightshift.coordinator.scheduling.DeadlineAdmission;
import io.nightshift.coordinator.scheduling.DeadlineAdmission.Decision;
import io.nightshift.coordinator.scheduling.DeadlineAdmission.Estimate;
import io.nightshift.coordinator.scheduling.DeadlineAdmission.Verdict;
import io.nightshift.coordinator.scheduling.DeadlineAdmission.Work;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * The diurnal scenario's nightly pipelines: each night, {@code perNight} DAGs of four jobs (extract → transform →
 * load and report) are submitted from 22:00 (users' time), one every {@link #STAGGER}, each with the deadline 06:00
 * the next morning, in queue {@link #QUEUE} at priority {@link #PRIORITY}, not revocable. Each is admitted at submit
 * through {@link DeadlineAdmission} as the coordinator admits a job: the p90 of the last 50 successful runtimes of the
 * job's name (a job keeps its name from night to night), else its {@code expectedRuntime} (1.25 × its usual time);
 * a dependant is admitted from its upstreams' expected end. The DAG's verdict is its worst job's; a refused DAG is not
 * run (deadlinePolicy refuse). While it runs, the coordinator's early warning ({@link DeadlineAdmission#standing}) is
 * asked every cycle for each of its jobs not yet ended; the DAG's warning is its first {@code at-risk}.
 *
 * <p>A job's runtime on a night is its usual time ±15 %, and on {@link #HEAVY} of the nights 2-3 times that (a day
 * of unusual data). Pure of the scheduling: the scenario starts and ends the jobs and tells this class.
 */
final class NightlyDags {
    static final String QUEUE = "nightly";
    static final int PRIORITY = 5;
    static final Duration STAGGER = Duration.ofMinutes(30);
    static final LocalTime SUBMIT = LocalTime.of(22, 0);
    static final LocalTime DEADLINE = LocalTime.of(6, 0);
    static final double HEAVY = 0.03;

    /** One job of a pipeline: its name's last part, cpus, usual runtime, and the jobs it waits for. */
    record Shape(String job, double cpus, double usualSeconds, List<String> after) {
    }

    /** A pipeline's four jobs, in dependency order, with usual runtimes drawn from {@code r}. */
    static List<Shape> shapes(Random r) {
        return List.of(new Shape("extract", 2, 1800 + r.nextDouble() * 1200, List.of()),
                new Shape("transform", 4, 3600 + r.nextDouble() * 1800, List.of("extract")),
                new Shape("load", 2, 1200 + r.nextDouble() * 1200, List.of("transform")),
                new Shape("report", 1, 600 + r.nextDouble() * 600, List.of("transform")));
    }

    /** A night's run of one job. */
    static final class Job {
        final String id;
        final String name;
        final Shape shape;
        final Dag dag;
        final double seconds;
        Instant startedAt;
        Instant endedAt;

        Job(String id, String name, Shape shape, Dag dag, double seconds) {
            this.id = id;
            this.name = name;
            this.shape = shape;
            this.dag = dag;
            this.seconds = seconds;
        }
    }

    /** A night's run of one pipeline. */
    static final class Dag {
        final String id;
        final Instant submitAt;
        final Instant deadline;
        final List<Job> jobs = new ArrayList<>();
        Verdict verdict;
        Instant warnedAt;

        Dag(String id, Instant submitAt, Instant deadline) {
            this.id = id;
            this.submitAt = submitAt;
            this.deadline = deadline;
        }

        Instant end() {
            Instant end = null;
            for (Job j : jobs) {
                if (j.endedAt == null) return null;
                if (end == null || j.endedAt.isAfter(end)) end = j.endedAt;
            }
            return end;
        }

        boolean met() {
            Instant end = end();
            return end != null && !end.isAfter(deadline);
        }
    }

    /**
     * The week's deadline figures: DAGs submitted and their verdicts; of the admitted, how many met their deadline and
     * the ratio (the target: at least 0.99); of those accepted at risk, how many met it; missed DAGs and how many of them
     * were warned before their deadline; warned DAGs (and how many met it anyway), and the warnings' lead time before
     * the deadline (p50 and min, seconds; 0 when none was warned).
     */
    record Figures(int dags, int admitted, int atRisk, int refused, int admittedMet, double admittedMetRatio, int atRiskMet,
                   int missed, int missedWarned, int warned, int warnedButMet, double leadP50Seconds, double leadMinSeconds) {
    }

    final List<Dag> schedule = new ArrayList<>();
    private int next;
    /** Jobs of accepted DAGs not yet ended, by id. */
    final Map<String, Job> live = new LinkedHashMap<>();
    private final Map<String, ArrayDeque<Duration>> history = new HashMap<>();

    /** The nights from {@code start} to {@code end} whose deadline falls inside it, {@code perNight} DAGs each. */
    NightlyDags(int perNight, Instant start, Instant end, long seed, ZoneId zone) {
        Random r = new Random(seed + 2);
        List<List<Shape>> pipelines = new ArrayList<>();
        for (int i = 0; i < perNight; i++) pipelines.add(shapes(r));
        LocalDate first = start.atZone(zone).toLocalDate();
        for (LocalDate day = first; day.atTime(SUBMIT).atZone(zone).toInstant().isBefore(end); day = day.plusDays(1)) {
            Instant deadline = day.plusDays(1).atTime(DEADLINE).atZone(zone).toInstant();
            for (int i = 0; i < perNight; i++) {
                Instant submit = day.atTime(SUBMIT).atZone(zone).toInstant().plus(STAGGER.multipliedBy(i));
                if (deadline.isAfter(end) || submit.isBefore(start)) continue;
                Dag dag = new Dag("dag%d-%s".formatted(i, day), submit, deadline);
                for (Shape s : pipelines.get(i)) {
                    double seconds = s.usualSeconds() * (1 + 0.15 * (r.nextDouble() * 2 - 1));
                    if (r.nextDouble() < HEAVY) seconds *= 2 + r.nextDouble();
                    String name = "dag%d-%s".formatted(i, s.job());
                    dag.jobs.add(new Job(dag.id + "-" + s.job(), name, s, dag, seconds));
                }
                schedule.add(dag);
            }
        }
        schedule.sort(Comparator.comparing(d -> d.submitAt));
    }

    /** The runtime estimate of a job of name {@code name}: p90 of its history, else 1.25 × its usual time. */
    Estimate estimate(String name, Shape s) {
        ArrayDeque<Duration> h = history.get(name);
        return DeadlineAdmission.estimate(h == null ? List.of() : List.copyOf(h),
                Duration.ofSeconds(Math.round(s.usualSeconds() * 1.25)), null);
    }

    /**
     * Admits the DAGs due by {@code now}, given {@code idleCpus} forecast for work of their priority; returns the jobs of
     * accepted DAGs that wait for nobody (to be queued now).
     */
    List<Job> due(Instant now, double idleCpus) {
        List<Job> ready = new ArrayList<>();
        while (next < schedule.size() && !schedule.get(next).submitAt.isAfter(now)) {
            Dag dag = schedule.get(next++);
            List<Work> ahead = new ArrayList<>();
            for (Job j : live.values()) {
                Duration est = estimate(j.name, j.shape).runtime();
                Duration remaining = j.startedAt == null ? est : est.minus(Duration.between(j.startedAt, now));
                ahead.add(new Work(PRIORITY, j.dag.deadline, j.shape.cpus(), remaining.isNegative() ? Duration.ZERO : remaining));
            }
            Map<String, Job> byJob = new HashMap<>();
            for (Job j : dag.jobs) byJob.put(j.shape.job(), j);
            Map<String, Decision> decisions = admitAlong(dag.jobs.stream().map(j -> j.shape).toList(), now, dag.deadline,
                    s -> estimate(byJob.get(s.job()).name, s), ahead, at -> idleCpus);
            dag.verdict = worst(decisions.values());
            if (dag.verdict == Verdict.REFUSED) continue;
            for (Job j : dag.jobs) {
                live.put(j.id, j);
                if (j.shape.after().isEmpty()) ready.add(j);
            }
        }
        return ready;
    }

    /**
     * Admits a pipeline's {@code jobs} (in dependency order) at {@code now}: each through
     * {@link DeadlineAdmission#decide}, a job with upstreams from the latest of their expected ends (refused when one of
     * them has none), behind the {@code ahead} work of other DAGs. By job.
     */
    static Map<String, Decision> admitAlong(List<Shape> jobs, Instant now, Instant deadline, Function<Shape, Estimate> estimate,
                                            List<Work> ahead, DeadlineAdmission.IdleCpus idle) {
        Map<String, Decision> out = new LinkedHashMap<>();
        for (Shape s : jobs) {
            Estimate e = estimate.apply(s);
            Instant from = now;
            String blocked = null;
            for (String u : s.after()) {
                Decision d = out.get(u);
                if (d == null || d.expectedEnd() == null) {
                    blocked = u;
                    break;
                }
                if (d.expectedEnd().isAfter(from)) from = d.expectedEnd();
            }
            out.put(s.job(), blocked != null
                    ? new Decision(Verdict.REFUSED, deadline, e.runtime(), e.basis(), e.runs(), 0, null, null,
                            "its upstream " + blocked + " is not expected to end before the deadline")
                    : DeadlineAdmission.decide(from, PRIORITY, deadline, s.cpus(), e, ahead, idle));
        }
        return out;
    }

    /** Refused if any is, else at risk if any is, else admitted. */
    static Verdict worst(Iterable<Decision> decisions) {
        Verdict v = Verdict.ADMITTED;
        for (Decision d : decisions) {
            if (d.verdict() == Verdict.REFUSED) return Verdict.REFUSED;
            if (d.verdict() == Verdict.AT_RISK) v = Verdict.AT_RISK;
        }
        return v;
    }

    /** The job {@code id} started (its first start counts, as the coordinator's). */
    void started(String id, Instant now) {
        Job j = live.get(id);
        if (j != null && j.startedAt == null) j.startedAt = now;
    }

    /**
     * The job {@code id} succeeded at {@code now}: its runtime (first start to now) joins its name's history (the last
     * {@link DeadlineAdmission#HISTORY}); returns the jobs of its DAG that now wait for nobody.
     */
    List<Job> ended(String id, Instant now) {
        Job j = live.remove(id);
        if (j == null) return List.of();
        j.endedAt = now;
        ArrayDeque<Duration> h = history.computeIfAbsent(j.name, k -> new ArrayDeque<>());
        h.addLast(Duration.between(j.startedAt == null ? now : j.startedAt, now));
        while (h.size() > DeadlineAdmission.HISTORY) h.removeFirst();
        List<Job> ready = new ArrayList<>();
        for (Job d : j.dag.jobs) {
            if (d.endedAt != null || d.startedAt != null || !d.shape.after().contains(j.shape.job())) continue;
            boolean all = true;
            for (Job u : j.dag.jobs) if (d.shape.after().contains(u.shape.job()) && u.endedAt == null) all = false;
            if (all) ready.add(d);
        }
        return ready;
    }

    /** The early warning at {@code now}: a DAG is warned the first time one of its live jobs stands at risk. */
    void watch(Instant now) {
        for (Job j : live.values()) {
            if (j.dag.warnedAt != null) continue;
            DeadlineAdmission.Standing s = DeadlineAdmission.standing(now, j.dag.deadline, estimate(j.name, j.shape).runtime(),
                    j.startedAt);
            if (s == DeadlineAdmission.Standing.AT_RISK) j.dag.warnedAt = now;
        }
    }

    /** The figures over the DAGs submitted so far. */
    Figures figures() {
        return summarize(schedule.subList(0, next));
    }

    static Figures summarize(List<Dag> dags) {
        int admitted = 0, atRisk = 0, refused = 0, admittedMet = 0, atRiskMet = 0, missed = 0, missedWarned = 0, warned = 0,
                warnedButMet = 0;
        List<Double> leads = new ArrayList<>();
        for (Dag d : dags) {
            if (d.verdict == Verdict.REFUSED) {
                refused++;
                continue;
            }
            boolean met = d.met();
            if (d.verdict == Verdict.ADMITTED) {
                admitted++;
                if (met) admittedMet++;
            } else {
                atRisk++;
                if (met) atRiskMet++;
            }
            boolean warnedBefore = d.warnedAt != null && d.warnedAt.isBefore(d.deadline);
            if (!met) {
                missed++;
                if (warnedBefore) missedWarned++;
            }
            if (warnedBefore) {
                warned++;
                if (met) warnedButMet++;
                leads.add((double) Duration.between(d.warnedAt, d.deadline).toSeconds());
            }
        }
        double[] l = leads.stream().mapToDouble(Double::doubleValue).toArray();
        double min = l.length == 0 ? 0 : java.util.Arrays.stream(l).min().orElse(0);
        return new Figures(dags.size(), admitted, atRisk, refused, admittedMet,
                admitted == 0 ? 0 : Math.round(10_000d * admittedMet / admitted) / 10_000d, atRiskMet, missed, missedWarned, warned,
                warnedButMet, Simulator.percentile(l, 50), min);
    }
}
