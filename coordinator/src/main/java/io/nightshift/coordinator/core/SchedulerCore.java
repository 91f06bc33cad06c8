package io.nightshift.coordinator.core;

import io.micrometer.core.instrument.Gauge;
import io.nightshift.api.model.AgentInfo.AgentStatus;
import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.model.PendingReason;
import io.nightshift.api.model.Task;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.protocol.CoordinatorMessage;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import io.nightshift.coordinator.CoordinatorConfig;
import io.nightshift.coordinator.agents.AgentLink;
import io.nightshift.coordinator.core.AgentRegistry.AgentState;
import io.nightshift.coordinator.core.LiveJobs.ActiveAttempt;
import io.nightshift.coordinator.core.LiveJobs.LiveJob;
import io.nightshift.coordinator.events.EventLog;
import io.nightshift.coordinator.lifecycle.RunLifecycle;
import io.nightshift.coordinator.lifecycle.TaskLifecycle;
import io.nightshift.coordinator.scheduling.ClusterSnapshot;
import io.nightshift.coordinator.scheduling.OfferCycle;
import io.nightshift.coordinator.scheduling.Placement;
import io.nightshift.coordinator.scheduling.Plan;
import io.nightshift.coordinator.scheduling.PlanApplier;
import io.nightshift.coordinator.scheduling.Preemption;
import io.nightshift.coordinator.scheduling.Reservation;
import io.nightshift.coordinator.scheduling.RunningTask;
import io.nightshift.coordinator.scheduling.SchedulingPolicy;
import io.nightshift.coordinator.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The leader's shell around the pure core. Its parts, all on one thread ({@link CoreLoop}):
 * <ul>
 *   <li>{@link CoreLoop}: the inbox, turns that store their writes together before acting, timers;</li>
 *   <li>{@link JobIntake}: submit, the next run of a job, kill;</li>
 *   <li>{@link AgentRegistry}: registration and reconciliation, heartbeats, status updates, LOST agents;</li>
 *   <li>{@link QueueAdmin}: queues;</li>
 *   <li>{@link LiveJobs}: the working set, and the lifecycle's decisions applied to it;</li>
 *   <li>this class: recovery, and the offer cycle: a snapshot to {@link OfferCycle}, its plan carried out
 *       by the {@link PlanApplier} the simulator uses too.</li>
 * </ul>
 * Decisions come from {@link TaskLifecycle}, {@link RunLifecycle} and {@link OfferCycle}; the shell only
 * carries out their effects.
 */
