package io.nightshift.coordinator.core;

import io.micrometer.core.instrument.Counter;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.ScheduleState;
import io.nightshift.api.model.Task;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.ScheduleSpec;
import io.nightshift.coordinator.core.LiveJobs.LiveJob;
import io.nightshift.coordinator.lifecycle.TaskLifecycle;
import io.nightshift.coordinator.schedules.FireTimes;
import io.nightshift.coordinator.schedules.ScheduleStep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shell of the schedule step. At the start of each offer cycle it asks {@link ScheduleStep} what each live
 * scheduled job fires now and carries it out in the same turn: the job's new {@link ScheduleState} and the run a
 * firing opens are staged together, so they are stored before anything is launched or answered, and a new leader
 * starts from exactly what was decided. Also pause and resume. Core thread only.
 */
final class Firings {
    private static final Logger log = LoggerFactory.getLogger(Firings.class);

    private final CoreLoop loop;
    private final LiveJobs jobs;
    private final JobIntake intake;
    private final Counter fired;
    private final Counter skipped;
    /** Parsed schedules by job id and spec hash (a cron is parsed once, not every cycle). */
    private final Map<String, FireTimes> times = new HashMap<>();

    Firings(CoreLoop loop, LiveJobs jobs, JobIntake intake, Metrics metrics) {
        this.loop = loop;
        this.jobs = jobs;
        this.intake = intake;
        this.fired = Counter.builder("nightshift.schedule.firings").description("Scheduled times that opened a run")
                .register(metrics.registry());
        this.skipped = Counter.builder("nightshift.schedule.skipped")
                .description("Scheduled times dropped by a missed-run or concurrency policy").register(metrics.registry());
    }

    FireTimes times(Job job) {
        return times.computeIfAbsent(job.id() + "@" + job.specHash(), k -> FireTimes.of(job.spec().schedule()));
    }

    /** Fires what is due at {@code now}; returns the earliest next fire time of the live scheduled jobs (null if none). */
    Instant tick(Instant now) {
        Instant earliest = null;
        for (LiveJob lj : List.copyOf(jobs.live.values())) {
            ScheduleSpec spec = lj.job.spec().schedule();
            ScheduleState s = lj.job.schedule();
            if (spec == null || s == null || lj.job.killRequested()) continue;
            boolean going = runGoing(lj);
            boolean quiet = s.paused() || (s.owed().isEmpty() && (s.nextFireAt() == null || s.nextFireAt().isAfter(now)));
            if (!quiet || (!going && !s.owed().isEmpty())) decide(lj, spec, s, now, going);
            ScheduleState after = lj.job.schedule();
            if (jobs.live.containsKey(lj.job.id()) && !after.paused() && after.nextFireAt() != null
                    && (earliest == null || after.nextFireAt().isBefore(earliest))) {
                earliest = after.nextFireAt();
            }
        }
        return earliest;
    }

    private static boolean runGoing(LiveJob lj) {
        return lj.run != null && !lj.run.state().isTerminal();
    }

    private void decide(LiveJob lj, ScheduleSpec spec, ScheduleState s, Instant now, boolean going) {
        ScheduleStep.Decision d = ScheduleStep.decide(spec, times(lj.job), s, now, going);
        if (d.skipped() > 0) {
            skipped.increment(d.skipped());
            log.info("job {} schedule skipped {} scheduled time(s) ({} / {})", lj.job.id(), d.skipped(), spec.missed().wire(),
                    spec.concurrency().wire());
        }
        if (!d.state().equals(s)) {
            lj.job = lj.job.withSchedule(d.state(), now);
            loop.batch().job(lj.job);
        }
        if (d.replaceRunning()) {
            log.info("job {} run {} replaced by a newer firing: killing it", lj.job.id(), lj.run.id());
            for (Task t : List.copyOf(lj.tasks.values())) jobs.apply(lj, TaskLifecycle.onKillRequested(t, lj.job.spec(), now));
            jobs.refreshRun(lj, now);
        }
        if (d.start() != null) {
            intake.startRun(lj, now, d.start()); // the run and the job's new standing go in this same turn
            fired.increment();
            log.info("job {} fired for {}: run {}", lj.job.id(), d.start(), lj.run.id());
            loop.publish(now, "run", lj.run.id(), lj.job.id(), null, null, lj.run.state().name(), null, null);
        } else if (d.exhausted() && !going) {
            jobs.refreshRun(lj, now); // an 'at' that has run (or was skipped): the job ends
        }
    }

    /** A paused schedule fires nothing; resuming skips the times that passed meanwhile. Empty when there is no such live job. */
    java.util.Optional<Job> pause(String jobId, boolean pause) {
        LiveJob lj = jobs.get(jobId);
        if (lj == null || lj.job.schedule() == null) return java.util.Optional.empty();
        Instant now = loop.clock().instant();
        ScheduleState s = lj.job.schedule();
        ScheduleState next = pause ? ScheduleStep.pause(s) : ScheduleStep.resume(s, times(lj.job), now);
        if (s.paused() != pause) {
            lj.job = lj.job.withSchedule(next, now);
            loop.batch().job(lj.job);
            loop.publish(now, "job", jobId, jobId, null, null, pause ? "PAUSED" : "RESUMED", null, null);
            log.info("job {} schedule {}", jobId, pause ? "paused" : "resumed; next fire at " + next.nextFireAt());
        }
        return java.util.Optional.of(lj.job);
    }

    /** The standing of a newly submitted scheduled job. */
    ScheduleState initial(Job job) {
        JobSpec spec = job.spec();
        return ScheduleStep.initial(spec.schedule(), times(job), job.submittedAt());
    }
}
