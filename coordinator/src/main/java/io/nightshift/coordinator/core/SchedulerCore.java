package io.nightshift.coordinator.core;

import io.micrometer.core.instrument.Gauge;
import io.nightshift.api.model.AgentInfo.AgentStatus;
import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.Job;
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
    private final JobIntake intake;
    private boolean cycleQueued;
    private long cycleNumber;

    /**
     * Why tasks that timed out unplaced waited (the plan that ended them), for readers; the newest 10,000, kept
     * in memory only (a restarted leader shows the UNSCHEDULABLE reason without the details).
     */
    private final Map<String, List<PendingReason>> unschedulableWhy = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, List<PendingReason>> eldest) {
                    return size() > 10_000;
                }
            });

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
        this.intake = new JobIntake(loop, store, jobs, queues, metrics, this::requestCycle);
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
        agents.recover(store, now); // a grace period of one heartbeat timeout to reconnect
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
            String runId = lj.job.runIds().get(lj.job.runIds().size() - 1);
            lj.run = store.run(runId).orElse(null);
            if (lj.run == null) continue;
            boolean anyLive = false;
            for (Task t : store.tasks(lj.run.taskIds())) {
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

    public void onRegister(AgentMessage.Register r, AgentLink link) {
        agents.onRegister(r, link);
    }

    public void onHeartbeat(String agentId, AgentLink link) {
        agents.onHeartbeat(agentId, link);
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
        List<RunningTask> running = new ArrayList<>(jobs.active.size());
        for (ActiveAttempt a : jobs.active.values()) {
            running.add(new RunningTask(a.taskId(), a.jobId(), a.runId(), a.queue(), a.agentId(), a.resources(), a.priority(),
                    a.startedAt() == null ? now : a.startedAt(), applier.preemptions(a.runId()), applier.terminating(a.taskId())));
        }
        Plan plan = offerCycle.plan(applier.carry(ClusterSnapshot.builder(++cycleNumber, now).agents(agents.slots())
                .pending(List.copyOf(jobs.pending.values())).queues(queues.all()).running(running)).build());
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
        loop.send(agent.link, new CoordinatorMessage.Launch(lj.job.id(), lj.run.id(), placed.id(), attempt.id(),
                attempt.number(), lj.job.spec(), agents.epoch()));
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
        unschedulableWhy.put(taskId, why);
        jobs.apply(lj, TaskLifecycle.onUnschedulable(task));
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
        log.info("task {} attempt {} preempted on agent {} for task {}: {} ({})", task.id(), a.id(), a.agentId(),
                p.forTaskId(), p.code(), p.reason());
        loop.send(s.link, new CoordinatorMessage.Kill(a.id(), lj.job.spec().killGracePeriod(), Reason.PREEMPTED, agents.epoch()));
        return task.runId();
    }

    // ---------------------------------------------------------------- reads for the API

    public Plan lastPlan() {
        return lastPlan;
    }

    /** Why each of these tasks waits, from the last cycle (or why it waited, when it ended UNSCHEDULABLE). */
    public Map<String, List<PendingReason>> pendingReasons(Collection<String> taskIds) {
        Map<String, List<PendingReason>> all = lastPlan.pendingReasons();
        Map<String, List<PendingReason>> out = new LinkedHashMap<>();
        for (String id : taskIds) {
            List<PendingReason> r = unschedulableWhy.get(id);   // ended: why it waited, not the plan's last word
            if (r == null) r = all.get(id);
            if (r != null) out.put(id, r);
        }
        return out;
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

    @Override
    public void close() {
        loop.close();
    }
}