public final class SchedulerCore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SchedulerCore.class);
    private static final Set<TaskState> LIVE_TASK_STATES = EnumSet.of(TaskState.PENDING, TaskState.STAGING,
            TaskState.FETCHING, TaskState.RUNNING);

    private final StateStore store;
    private final EventLog events;
    private final Clock clock;
    private final CoordinatorConfig cfg;
    private final Metrics metrics;
    private final OfferCycle offerCycle;
    private final PlanApplier applier = new PlanApplier();
    private final CoreLoop loop;
    private final LiveJobs jobs;
    private final AgentRegistry agents;
    private final QueueAdmin queues;
    private final PoolAdmin pools;
    private final JobIntake intake;
    private final Firings firings;
    private final Upstreams upstreams;
    private final Deadlines deadlines;
    private final io.nightshift.coordinator.scheduling.FinishRates finishRates;
    private boolean cycleQueued;
    private long cycleNumber;

    /** Last plan's view for readers on other threads: outstanding offers and why tasks wait. */
    private volatile Plan lastPlan = new Plan(0, List.of(), List.of(), Map.of(), null);

    /** The result of a submit: the job, and whether it was created now (201) or already existed (200). */
    public record SubmitResult(Job job, boolean created) {
    }

    /** The job after a kill request; {@code requested} is false when it had already ended (nothing to do). */
    public record KillResult(Job job, boolean requested) {
    }

    /** A submit with the same id or idempotency key as an existing job but another body. */
    public static final class ConflictException extends RuntimeException {
        public ConflictException(String message) {
            super(message);
        }
    }

    /** A submit into a queue that already holds its cap of waiting (QUEUED) jobs: 429, retry later. */
    public static final class QueueFullException extends RuntimeException {
        public QueueFullException(String message) {
            super(message);
        }
    }

    /** A deadline refused at submit ({@code deadlinePolicy: refuse}): 409 with the admission's numbers; nothing is stored. */
    public static final class DeadlineRefusedException extends RuntimeException {
        private final io.nightshift.api.model.Admission admission;

        DeadlineRefusedException(io.nightshift.api.model.Admission admission) {
            super(admission.reason());
            this.admission = admission;
        }

        public io.nightshift.api.model.Admission admission() {
            return admission;
        }
    }

    public SchedulerCore(StateStore store, EventLog events, Clock clock, CoordinatorConfig cfg, Metrics metrics) {
        this.store = store;
        this.events = events;
        this.clock = clock;
        this.cfg = cfg;
        this.metrics = metrics;
        this.offerCycle = new OfferCycle(cfg.scheduling());
        this.loop = new CoreLoop(store, events, clock);
        this.jobs = new LiveJobs(loop, applier, this::requestCycle, at -> loop.wakeAt(at, this::safeCycle));
        this.agents = new AgentRegistry(loop, jobs, applier, cfg, metrics, this::requestCycle);
        this.jobs.agents(agents);
        this.queues = new QueueAdmin(loop, store, jobs, this::requestCycle);
        this.jobs.queues(queues::get);
        this.finishRates = new io.nightshift.coordinator.scheduling.FinishRates(
                cfg.config().get(io.nightshift.coordinator.scheduling.FinishRates.WINDOW));
        this.jobs.finishRates(finishRates);
        this.pools = new PoolAdmin(loop, store, this::requestCycle);
        this.agents.idleCapacity(pools);
        this.intake = new JobIntake(loop, store, jobs, queues, metrics, this::requestCycle);
        this.intake.maxQueued(cfg.maxQueuedPerQueue());
        this.deadlines = new Deadlines(metrics.registry(), loop);
        this.jobs.deadlines(deadlines);
        this.intake.deadlines(deadlines, agents::slots, pools.profile(),
                () -> pools.all().stream().map(io.nightshift.api.pool.PoolSpec::name).toList());
        this.firings = new Firings(loop, jobs, intake, metrics);
        this.upstreams = new Upstreams(loop, store, jobs);
        Gauge.builder("nightshift.tasks.pending", this, c -> c.lastPlan.pendingReasons().size())
                .description("Tasks waiting for a placement at the last cycle").register(metrics.registry());
    }

    /** Leads with this fencing epoch: loads the working set from the store, then starts cycles and agent checks. */
    public void start(long leaderEpoch) {
        loop.call(() -> {
            agents.epoch(leaderEpoch);
            events.resume(store.lastEventSeq()); // the previous leader may have numbered events since this member started
            recover();
            return null;
        }).join();
        loop.every(cfg.cycleInterval(), this::safeCycle);
        loop.every(Duration.ofMillis(Math.max(100, Math.min(1000, cfg.heartbeatTimeout().toMillis() / 4))), agents::check);
    }

    // ---------------------------------------------------------------- recovery

    private void recover() {
        Instant now = clock.instant();
        queues.recover();
        pools.recover();
        agents.recover(store, now); // a grace period of one heartbeat timeout to reconnect
        deadlines.recover(store.runtimes()); // the p90 input of deadline admission, as the last leader left it
        // Every job not yet ended, whether or not a task of it is still live: a crash between a turn's
        // writes (they go to several maps in parallel) can leave a job RUNNING whose tasks all ended.
        Set<String> jobIds = new TreeSet<>();
        for (Task t : store.tasksInStates(LIVE_TASK_STATES)) jobIds.add(t.jobId());
        for (Job j : store.jobsInStates(EnumSet.of(JobState.QUEUED, JobState.RUNNING))) jobIds.add(j.id());
        List<LiveJob> settle = new ArrayList<>();
        for (String jobId : jobIds) {
            Optional<Job> job = store.job(jobId);
            if (job.isEmpty() || job.get().state().isTerminal()) continue;
            LiveJob lj = new LiveJob();
            lj.job = job.get();
            adoptOrphanRun(lj);
            if (lj.job.runIds().isEmpty()) { // a scheduled job that has not fired yet
                if (lj.job.schedule() != null) jobs.live.put(lj.job.id(), lj);
                continue;
            }
            String runId = lj.job.runIds().get(lj.job.runIds().size() - 1);
            lj.run = store.run(runId).orElse(null);
            if (lj.run == null) lj.run = rebuildRun(lj, runId, now);
            boolean anyLive = false;
            List<Task> stored = withMissingTasks(lj, store.tasks(lj.run.taskIds()), now);
            // a run that waits for its upstream jobs waits again (the next cycle decides, as the last leader would)
            lj.waitingUpstream = !lj.job.spec().after().isEmpty() && !lj.run.state().isTerminal()
                    && stored.stream().allMatch(t -> t.state() == TaskState.PENDING && t.attempts().isEmpty());
            for (Task t : stored) {
                lj.tasks.put(t.id(), t);
                jobs.index(lj, t);
                anyLive |= !t.state().isTerminal();
            }
            jobs.live.put(lj.job.id(), lj);
            if (!anyLive) settle.add(lj);
        }
        for (LiveJob lj : settle) jobs.refreshRun(lj, now); // their outcome follows from their tasks; stored with this turn
        for (ActiveAttempt a : jobs.active.values()) {
            if (agents.get(a.agentId()) != null) applier.book(a.agentId(), a.resources());
        }
        if (!jobs.live.isEmpty() || !agents.agents.isEmpty())
            log.info("recovered {} live jobs, {} pending tasks, {} active attempts, {} agents", jobs.live.size(),
                    jobs.pending.size(), jobs.active.size(), agents.agents.size());
    }

    /**
     * A turn's writes go to the maps in parallel, so a kill -9 in the middle can leave a firing's run stored but not
     * the job that lists it (or the reverse). Nothing was launched (launches wait for the whole turn), so the run is
     * taken as fired: the job lists it and its schedule's cursor covers its time. No time fires twice.
     */
    private void adoptOrphanRun(LiveJob lj) {
        String next = io.nightshift.api.model.Run.idOf(lj.job.id(), lj.job.runIds().size() + 1);
        Optional<io.nightshift.api.model.Run> orphan = store.run(next);
        if (orphan.isEmpty()) return;
        List<String> ids = new ArrayList<>(lj.job.runIds());
        ids.add(next);
        Instant now = clock.instant();
        lj.job = lj.job.withRunIds(ids, now);
        io.nightshift.api.model.ScheduleState s = lj.job.schedule();
        Instant at = orphan.get().scheduledFor();
        if (s != null && at != null) {
            List<Instant> owed = new ArrayList<>(s.owed());
            owed.remove(at);
            Instant cursor = at.isAfter(s.cursor()) ? at : s.cursor();
            lj.job = lj.job.withSchedule(new io.nightshift.api.model.ScheduleState(cursor, owed, s.paused(),
                    firings.times(lj.job).next(cursor), s.fired() + 1, s.skipped()), now);
        }
        loop.batch().job(lj.job);
        log.warn("job {} run {} was stored without its job (a turn cut short); adopted it", lj.job.id(), next);
    }

    /** The job lists a run the store lacks (a turn cut short): it is opened again as it was, all tasks PENDING. */
    private io.nightshift.api.model.Run rebuildRun(LiveJob lj, String runId, Instant now) {
        int number = lj.job.runIds().size();
        List<String> taskIds = new ArrayList<>();
        for (int i = 0; i < lj.job.spec().instances(); i++) taskIds.add(Task.idOf(runId, i));
        Instant scheduledFor = lj.job.schedule() == null ? null : lj.job.schedule().cursor();
        io.nightshift.api.model.Run run = new io.nightshift.api.model.Run(io.nightshift.api.model.Run.SCHEMA_VERSION, runId,
                lj.job.id(), number, JobState.QUEUED, now, null, taskIds, scheduledFor);
        loop.batch().run(run);
        log.warn("job {} run {} was listed but not stored (a turn cut short); opened it again", lj.job.id(), runId);
        return run;
    }

    /** The run's tasks, with those the store lacks (a turn cut short, nothing launched) opened again PENDING. */
    private List<Task> withMissingTasks(LiveJob lj, List<Task> stored, Instant now) {
        if (stored.size() == lj.run.taskIds().size()) return stored;
        Set<String> have = new java.util.HashSet<>();
        for (Task t : stored) have.add(t.id());
        List<Task> out = new ArrayList<>(stored);
        int index = 0;
        for (String id : lj.run.taskIds()) {
            if (!have.contains(id)) {
                Task t = new Task(Task.SCHEMA_VERSION, id, lj.job.id(), lj.run.id(), index, TaskState.PENDING, null, now, null, List.of());
                loop.batch().task(t);
                out.add(t);
            }
            index++;
        }
        return out;
    }

    // ---------------------------------------------------------------- requests

    public CompletableFuture<SubmitResult> submit(JobSpec spec, String idempotencyKey) {
        return submit(spec, idempotencyKey, null);
    }

    /** Submits on behalf of {@code owner} (the token's subject; recorded on the job). */
    public CompletableFuture<SubmitResult> submit(JobSpec spec, String idempotencyKey, String owner) {
        return loop.call(() -> intake.submit(spec, idempotencyKey, owner));
    }

    /** Kills a job: pending tasks end at once, running ones get SIGTERM then SIGKILL. Empty when unknown. */
    public CompletableFuture<Optional<KillResult>> kill(String jobId) {
        return loop.call(() -> intake.kill(jobId));
    }

    /** Sets a running stream job's instances (see JobIntake#scale); empty when unknown, ConflictException when it cannot be. */
    public CompletableFuture<Optional<Job>> scale(String jobId, int instances) {
        return loop.call(() -> intake.scale(jobId, instances));
    }

    /**
     * Pauses ({@code true}) or resumes a scheduled job; the job as it now stands, stored before the answer. Empty
     * when there is no such scheduled job that has not ended.
     */
    public CompletableFuture<Optional<Job>> pause(String jobId, boolean pause) {
        return loop.call(() -> firings.pause(jobId, pause));
    }

    /** Runs {@code r} on the core thread in its turn (the loop-delay probe); dropped once the core is closed. */
    public void onCoreThread(Runnable r) {
        loop.enqueue(r);
    }

    public void onRegister(AgentMessage.Register r, AgentLink link) {
        agents.onRegister(r, link);
    }

    public void onHeartbeat(String agentId, AgentLink link, io.nightshift.api.model.OwnerLoad ownerLoad) {
        agents.onHeartbeat(agentId, link, ownerLoad);
    }

    /** A heartbeat listing the agent's attempts: what disagrees with the leader for a heartbeat timeout is reconciled. */
    public void onHeartbeat(String agentId, AgentLink link, io.nightshift.api.model.OwnerLoad ownerLoad, List<String> running,
                            List<String> reported) {
        agents.onHeartbeat(agentId, link, ownerLoad, running, reported);
    }

    public void onDisconnect(String agentId, AgentLink link) {
        agents.onDisconnect(agentId, link);
    }

    public void onStatus(String agentId, AgentLink link, AgentMessage.StatusUpdate u) {
        agents.onStatus(agentId, link, u);
    }

    /** Creates or replaces a queue; true when it was created. Stored before it is answered. */
    public CompletableFuture<Boolean> putQueue(QueueSpec q, boolean mustBeNew) {
        return queues.put(q, mustBeNew);
    }

    /** Deletes an empty queue; false when there is no such queue. */
    public CompletableFuture<Boolean> deleteQueue(String name) {
        return queues.delete(name);
    }

    public List<QueueSpec> queues() {
        return queues.all();
    }

    /** Creates or replaces a pool; true when it was created. Stored before it is answered. */
    public CompletableFuture<Boolean> putPool(io.nightshift.api.pool.PoolSpec p, boolean mustBeNew) {
        return pools.put(p, mustBeNew);
    }

    /** Deletes a pool; false when there is no such pool. */
    public CompletableFuture<Boolean> deletePool(String name) {
        return pools.delete(name);
    }

    public List<io.nightshift.api.pool.PoolSpec> pools() {
        return pools.all();
    }

    /** The core's clock (injected in tests): what "now" is for windows and pools. */
    public Clock clock() {
        return clock;
    }

    /** The per-pool idle capacity by hour of the week, as the leader observed it (the forecast). */
    public io.nightshift.coordinator.pools.HourOfWeekProfile capacityProfile() {
        return pools.profile();
    }

    // ---------------------------------------------------------------- the offer cycle

    /** Runs a cycle soon (coalesced): a submit, an ended attempt or a new agent never waits for the timer. */
    private void requestCycle() {
        if (cycleQueued) return;
        cycleQueued = true;
        loop.enqueue(this::safeCycle);
    }

    private void safeCycle() {
        cycleQueued = false;
        try {
            cycle();
        } catch (RuntimeException e) {
            log.error("offer cycle failed", e);
        }
    }

    private void cycle() {
        long start = System.nanoTime();
        Instant now = clock.instant();
        Instant nextFire = firings.tick(now);   // firings first: their runs' tasks are placed in this same cycle
        if (nextFire != null) loop.wakeAt(nextFire, this::safeCycle);
        upstreams.tick(now);                    // runs whose upstream runs have ended are offered in this cycle too
        deadlines.watch(jobs.live.values(), now); // early warning: runs that will miss their deadline at their estimate
        List<RunningTask> running = new ArrayList<>(jobs.active.size());
        for (ActiveAttempt a : jobs.active.values()) {
            LiveJob owner = jobs.get(a.jobId());
            running.add(new RunningTask(a.taskId(), a.jobId(), a.runId(), a.queue(), a.agentId(), a.resources(), a.priority(),
                    a.startedAt() == null ? now : a.startedAt(), applier.preemptions(a.runId()), applier.terminating(a.taskId()),
                    a.maxRuntime() == null ? null : (a.startedAt() == null ? now : a.startedAt()).plus(a.maxRuntime()),
                    owner != null && owner.job.spec().revocable()));
        }
        Plan plan = offerCycle.plan(applier.carry(ClusterSnapshot.builder(++cycleNumber, now).agents(agents.slots())
                .pending(List.copyOf(jobs.pending.values())).queues(queues.all()).running(running)
                .finishRates(finishRates.perMinute(now))).build());
        Set<AgentState> touched = new java.util.HashSet<>();
        applier.apply(plan, new PlanApplier.Target() {
            @Override
            public boolean launch(Placement p) {
                AgentState agent = agents.get(p.agentId());
                if (!launchPlaced(p, agent, now)) return false;
                touched.add(agent);
                return true;
            }

            @Override
            public String stop(Preemption p) {
                return preempt(p);
            }
        });
        for (AgentState a : touched) agents.saveAllocation(a);
        for (Map.Entry<String, List<PendingReason>> e : plan.unschedulable().entrySet()) unschedulable(e.getKey(), e.getValue(), now);
        lastPlan = plan;
        if (plan.nextWakeUp() != null) loop.wakeAt(plan.nextWakeUp(), this::safeCycle);
        metrics.cycle.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    /** A spec's secrets (env variable → secret name) resolved to values for one launch (blocking, a quick store read). */
    public interface SecretValues {
        Map<String, String> resolve(String jobId, Map<String, String> wanted);
    }

    private volatile SecretValues secretValues = (jobId, wanted) -> Map.of();

    /** Where launches get their secrets' values from; set once by the coordinator before it leads. */
    public void secretValues(SecretValues v) {
        this.secretValues = v;
    }

    /** Moves a placed task to STAGING and sends its launch; false when the task or the agent is gone. */
    private boolean launchPlaced(Placement p, AgentState agent, Instant now) {
        LiveJob lj = jobs.get(p.jobId());
        Task task = lj == null ? null : lj.tasks.get(p.taskId());
        if (task == null || task.state() != TaskState.PENDING || agent == null || agent.link == null
                || agent.info.status() != AgentStatus.ACTIVE) {
            return false;
        }
        Task placed = TaskLifecycle.placed(task, p.agentId(), agent.info.host(), now);
        Attempt attempt = placed.currentAttempt();
        lj.tasks.put(placed.id(), placed);
        loop.batch().task(placed);
        jobs.index(lj, placed);
        loop.publish(now, "task", placed.id(), lj.job.id(), attempt.id(), p.agentId(), TaskState.STAGING.name(), null, null);
        Map<String, String> secretEnv = lj.job.spec().secrets().isEmpty() ? Map.of()
                : secretValues.resolve(lj.job.id(), lj.job.spec().secrets());
        loop.send(agent.link, new CoordinatorMessage.Launch(lj.job.id(), lj.run.id(), placed.id(), attempt.id(),
                attempt.number(), lj.job.spec(), agents.epoch(), secretEnv, lj.run.scheduledFor()));
        metrics.tasksLaunched.increment();
        log.info("task {} attempt {} launched on agent {}", placed.id(), attempt.id(), p.agentId());
        return true;
    }

    /** A task waited unplaced past its pending timeout: it ends FAILED (UNSCHEDULABLE), and so its job, with why. */
    private void unschedulable(String taskId, List<PendingReason> why, Instant now) {
        LiveJob lj = jobs.get(LiveJobs.jobIdOf(taskId));
        Task task = lj == null ? null : lj.tasks.get(taskId);
        if (task == null) return;
        log.info("task {} of job {} unschedulable: {}", taskId, lj.job.id(), why.stream()
                .map(r -> r.code() + ": " + r.message()).collect(java.util.stream.Collectors.joining("; ")));
        jobs.apply(lj, TaskLifecycle.onUnschedulable(task, why));   // stored with the task in this turn's writes
        jobs.refreshRun(lj, now);
    }

    /** Tells the victim's agent to stop it (SIGTERM, its grace period, SIGKILL); it comes back PENDING as preempted. */
    private String preempt(Preemption p) {
        LiveJob lj = jobs.get(p.jobId());
        Task task = lj == null ? null : lj.tasks.get(p.taskId());
        Attempt a = task == null ? null : task.currentAttempt();
        if (a == null || !a.state().isActive()) return null;
        AgentState s = agents.get(a.agentId());
        if (s == null || s.link == null) return null;
        boolean revoked = p.code().equals("revoked");
        log.info("task {} attempt {} {} on agent {} for {}: {} ({})", task.id(), a.id(), revoked ? "revoked" : "preempted",
                a.agentId(), p.forTaskId(), p.code(), p.reason());
        loop.send(s.link, new CoordinatorMessage.Kill(a.id(), lj.job.spec().killGracePeriod(),
                revoked ? Reason.REVOKED : Reason.PREEMPTED, agents.epoch()));
        return task.runId();
    }

    // ---------------------------------------------------------------- reads for the API

    public Plan lastPlan() {
        return lastPlan;
    }

    /**
     * Why each of these tasks waits, from the last cycle. (Why a task that ended UNSCHEDULABLE waited is stored with
     * it: {@link Task#unschedulableReasons()}.)
     */
    public Map<String, List<PendingReason>> pendingReasons(Collection<String> taskIds) {
        Map<String, List<PendingReason>> all = lastPlan.pendingReasons();
        Map<String, List<PendingReason>> out = new LinkedHashMap<>();
        for (String id : taskIds) {
            List<PendingReason> r = all.get(id);
            if (r != null) out.put(id, r);
        }
        return out;
    }

    /** Why the job's current run waits for its {@code after} jobs ("waits for run etl.r3 (RUNNING)"), or null. */
    public String upstreamWhy(String jobId) {
        return upstreams.why(jobId);
    }

    /** The earliest estimated start among these pending tasks, from the last cycle (null when unknown). */
    public Instant pendingEta(Collection<String> taskIds) {
        Map<String, Instant> etas = lastPlan.etas();
        Instant best = null;
        for (String id : taskIds) {
            Instant e = etas.get(id);
            if (e != null && (best == null || e.isBefore(best))) best = e;
        }
        return best;
    }

    /** The room the last cycle reserved for one of these runs (EASY backfill), or null. */
    public JobDetail.Reservation reservation(Collection<String> runIds) {
        for (Reservation r : lastPlan.reservations()) {
            if (runIds.contains(r.runId())) return new JobDetail.Reservation(r.start(), r.instances(), List.copyOf(r.agents().keySet()));
        }
        return null;
    }

    /**
     * Stops acting for good (the coordinator stepped down as leader): no more turns, cycles, firings or
     * messages to agents; commands sent after it are dropped.
     */
    public void stepDown() {
        loop.close();
    }

    @Override
    public void close() {
        loop.close();
    }
}
