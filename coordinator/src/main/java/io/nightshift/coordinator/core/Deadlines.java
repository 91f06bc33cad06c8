package io.nightshift.coordinator.core;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nightshift.api.model.Admission;
import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.Run;
import io.nightshift.api.model.Task;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.JobState;
import io.nightshift.coordinator.core.LiveJobs.LiveJob;
import io.nightshift.coordinator.scheduling.AgentSlot;
import io.nightshift.coordinator.scheduling.DeadlineAdmission;
import io.nightshift.coordinator.scheduling.DeadlineAdmission.Decision;
import io.nightshift.coordinator.scheduling.DeadlineAdmission.Estimate;
import io.nightshift.coordinator.scheduling.PendingTask;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shell around {@link DeadlineAdmission}: the runtimes of successful runs by job name (a nightly job submitted
 * anew each night under a new id keeps its history through its name), the admission of a job with a deadline at
 * submit from that history, the queued work and the idle cpus, and the count of runs that met or missed their
 * deadline. Core thread only, except the meters. The history is durable (V25, {@code nightshift.runtimes}): the turn
 * that ends a successful run stores its name's last {@link DeadlineAdmission#HISTORY} runtimes, and a new leader
 * {@link #recover}s them, so a restart or a failover admits from the same p90 as before.
 */
final class Deadlines {
    private static final Logger log = LoggerFactory.getLogger(Deadlines.class);

    private final Map<String, ArrayDeque<Sample>> runtimes = new HashMap<>();
    private final MeterRegistry registry;
    private final Map<String, Counter> admissions = new ConcurrentHashMap<>();
    private final Counter met;
    private final Counter missed;

    /** Where each live run with a deadline last stood (by run id), for the early warning. */
    private final Map<String, DeadlineAdmission.Standing> standings = new HashMap<>();
    private volatile int atRisk;
    private final CoreLoop loop;

    Deadlines(MeterRegistry registry, CoreLoop loop) {
        this.loop = loop;
        this.registry = registry;
        io.micrometer.core.instrument.Gauge.builder("nightshift.deadline.at.risk", this, d -> d.atRisk)
                .description("Live runs expected to miss their deadline (now + remaining estimate past it)").register(registry);
        this.met = Counter.builder("nightshift.deadline.met").description("Runs with a deadline that succeeded by it")
                .register(registry);
        this.missed = Counter.builder("nightshift.deadline.missed")
                .description("Runs with a deadline that ended after it, or ended in time without succeeding").register(registry);
    }

    /** One successful run's runtime, in whole milliseconds (as stored): which run, when it ended, how long it took. */
    record Sample(String run, Instant endedAt, double seconds) {
        Duration runtime() {
            return Duration.ofMillis(Math.round(seconds * 1000));
        }
    }

    /** A job name's runtime history as stored (ns_runtimes, V25): oldest first, at most {@link DeadlineAdmission#HISTORY}. */
    record Stored(int v, String id, List<Sample> runs) {
    }

    /** The successful runtimes of jobs named {@code name}, oldest first (at most {@link DeadlineAdmission#HISTORY}). */
    List<Duration> history(String name) {
        ArrayDeque<Sample> d = runtimes.get(name);
        return d == null ? List.of() : d.stream().map(Sample::runtime).toList();
    }

    /**
     * Replaces the history with the stored one ({@link io.nightshift.coordinator.state.StateStore#runtimes}), at
     * leadership. A document that cannot be read is skipped with a warning: its name's history is learnt again.
     */
    void recover(Map<String, String> stored) {
        runtimes.clear();
        int runs = 0;
        for (Map.Entry<String, String> e : stored.entrySet()) {
            try {
                Stored h = io.nightshift.api.json.Json.read(e.getValue(), Stored.class);
                ArrayDeque<Sample> d = new ArrayDeque<>(h.runs() == null ? List.of() : h.runs());
                while (d.size() > DeadlineAdmission.HISTORY) d.removeFirst();
                if (!d.isEmpty()) runtimes.put(e.getKey(), d);
                runs += d.size();
            } catch (RuntimeException bad) {
                log.warn("job name {}: stored runtime history not restored ({}); it is learnt again", e.getKey(), bad.getMessage());
            }
        }
        if (!runtimes.isEmpty()) log.info("recovered the runtime history of {} job names ({} runs)", runtimes.size(), runs);
    }

    /** Adds a successful run's runtime to its name's history (once per run) and stores the history in this turn. */
    void record(String name, String runId, Instant endedAt, Duration runtime) {
        ArrayDeque<Sample> d = runtimes.computeIfAbsent(name, k -> new ArrayDeque<>());
        for (Sample s : d) if (s.run().equals(runId)) return; // a run ends once; a second report of it adds nothing
        d.addLast(new Sample(runId, endedAt, runtime.toMillis() / 1000.0));
        while (d.size() > DeadlineAdmission.HISTORY) d.removeFirst();
        loop.batch().runtimes(name, io.nightshift.api.json.Json.write(new Stored(1, name, List.copyOf(d))));
    }

    Estimate estimate(JobSpec spec) {
        return DeadlineAdmission.estimate(history(spec.name()), spec.expectedRuntime(), spec.maxRuntime());
    }

    /** A run's deadline: the spec's, resolved from the run's scheduled time (or its creation); null without one. */
    static Instant deadlineOf(JobSpec spec, Run run) {
        return spec.deadlineFor(run.scheduledFor() != null ? run.scheduledFor() : run.createdAt());
    }

    /**
     * The admission of {@code spec} (which has a deadline) due to start at {@code from} (now, or its first firing), behind
     * the tasks {@code pending}; {@code jobSpecs} finds a pending task's or running attempt's spec. The idle cpus are now's,
     * plus what the {@code running} attempts hand back when they are expected to end (start + their job's estimate), for
     * the current hour; after it, the pools' hour-of-week {@code forecast} ({@link #forecast}). Counted by verdict.
     */
    Admission admit(JobSpec spec, Instant now, Instant from, Collection<PendingTask> pending,
                    Collection<LiveJobs.ActiveAttempt> running, java.util.function.Function<String, JobSpec> jobSpecs,
                    Supplier<List<AgentSlot>> slots, io.nightshift.coordinator.pools.CapacityForecast forecast,
                    Supplier<List<String>> pools) {
        Instant deadline = spec.deadlineFor(from);
        // one estimate per job, not per task: a job's tasks share it, and each estimate sorts the name's history
        Map<String, Optional<Duration>> runtimeOf = new HashMap<>();
        java.util.function.Function<String, Duration> runtime = jobId -> runtimeOf.computeIfAbsent(jobId, id -> {
            JobSpec other = jobSpecs.apply(id);
            return Optional.ofNullable(other == null ? null : estimate(other).runtime());
        }).orElse(null);
        List<DeadlineAdmission.Work> ahead = new ArrayList<>();
        for (PendingTask t : pending) {
            Duration d = runtime.apply(t.jobId());
            if (d != null) ahead.add(new DeadlineAdmission.Work(t.priority(), t.deadline(), t.resources().cpus(), d));
        }
        double idle = 0;
        for (AgentSlot s : slots.get()) idle += s.free().cpus();
        double idleNow = idle;
        List<Release> releases = new ArrayList<>();
        for (LiveJobs.ActiveAttempt r : running) {
            Duration d = runtime.apply(r.jobId());
            if (d == null || r.startedAt() == null) continue; // no idea when it ends: it keeps its cpus
            Instant end = r.startedAt().plus(d);
            releases.add(new Release(end.isBefore(now) ? now : end, r.resources().cpus()));
        }
        Decision d = DeadlineAdmission.decide(from.isAfter(now) ? from : now, spec.priority(), deadline,
                spec.resources().cpus() * spec.instances(), estimate(spec), ahead, forecast(now, idleNow, releases, forecast, pools.get()));
        String verdict = d.verdict().wire();
        String reason = d.reason();
        if (d.verdict() == DeadlineAdmission.Verdict.REFUSED && spec.deadlinePolicyOrDefault() == io.nightshift.api.spec.DeadlinePolicy.WARN) {
            verdict = Admission.AT_RISK;
            reason = reason + " (accepted: deadlinePolicy warn)";
        }
        admissions.computeIfAbsent(verdict, v -> Counter.builder("nightshift.deadline.admissions").tag("verdict", v)
                .description("Deadline admissions at submit, by verdict").register(registry)).increment();
        return new Admission(verdict, deadline, d.estimate(), d.basis().wire(), d.historyRuns(), d.aheadCpuSeconds(), idleNow,
                d.expectedStart(), d.expectedEnd(), reason, now);
    }

    /**
     * The early warning, each cycle: every live run with a deadline that has not ended is placed as on track, at risk or
     * missed ({@link DeadlineAdmission#standing}); a run that becomes at risk or missed is a {@code deadline} event
     * (state {@code AT_RISK} / {@code MISSED}) and a log line, once per change.
     */
    void watch(Collection<LiveJob> live, Instant now) {
        int risky = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (LiveJob lj : live) {
            if (lj.run == null || lj.run.state().isTerminal()) continue;
            JobSpec spec = lj.job.spec();
            Instant deadline = deadlineOf(spec, lj.run);
            if (deadline == null) continue;
            DeadlineAdmission.Standing s = DeadlineAdmission.standing(now, deadline, estimate(spec).runtime(), started(lj));
            seen.add(lj.run.id());
            if (s == DeadlineAdmission.Standing.AT_RISK) risky++;
            DeadlineAdmission.Standing before = standings.put(lj.run.id(), s);
            if (s != before && s != DeadlineAdmission.Standing.ON_TRACK) {
                loop.publish(now, "deadline", lj.run.id(), lj.job.id(), null, null, s.name(), null, null);
                log.warn("job {} run {} deadline {} {}", lj.job.id(), lj.run.id(), deadline, s.wire());
            }
        }
        standings.keySet().retainAll(seen);
        atRisk = risky;
    }

    /** When the run's first attempt started (or was launched); null while none has. */
    private static Instant started(LiveJob lj) {
        Instant started = null;
        for (Task t : lj.tasks.values()) {
            for (Attempt a : t.attempts()) {
                Instant s = a.startedAt() != null ? a.startedAt() : a.launchedAt();
                if (s != null && (started == null || s.isBefore(started))) started = s;
            }
        }
        return started;
    }

    /**
     * Idle cpus at a moment: {@code idleNow} plus the {@code releases} due by then until the end of the current hour, then
     * the sum of the pools' hour-of-week
     * forecasts (the pools never observed at that hour count as their share of now: nothing is known of them), or
     * {@code idleNow} plus the releases when no pool has been observed at that hour.
     */
    static DeadlineAdmission.IdleCpus forecast(Instant now, double idleNow, List<Release> releases,
                                               io.nightshift.coordinator.pools.CapacityForecast forecast, List<String> pools) {
        Instant hourEnd = now.truncatedTo(java.time.temporal.ChronoUnit.HOURS).plus(Duration.ofHours(1));
        return at -> {
            double released = 0;
            for (Release r : releases) if (!r.at().isAfter(at)) released += r.cpus();
            if (at.isBefore(hourEnd) || pools.isEmpty()) return idleNow + released;
            double sum = 0;
            boolean known = false;
            for (String p : pools) {
                java.util.Optional<io.nightshift.api.Resources> r = forecast.idleAt(p, at);
                if (r.isPresent()) {
                    sum += r.get().cpus();
                    known = true;
                }
            }
            return known ? sum : idleNow + released;
        };
    }

    /** Running work handing back {@code cpus} at {@code at}. */
    record Release(Instant at, double cpus) {
    }

    /**
     * A run of {@code lj} ended as {@code state} at {@code now}: a success adds its runtime (first attempt start to now)
     * to the name's history; a run with a deadline counts as met or missed.
     */
    void runEnded(LiveJob lj, JobState state, Instant now) {
        JobSpec spec = lj.job.spec();
        DeadlineAdmission.Standing last = standings.remove(lj.run.id());
        if (state == JobState.SUCCEEDED) {
            Instant started = started(lj);
            if (started != null) record(spec.name(), lj.run.id(), now, Duration.between(started, now));
        }
        Instant deadline = deadlineOf(spec, lj.run);
        if (deadline == null || lj.job.killRequested()) return; // a run its user killed neither met nor missed
        boolean inTime = state == JobState.SUCCEEDED && !now.isAfter(deadline);
        (inTime ? met : missed).increment();
        if (inTime || last != DeadlineAdmission.Standing.MISSED) // a miss the watcher announced is not announced twice
            loop.publish(now, "deadline", lj.run.id(), lj.job.id(), null, null, inTime ? "MET" : "MISSED", null, null);
        log.info("job {} run {} deadline {} {} ({})", lj.job.id(), lj.run.id(), deadline, inTime ? "met" : "missed", state);
    }
}
