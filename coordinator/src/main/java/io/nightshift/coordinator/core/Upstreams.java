package io.nightshift.coordinator.core;

import io.nightshift.api.model.Job;
import io.nightshift.api.model.Run;
import io.nightshift.api.model.ScheduleState;
import io.nightshift.api.model.Task;
import io.nightshift.api.spec.DependencySpec;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import io.nightshift.coordinator.core.LiveJobs.LiveJob;
import io.nightshift.coordinator.lifecycle.TaskLifecycle;
import io.nightshift.coordinator.schedules.DependencyStep;
import io.nightshift.coordinator.schedules.DependencyStep.UpstreamRun;
import io.nightshift.coordinator.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shell of the dependency step. Each offer cycle, every live run that waits for its {@code after} jobs gets a
 * verdict from {@link DependencyStep} over the upstream jobs' newest runs (read from the working set, else the
 * store): GO offers its tasks to the scheduler in this same cycle, UPSTREAM_FAILED ends them unrun (stored with the
 * turn), WAIT leaves it. Nothing of the DAG lives only in memory: the edges are in the specs, the states in the
 * store, so a new leader decides the same. Core thread only.
 */
final class Upstreams {
    private static final Logger log = LoggerFactory.getLogger(Upstreams.class);
    /** At most this many of an upstream job's runs are read, newest first, looking for the same day's. */
    static final int MAX_RUNS_READ = 50;

    private final CoreLoop loop;
    private final StateStore store;
    private final LiveJobs jobs;
    /** Why each waiting job waits, for readers on other threads. */
    private final Map<String, String> why = new java.util.concurrent.ConcurrentHashMap<>();

    Upstreams(CoreLoop loop, StateStore store, LiveJobs jobs) {
        this.loop = loop;
        this.store = store;
        this.jobs = jobs;
    }

    /** Why the job's current run waits for its upstream jobs, or null. Any thread. */
    String why(String jobId) {
        return why.get(jobId);
    }

    void tick(Instant now) {
        why.keySet().removeIf(id -> { LiveJob lj = jobs.get(id); return lj == null || !lj.waitingUpstream; });
        for (LiveJob lj : List.copyOf(jobs.live.values())) {
            if (!lj.waitingUpstream || lj.run == null || lj.run.state().isTerminal() || lj.job.killRequested()) continue;
            JobSpec spec = lj.job.spec();
            Map<String, List<UpstreamRun>> runs = new HashMap<>();
            Map<String, ScheduleState> schedules = new HashMap<>();
            boolean scheduled = lj.run.scheduledFor() != null;
            for (DependencySpec d : spec.after()) {
                Optional<Job> up = jobOf(d.job());
                // an ended or killed upstream fires no more: its standing owes nothing
                up.filter(j -> !j.state().isTerminal() && !j.killRequested()).map(Job::schedule)
                        .ifPresent(s -> schedules.put(d.job(), s));
                // a scheduled run looks for the upstream's run of a firing due by its own time, not only the latest
                boolean deep = d.sameDay() || (scheduled && schedules.containsKey(d.job()));
                runs.put(d.job(), up.map(j -> runsOf(j, deep)).orElse(List.of()));
            }
            ZoneId zone = spec.schedule() != null && spec.schedule().cron() != null ? spec.schedule().zoneId() : ZoneId.of("UTC");
            Instant runTime = scheduled ? lj.run.scheduledFor() : lj.run.createdAt();
            DependencyStep.Verdict v = DependencyStep.decide(spec.after(), runTime, scheduled, zone, runs, schedules);
            switch (v.kind()) {
                case WAIT -> why.put(lj.job.id(), v.why());
                case GO -> {
                    lj.waitingUpstream = false;
                    why.remove(lj.job.id());
                    for (Task t : lj.tasks.values()) jobs.index(lj, t);
                    log.info("job {} run {}: its upstream runs ended as asked; its tasks are offered", lj.job.id(), lj.run.id());
                }
                case UPSTREAM_FAILED -> {
                    lj.waitingUpstream = false;
                    why.remove(lj.job.id());
                    log.info("job {} run {} UPSTREAM_FAILED: {}", lj.job.id(), lj.run.id(), v.why());
                    for (Task t : List.copyOf(lj.tasks.values())) {
                        if (t.state() == TaskState.PENDING)
                            jobs.apply(lj, new TaskLifecycle.Transition(t.withState(TaskState.KILLED, Reason.UPSTREAM_FAILED, null),
                                    true, List.of()));
                    }
                    jobs.refreshRun(lj, now);
                }
            }
        }
    }

    /** An upstream job as it stands: the working set's, else this turn's, else the store's. */
    private Optional<Job> jobOf(String jobId) {
        LiveJob live = jobs.get(jobId);
        return live != null ? Optional.of(live.job) : Optional.ofNullable(loop.batch().jobs.get(jobId)).or(() -> store.job(jobId));
    }

    /** An upstream job's runs, newest first (all of the last {@link #MAX_RUNS_READ} when deep, else the latest): the working set's current run, then the store's. */
    private List<UpstreamRun> runsOf(Job job, boolean deep) {
        LiveJob live = jobs.get(job.id());
        List<String> ids = job.runIds();
        List<UpstreamRun> out = new ArrayList<>();
        int limit = deep ? MAX_RUNS_READ : 1;
        for (int i = ids.size() - 1; i >= 0 && out.size() < limit; i--) {
            String id = ids.get(i);
            Run r = live != null && live.run != null && live.run.id().equals(id) ? live.run
                    : Optional.ofNullable(loop.batch().runs.get(id)).or(() -> store.run(id)).orElse(null);
            if (r == null) continue;
            out.add(new UpstreamRun(r.id(), r.scheduledFor() != null ? r.scheduledFor() : r.createdAt(), r.state()));
        }
        return out;
    }
}
