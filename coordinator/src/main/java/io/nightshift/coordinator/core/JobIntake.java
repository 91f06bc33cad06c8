package io.nightshift.coordinator.core;

import io.nightshift.api.model.Job;
import io.nightshift.api.model.Run;
import io.nightshift.api.model.Task;
import io.nightshift.api.spec.InvalidSpecException;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.JobSpecParser;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.TaskState;
import io.nightshift.coordinator.core.LiveJobs.LiveJob;
import io.nightshift.coordinator.lifecycle.TaskLifecycle;
import io.nightshift.coordinator.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Jobs coming in and going out by request: submit (idempotent on the job id or the idempotency key,
 * stored before the answer), the start of a job's next run (runs are numbered 1..n), and kill. Core
 * thread only.
 */
final class JobIntake {
    private static final Logger log = LoggerFactory.getLogger(JobIntake.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private final CoreLoop loop;
    private final StateStore store;
    private final LiveJobs jobs;
    private final QueueAdmin queues;
    private final Metrics metrics;
    private final Runnable requestCycle;

    JobIntake(CoreLoop loop, StateStore store, LiveJobs jobs, QueueAdmin queues, Metrics metrics, Runnable requestCycle) {
        this.loop = loop;
        this.store = store;
        this.jobs = jobs;
        this.queues = queues;
        this.metrics = metrics;
        this.requestCycle = requestCycle;
    }

    private int maxQueued = Integer.MAX_VALUE;

    /** Most QUEUED jobs one queue may hold; a new job over it is refused ({@link SchedulerCore.QueueFullException}). */
    void maxQueued(int cap) {
        this.maxQueued = cap;
    }

    /** Jobs of {@code queue} waiting to run (QUEUED), counted up to {@code limit}. */
    private int queued(String queue, int limit) {
        int n = 0;
        for (LiveJob lj : jobs.live.values()) {
            if (lj.job.state() == JobState.QUEUED && lj.job.spec().queue().equals(queue) && ++n >= limit) break;
        }
        return n;
    }

    /** A job as this turn sees it: staged, live, or stored. */
    Optional<Job> readJob(String id) {
        Job staged = loop.batch().jobs.get(id);
        if (staged != null) return Optional.of(staged);
        LiveJob lj = jobs.get(id);
        return lj != null ? Optional.of(lj.job) : store.job(id);
    }

    SchedulerCore.SubmitResult submit(JobSpec spec, String key, String owner) {
        if (!queues.exists(spec.queue()))
            throw new InvalidSpecException("/queue", "unknown queue '" + spec.queue()
                    + "'; known queues: " + String.join(", ", queues.names()));
        String hash = JobSpecParser.canonicalHash(spec);
        if (!spec.after().isEmpty()) refuseCycle(spec);
        if (spec.id() != null) {
            Optional<Job> existing = readJob(spec.id());
            if (existing.isPresent()) return same(existing.get(), hash, "job '" + spec.id() + "'");
        }
        String id = spec.id();
        if (key != null) {
            Optional<String> bound = Optional.ofNullable(loop.batch().keys.get(key)).or(() -> store.jobIdForKey(key));
            if (bound.isPresent()) {
                Optional<Job> existing = readJob(bound.get());
                if (existing.isPresent()) return same(existing.get(), hash, "idempotency key '" + key + "'");
                if (id == null) id = bound.get(); // bound but not stored: a crash between the two writes
            }
        }
        if (queued(spec.queue(), maxQueued) >= maxQueued)
            throw new SchedulerCore.QueueFullException("queue '%s' holds its cap of %d waiting jobs (coordinator.queue.max-queued); "
                    .formatted(spec.queue(), maxQueued) + "retry once some have started");
        Instant now = loop.clock().instant();
        io.nightshift.api.model.Admission admission = admit(spec, now); // refused: nothing is staged yet
        if (id == null) id = newJobId();
        if (key != null) loop.batch().key(key, id);
        JobSpec withId = spec.id() == null ? spec.withId(id) : spec;
        LiveJob lj = new LiveJob();
        lj.job = new Job(Job.SCHEMA_VERSION, id, withId, hash, key, JobState.QUEUED, null, false, now, now, null, List.of(), owner)
                .withAdmission(admission);
        if (withId.schedule() == null) {
            startRun(lj, now, null);
        } else { // no run yet: the schedule step opens one per firing
            lj.job = lj.job.withSchedule(io.nightshift.coordinator.schedules.ScheduleStep.initial(withId.schedule(),
                    io.nightshift.coordinator.schedules.FireTimes.of(withId.schedule()), now), now);
            loop.batch().job(lj.job);
        }
        jobs.live.put(id, lj);
        metrics.jobsSubmitted.increment();
        loop.publish(now, "job", id, id, null, null, JobState.QUEUED.name(), null, null);
        log.info("job {} accepted: type={} queue={} instances={}{}{}", id, withId.type().wire(), withId.queue(), withId.instances(),
                lj.job.schedule() == null ? "" : " next fire at " + lj.job.schedule().nextFireAt(),
                admission == null ? "" : " deadline " + admission.verdict() + ": " + admission.reason());
        requestCycle.run();
        return new SchedulerCore.SubmitResult(lj.job, true);
    }

    private Deadlines deadlines;
    private java.util.function.Supplier<List<io.nightshift.coordinator.scheduling.AgentSlot>> slots;

    private io.nightshift.coordinator.pools.CapacityForecast forecast = (pool, at) -> Optional.empty();
    private java.util.function.Supplier<List<String>> poolNames = List::of;

    void deadlines(Deadlines d, java.util.function.Supplier<List<io.nightshift.coordinator.scheduling.AgentSlot>> agentSlots,
                   io.nightshift.coordinator.pools.CapacityForecast capacity, java.util.function.Supplier<List<String>> pools) {
        this.deadlines = d;
        this.slots = agentSlots;
        this.forecast = capacity;
        this.poolNames = pools;
    }

    /**
     * The deadline admission of a new job (null without a deadline); a refusal under {@code deadlinePolicy: refuse} is a
     * {@link SchedulerCore.DeadlineRefusedException}, thrown before anything of the job is staged.
     */
    private io.nightshift.api.model.Admission admit(JobSpec spec, Instant now) {
        if (deadlines == null || (spec.deadline() == null && spec.deadlineTime() == null)) return null;
        Instant from = now;
        if (spec.schedule() != null) {
            Instant first = io.nightshift.coordinator.schedules.FireTimes.of(spec.schedule()).next(now);
            if (first != null) from = first;
        }
        io.nightshift.api.model.Admission a = deadlines.admit(spec, now, from, jobs.pending.values(), jobs.active.values(),
                jobId -> { LiveJob other = jobs.get(jobId); return other == null ? null : other.job.spec(); }, slots, forecast,
                poolNames);
        if (a.verdict().equals(io.nightshift.api.model.Admission.REFUSED)) {
            log.info("job {} refused: deadline {}: {}", spec.id() == null ? "(no id)" : spec.id(), a.deadline(), a.reason());
            throw new SchedulerCore.DeadlineRefusedException(a);
        }
        return a;
    }

    /**
     * Starts the job's next run (number {@code runIds().size() + 1}) with all its instances PENDING, and
     * makes it the job's current run. Staged with the turn, so it is stored before anyone hears of it.
     * {@code scheduledFor}: the scheduled time of the firing that opens it (null for a job without a schedule).
     */
    void startRun(LiveJob lj, Instant now, Instant scheduledFor) {
        int number = lj.job.runIds().size() + 1;
        String runId = Run.idOf(lj.job.id(), number);
        JobSpec spec = lj.job.spec();
        List<String> taskIds = new ArrayList<>(spec.instances());
        lj.tasks.clear();
        lj.waitingUpstream = !spec.after().isEmpty(); // its tasks are offered once its upstream runs have ended as asked
        for (int i = 0; i < spec.instances(); i++) {
            Task t = new Task(Task.SCHEMA_VERSION, Task.idOf(runId, i), lj.job.id(), runId, i, TaskState.PENDING, null, now,
                    null, List.of());
            taskIds.add(t.id());
            lj.tasks.put(t.id(), t);
        }
        lj.run = new Run(Run.SCHEMA_VERSION, runId, lj.job.id(), number, JobState.QUEUED, now, null, taskIds, scheduledFor);
        List<String> runIds = new ArrayList<>(lj.job.runIds());
        runIds.add(runId);
        lj.job = lj.job.withRunIds(runIds, now);
        for (Task t : lj.tasks.values()) loop.batch().task(t);
        loop.batch().run(lj.run);
        loop.batch().job(lj.job); // stored with the turn, before the client hears 201
        for (Task t : lj.tasks.values()) jobs.index(lj, t);
    }

    /** A job whose {@code after} would close a cycle through the jobs already known is refused, naming the cycle. */
    private void refuseCycle(JobSpec spec) {
        if (spec.id() == null) return; // a new generated id: no known job can wait for it
        String cycle = io.nightshift.coordinator.schedules.DependencyStep.cycle(spec.id(),
                spec.after().stream().map(io.nightshift.api.spec.DependencySpec::job).toList(),
                id -> readJob(id).map(j -> j.spec().after().stream().map(io.nightshift.api.spec.DependencySpec::job).toList())
                        .orElse(List.of()));
        if (cycle != null) throw new InvalidSpecException("/after", "would close a cycle: " + cycle);
    }

    private static SchedulerCore.SubmitResult same(Job existing, String hash, String what) {
        if (existing.specHash().equals(hash)) return new SchedulerCore.SubmitResult(existing, false);
        throw new SchedulerCore.ConflictException(what + " already exists with a different spec");
    }

    private String newJobId() {
        while (true) {
            StringBuilder sb = new StringBuilder("job-");
            for (int i = 0; i < 10; i++) sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
            if (readJob(sb.toString()).isEmpty()) return sb.toString();
        }
    }

    /**
     * Sets the instances of a running {@code stream} kafka job to {@code n}: new instances start PENDING (an instance
     * scaled down before comes back PENDING), instances {@code n} and above are stopped cleanly (SIGTERM: commit,
     * leave the group) and end KILLED / SCALED_DOWN. Empty when the job is unknown; a job that cannot be scaled is a
     * {@link SchedulerCore.ConflictException}.
     */
    Optional<Job> scale(String jobId, int n) {
        LiveJob lj = jobs.get(jobId);
        if (lj == null) {
            Optional<Job> stored = store.job(jobId);
            if (stored.isEmpty()) return Optional.empty();
            throw new SchedulerCore.ConflictException("job '" + jobId + "' has ended (" + stored.get().state() + ")");
        }
        JobSpec spec = lj.job.spec();
        if (spec.type() != io.nightshift.api.spec.JobType.KAFKA || spec.kafka().mode() != io.nightshift.api.spec.KafkaSpec.Mode.STREAM)
            throw new SchedulerCore.ConflictException("only kafka jobs in stream mode can be scaled; job '" + jobId
                    + "' is " + spec.type().wire() + (spec.type() == io.nightshift.api.spec.JobType.KAFKA ? " in drain mode" : ""));
        if (spec.gang()) throw new SchedulerCore.ConflictException("job '" + jobId + "' is a gang: its instances start together");
        if (lj.job.killRequested()) throw new SchedulerCore.ConflictException("job '" + jobId + "' is being killed");
        int before = spec.instances();
        if (n == before) return Optional.of(lj.job);
        Instant now = loop.clock().instant();
        for (int i = before; i < n; i++) { // refuse before changing anything
            Task old = lj.tasks.get(Task.idOf(lj.run.id(), i));
            if (old != null && !old.state().isTerminal())
                throw new SchedulerCore.ConflictException("instance " + i + " of job '" + jobId
                        + "' is still stopping after a scale-down; try again once it has ended");
        }
        lj.job = lj.job.withSpec(spec.withInstances(n), now);
        loop.batch().job(lj.job);
        List<String> taskIds = new ArrayList<>(lj.run.taskIds());
        for (int i = before; i < n; i++) {
            String taskId = Task.idOf(lj.run.id(), i);
            Task old = lj.tasks.get(taskId);
            Task t = old != null ? old.withState(TaskState.PENDING, null, null)
                    : new Task(Task.SCHEMA_VERSION, taskId, jobId, lj.run.id(), i, TaskState.PENDING, null, now, null, List.of());
            if (!taskIds.contains(taskId)) taskIds.add(taskId);
            lj.tasks.put(taskId, t);
            loop.batch().task(t);
            jobs.index(lj, t);
            loop.publish(now, "task", taskId, jobId, null, null, TaskState.PENDING.name(), null, null);
        }
        if (taskIds.size() != lj.run.taskIds().size()) {
            lj.run = lj.run.withTaskIds(taskIds);
            loop.batch().run(lj.run);
        }
        for (Task t : List.copyOf(lj.tasks.values())) {
            if (t.instance() >= n) jobs.apply(lj, TaskLifecycle.onScaledDown(t, lj.job.spec()));
        }
        // every PendingTask of the job carries the instance count (gang sizing): refresh them
        for (Task t : List.copyOf(lj.tasks.values())) if (t.state() == TaskState.PENDING) jobs.index(lj, t);
        jobs.refreshRun(lj, now);
        log.info("job {} scaled from {} to {} instances", jobId, before, n);
        requestCycle.run();
        return Optional.of(lj.job);
    }

    /** Kills a job: pending tasks end at once, running ones get SIGTERM then SIGKILL. Empty when unknown. */
    Optional<SchedulerCore.KillResult> kill(String jobId) {
        LiveJob lj = jobs.get(jobId);
        if (lj == null) return store.job(jobId).map(j -> new SchedulerCore.KillResult(j, false));
        Instant now = loop.clock().instant();
        if (!lj.job.killRequested()) {
            lj.job = lj.job.withKillRequested(now);
            loop.batch().job(lj.job);
            log.info("job {} kill requested", jobId);
        }
        for (Task t : List.copyOf(lj.tasks.values())) jobs.apply(lj, TaskLifecycle.onKillRequested(t, lj.job.spec(), now));
        jobs.refreshRun(lj, now);
        return Optional.of(new SchedulerCore.KillResult(lj.job, true));
    }
}
