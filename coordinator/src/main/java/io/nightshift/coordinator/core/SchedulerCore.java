package io.nightshift.coordinator.core;

import io.micrometer.core.instrument.Gauge;
import io.nightshift.api.Resources;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.AgentInfo.AgentStatus;
import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.PendingReason;
import io.nightshift.api.model.Run;
import io.nightshift.api.model.Task;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.protocol.CoordinatorMessage;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.JobSpecParser;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import io.nightshift.coordinator.CoordinatorConfig;
import io.nightshift.coordinator.agents.AgentLink;
import io.nightshift.coordinator.events.EventLog;
import io.nightshift.coordinator.lifecycle.RunLifecycle;
import io.nightshift.coordinator.lifecycle.TaskLifecycle;
import io.nightshift.coordinator.lifecycle.TaskLifecycle.Effect;
import io.nightshift.coordinator.lifecycle.TaskLifecycle.Transition;
import io.nightshift.coordinator.scheduling.AgentSlot;
import io.nightshift.coordinator.scheduling.ClusterSnapshot;
import io.nightshift.coordinator.scheduling.OfferCycle;
import io.nightshift.coordinator.scheduling.PendingTask;
import io.nightshift.coordinator.scheduling.Placement;
import io.nightshift.coordinator.scheduling.Preemption;
import io.nightshift.coordinator.scheduling.RunningTask;
import io.nightshift.coordinator.scheduling.SchedulingPolicy;
import io.nightshift.coordinator.scheduling.Plan;
import io.nightshift.coordinator.state.StateStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's shell around the pure core. Every state change happens on one thread
 * ({@code nightshift-core}), in order: submits, kills, agent messages, offer cycles, heartbeat
 * checks. It keeps the working set (live jobs, pending tasks, active attempts, agents) in memory,
 * writes every change through the {@link StateStore} before it is acknowledged or acted on, and
 * publishes an event per change. Decisions come from {@link TaskLifecycle}, {@link RunLifecycle}
 * and {@link OfferCycle}; this class only carries out their effects.
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
    private final ScheduledExecutorService exec;

    // Working set: touched only on the core thread.
    private final Map<String, LiveJob> live = new HashMap<>();
    private final Map<String, PendingTask> pending = new LinkedHashMap<>();
    private final Map<String, ActiveAttempt> active = new HashMap<>();
    private final Map<String, AgentState> agents = new HashMap<>();
    private boolean cycleQueued;
    /** The leader's fencing token, sent with every launch and kill (0 while there is no durable epoch). */
    private long epoch;
    private long cycleNumber;
    private ScheduledFuture<?> wakeTimer;
    private Instant wakeAt;

    /** Last plan's view for readers on other threads: outstanding offers and why tasks wait. */
    private volatile Plan lastPlan = new Plan(0, List.of(), List.of(), Map.of(), null);

    private static final class LiveJob {
        Job job;
        Run run;
        final Map<String, Task> tasks = new LinkedHashMap<>();
    }

    private record ActiveAttempt(String attemptId, String taskId, String jobId, String runId, String queue, int priority,
                                 String agentId, Resources resources, Instant startedAt) {
    }

    /** Queues by name; the built-in {@code default} always exists. Read by API threads. */
    private final java.util.concurrent.ConcurrentSkipListMap<String, io.nightshift.api.queue.QueueSpec> queues =
            new java.util.concurrent.ConcurrentSkipListMap<>(Map.of(io.nightshift.api.queue.QueueSpec.DEFAULT_NAME,
                    io.nightshift.api.queue.QueueSpec.DEFAULT));
    /** Preemptions per run (the per-run budget the core enforces). */
    private final Map<String, Integer> preemptionsByRun = new HashMap<>();
    /** Attempts told to stop for a preemption, not yet ended. */
    private final Set<String> terminating = new HashSet<>();

    private static final class AgentState {
        AgentInfo info;
        AgentLink link;
        Instant lastHeartbeat;
        Resources allocated = Resources.ZERO;
    }

    /** The result of a submit: the job, and whether it was created now (201) or already existed (200). */
    public record SubmitResult(Job job, boolean created) {
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
        this.offerCycle = new OfferCycle(SchedulingPolicy.defaults().withOfferTtl(cfg.offerTtl()));
        this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nightshift-core");
            t.setDaemon(true);
            return t;
        });
        Gauge.builder("nightshift.tasks.pending", this, c -> c.lastPlan.pendingReasons().size())
                .description("Tasks waiting for a placement at the last cycle").register(metrics.registry());
    }

    /** Leads with this fencing epoch: loads the working set from the store, then starts cycles and agent checks. */
    public void start(long leaderEpoch) {
        call(() -> {
            epoch = leaderEpoch;
            events.resume(store.lastEventSeq()); // the previous leader may have numbered events since this member started
            recover();
            return null;
        }).join();
        long cycleMs = cfg.cycleInterval().toMillis();
        exec.scheduleWithFixedDelay(() -> enqueue(this::safeCycle), cycleMs, cycleMs, TimeUnit.MILLISECONDS);
        long checkMs = Math.max(100, Math.min(1000, cfg.heartbeatTimeout().toMillis() / 4));
        exec.scheduleWithFixedDelay(() -> enqueue(this::checkAgents), checkMs, checkMs, TimeUnit.MILLISECONDS);
    }

    /** Commands for the core thread; drained in turns, each turn's writes stored together. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> inbox = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
    private static final int MAX_TURN = 2_000;
    private WriteBatch batch = new WriteBatch();

    private void enqueue(Runnable command) {
        inbox.add(command);
        if (draining.compareAndSet(false, true)) exec.execute(this::drain);
    }

    /** Runs queued commands in turns: apply up to {@value #MAX_TURN} in memory, store their writes at once, then act. */
    private void drain() {
        while (true) {
            Runnable command;
            int n = 0;
            while (n < MAX_TURN && (command = inbox.poll()) != null) {
                n++;
                try {
                    command.run();
                } catch (RuntimeException e) {
                    log.error("core step failed", e);
                }
            }
            flush();
            if (!inbox.isEmpty()) continue;
            draining.set(false);
            if (inbox.isEmpty() || !draining.compareAndSet(false, true)) return;
        }
    }

    /** Stores the turn's writes (retrying while the store fails: nothing is acknowledged meanwhile), then acts. */
    private void flush() {
        WriteBatch b = batch;
        batch = new WriteBatch();
        if (b.hasWrites()) {
            long backoffMs = 50;
            while (true) {
                try {
                    store.saveAll(b.jobs.values(), b.runs.values(), b.tasks.values(), b.agents.values(), b.keys, b.events);
                    break;
                } catch (RuntimeException e) {
                    if (exec.isShutdown()) return;
                    log.error("storing {} writes failed; retrying in {} ms (nothing is acknowledged meanwhile): {}",
                            b.writes(), backoffMs, e.toString());
                    try {
                        Thread.sleep(backoffMs);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    backoffMs = Math.min(5_000, backoffMs * 2);
                }
            }
        }
        for (Runnable r : b.afterCommit) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.error("post-commit action failed", e);
            }
        }
    }

    /** Sends once this turn's writes are stored. */
    private void send(AgentLink link, CoordinatorMessage message) {
        batch.afterCommit(() -> link.send(message));
    }

    /** Publishes once this turn's writes are stored: an event never announces what could still be lost. */
    private void publish(Instant time, String kind, String id, String jobId, String attemptId, String agentId,
                         String state, String reason, Integer exitCode) {
        io.nightshift.api.model.Event e = events.stage(time, kind, id, jobId, attemptId, agentId, state, reason, exitCode);
        batch.events.add(e);
        batch.afterCommit(() -> events.deliver(e));
    }

    /** A job as this turn sees it: staged, live, or stored. */
    private Optional<Job> readJob(String id) {
        Job staged = batch.jobs.get(id);
        if (staged != null) return Optional.of(staged);
        LiveJob lj = live.get(id);
        return lj != null ? Optional.of(lj.job) : store.job(id);
    }

    private <T> CompletableFuture<T> call(Callable<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        enqueue(() -> {
            try {
                T result = body.call();
                batch.afterCommit(() -> f.complete(result));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private void run(String what, Runnable body) {
        enqueue(() -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                log.error("core step failed: {}", what, e);
            }
        });
    }

    // ---------------------------------------------------------------- recovery

    private void recover() {
        Instant now = clock.instant();
        for (io.nightshift.api.queue.QueueSpec q : store.queues()) queues.put(q.name(), q);
        for (AgentInfo a : store.agents()) {
            AgentState s = new AgentState();
            s.info = a.status() == AgentStatus.LOST ? a : a.withStatus(AgentStatus.DISCONNECTED);
            s.lastHeartbeat = now; // a grace period of one heartbeat timeout to reconnect
            agents.put(a.id(), s);
        }
        // Every job not yet ended, whether or not a task of it is still live: a crash between a turn's
        // writes (they go to several maps in parallel) can leave a job RUNNING whose tasks all ended.
        Set<String> jobIds = new java.util.TreeSet<>();
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
                index(lj, t);
                anyLive |= !t.state().isTerminal();
            }
            live.put(lj.job.id(), lj);
            if (!anyLive) settle.add(lj);
        }
        for (LiveJob lj : settle) refreshRun(lj, now); // their outcome follows from their tasks; stored with this turn
        for (ActiveAttempt a : active.values()) {
            AgentState s = agents.get(a.agentId());
            if (s != null) s.allocated = s.allocated.plus(a.resources());
        }
        if (!live.isEmpty() || !agents.isEmpty())
            log.info("recovered {} live jobs, {} pending tasks, {} active attempts, {} agents", live.size(), pending.size(),
                    active.size(), agents.size());
    }

    // ---------------------------------------------------------------- submit / kill

    public CompletableFuture<SubmitResult> submit(JobSpec spec, String idempotencyKey) {
        return submit(spec, idempotencyKey, null);
    }

    /** Submits on behalf of {@code owner} (the token's subject; recorded on the job). */
    public CompletableFuture<SubmitResult> submit(JobSpec spec, String idempotencyKey, String owner) {
        return call(() -> doSubmit(spec, idempotencyKey, owner));
    }

    private SubmitResult doSubmit(JobSpec spec, String key, String owner) {
        if (!queues.containsKey(spec.queue()))
            throw new io.nightshift.api.spec.InvalidSpecException("/queue", "unknown queue '" + spec.queue()
                    + "'; known queues: " + String.join(", ", queues.keySet()));
        String hash = JobSpecParser.canonicalHash(spec);
        if (spec.id() != null) {
            Optional<Job> existing = readJob(spec.id());
            if (existing.isPresent()) return same(existing.get(), hash, "job '" + spec.id() + "'");
        }
        String id = spec.id();
        if (key != null) {
            Optional<String> bound = Optional.ofNullable(batch.keys.get(key)).or(() -> store.jobIdForKey(key));
            if (bound.isPresent()) {
                Optional<Job> existing = readJob(bound.get());
                if (existing.isPresent()) return same(existing.get(), hash, "idempotency key '" + key + "'");
                if (id == null) id = bound.get(); // bound but not stored: a crash between the two writes
            }
        }
        if (id == null) id = newJobId();
        if (key != null) batch.key(key, id);
        Instant now = clock.instant();
        JobSpec withId = spec.id() == null ? spec.withId(id) : spec;
        String runId = Run.idOf(id, 1);
        List<String> taskIds = new ArrayList<>();
        LiveJob lj = new LiveJob();
        for (int i = 0; i < withId.instances(); i++) {
            Task t = new Task(Task.SCHEMA_VERSION, Task.idOf(runId, i), id, runId, i, TaskState.PENDING, null, now, null, List.of());
            taskIds.add(t.id());
            lj.tasks.put(t.id(), t);
        }
        lj.run = new Run(Run.SCHEMA_VERSION, runId, id, 1, JobState.QUEUED, now, null, taskIds);
        lj.job = new Job(Job.SCHEMA_VERSION, id, withId, hash, key, JobState.QUEUED, null, false, now, now, null, List.of(runId), owner);
        for (Task t : lj.tasks.values()) batch.task(t);
        batch.run(lj.run);
        batch.job(lj.job); // stored with the turn, before the client hears 201
        live.put(id, lj);
        for (Task t : lj.tasks.values()) index(lj, t);
        metrics.jobsSubmitted.increment();
        publish(now, "job", id, id, null, null, JobState.QUEUED.name(), null, null);
        log.info("job {} accepted: type={} queue={} instances={}", id, withId.type().wire(), withId.queue(), withId.instances());
        requestCycle();
        return new SubmitResult(lj.job, true);
    }

    private static SubmitResult same(Job existing, String hash, String what) {
        if (existing.specHash().equals(hash)) return new SubmitResult(existing, false);
        throw new ConflictException(what + " already exists with a different spec");
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private String newJobId() {
        while (true) {
            StringBuilder sb = new StringBuilder("job-");
            for (int i = 0; i < 10; i++) sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
            if (readJob(sb.toString()).isEmpty()) return sb.toString();
        }
    }

    /** The job after a kill request; {@code requested} is false when it had already ended (nothing to do). */
    public record KillResult(Job job, boolean requested) {
    }

    /** Kills a job: pending tasks end at once, running ones get SIGTERM then SIGKILL. Empty when unknown. */
    public CompletableFuture<Optional<KillResult>> kill(String jobId) {
        return call(() -> {
            LiveJob lj = live.get(jobId);
            if (lj == null) return store.job(jobId).map(j -> new KillResult(j, false));
            Instant now = clock.instant();
            if (!lj.job.killRequested()) {
                lj.job = lj.job.withKillRequested(now);
                batch.job(lj.job);
                log.info("job {} kill requested", jobId);
            }
            for (Task t : List.copyOf(lj.tasks.values())) apply(lj, TaskLifecycle.onKillRequested(t, lj.job.spec(), now));
            refreshRun(lj, now);
            return Optional.of(new KillResult(lj.job, true));
        });
    }

    // ---------------------------------------------------------------- agents

    public void onRegister(AgentMessage.Register r, AgentLink link) {
        run("register " + r.agentId(), () -> {
            Instant now = clock.instant();
            AgentState s = agents.get(r.agentId());
            if (s == null) {
                s = new AgentState();
                agents.put(r.agentId(), s);
            } else if (s.link != null && s.link != link && s.link.isOpen()) {
                s.link.close("replaced by a new connection of the same agent");
            }
            s.link = link;
            s.lastHeartbeat = now;
            Instant registeredAt = s.info == null ? now : s.info.registeredAt();
            s.info = new AgentInfo(AgentInfo.SCHEMA_VERSION, r.agentId(), r.host(), r.httpUrl(), AgentStatus.ACTIVE,
                    r.total(), s.allocated, r.attributes(), r.isolation(), r.version(), registeredAt, now);
            batch.agent(s.info);
            publish(now, "agent", r.agentId(), null, null, r.agentId(), AgentStatus.ACTIVE.name(), null, null);
            log.info("agent {} registered: host={} cpus={} memMb={} isolation={} running={}", r.agentId(), r.host(),
                    r.total().cpus(), r.total().memMb(), r.isolation(), r.running().size());
            send(link, new CoordinatorMessage.Registered(r.agentId(), cfg.heartbeatInterval().toMillis(), epoch));
            reconcile(s, r, link, now);
            requestCycle();
        });
    }

    /**
     * After a (re)registration: the agent's view is the truth for what runs. Attempts it runs that
     * should not run are killed; attempts this coordinator believes active there that the agent
     * neither runs nor has updates for are gone (LOST, or simply re-queued if they never started).
     */
    private void reconcile(AgentState s, AgentMessage.Register r, AgentLink link, Instant now) {
        Set<String> known = new HashSet<>(r.running());
        known.addAll(r.reported());
        for (String attemptId : r.running()) {
            if (!active.containsKey(attemptId)) {
                log.warn("agent {} runs attempt {} that should not run: killing it", r.agentId(), attemptId);
                send(link, new CoordinatorMessage.Kill(attemptId, Duration.ofSeconds(5), Reason.RECONCILED, epoch));
            }
        }
        for (ActiveAttempt a : List.copyOf(active.values())) {
            if (!a.agentId().equals(r.agentId()) || known.contains(a.attemptId())) continue;
            LiveJob lj = live.get(a.jobId());
            Task task = lj == null ? null : lj.tasks.get(a.taskId());
            if (task == null) continue;
            log.warn("attempt {} is not on agent {} any more: reconciling", a.attemptId(), r.agentId());
            apply(lj, TaskLifecycle.onMissing(task, lj.job.spec(), lj.job.killRequested(), now));
            refreshRun(lj, now);
        }
    }

    public void onHeartbeat(String agentId, AgentLink link) {
        run("heartbeat " + agentId, () -> {
            AgentState s = agents.get(agentId);
            if (s == null || s.link != link) return;
            s.lastHeartbeat = clock.instant();
        });
    }

    public void onDisconnect(String agentId, AgentLink link) {
        run("disconnect " + agentId, () -> {
            AgentState s = agents.get(agentId);
            if (s == null || s.link != link) return;
            s.link = null;
            if (s.info.status() == AgentStatus.ACTIVE) {
                s.info = s.info.withStatus(AgentStatus.DISCONNECTED).withHeartbeat(s.lastHeartbeat);
                batch.agent(s.info);
                publish(clock.instant(), "agent", agentId, null, null, agentId, AgentStatus.DISCONNECTED.name(), null, null);
                log.info("agent {} disconnected; LOST unless it is back within {}", agentId, cfg.heartbeatTimeout());
            }
        });
    }

    public void onStatus(String agentId, AgentLink link, AgentMessage.StatusUpdate u) {
        run("status " + u.attemptId(), () -> {
            Instant now = clock.instant();
            String jobId = jobIdOf(u.taskId());
            LiveJob lj = jobId == null ? null : live.get(jobId);
            Task task = lj == null ? null : lj.tasks.get(u.taskId());
            if (task != null && !io.nightshift.coordinator.agents.AttemptHolder.mayReport(task, u.attemptId(), agentId)) {
                log.warn("status {} of attempt {} from agent {} refused: the attempt runs on another agent", u.state(),
                        u.attemptId(), agentId);
                return; // not acknowledged, nothing changed
            }
            if (task != null) {
                Transition t = TaskLifecycle.onStatus(task, lj.job.spec(), lj.job.killRequested(), u.attemptId(), u.state(),
                        u.reason(), u.exitCode(), u.message(), now);
                if (t.changed()) {
                    log.info("task {} attempt {} {}{}", u.taskId(), u.attemptId(), u.state(),
                            u.exitCode() == null ? "" : " exit=" + u.exitCode());
                    if (u.state() == TaskState.RUNNING && lj.job.state() == JobState.QUEUED)
                        metrics.submitToRunning.record(Duration.between(lj.job.submittedAt(), now));
                    if (u.state().isTerminal()) metrics.attemptEnded(u.state().name());
                }
                apply(lj, t);
                refreshRun(lj, now);
            }
            if (u.state().isActive() && !active.containsKey(u.attemptId())) {
                log.warn("agent {} reports attempt {} as {} but it should not run: killing it", agentId, u.attemptId(), u.state());
                send(link, new CoordinatorMessage.Kill(u.attemptId(), Duration.ofSeconds(5), Reason.RECONCILED, epoch));
            }
            send(link, new CoordinatorMessage.Ack(u.seq())); // stored (or stale): either way the agent may forget it
        });
    }

    private void checkAgents() {
        try {
            Instant now = clock.instant();
            for (AgentState s : agents.values()) {
                if (s.info.status() == AgentStatus.LOST) continue;
                if (Duration.between(s.lastHeartbeat, now).compareTo(cfg.heartbeatTimeout()) <= 0) continue;
                agentLost(s, now);
            }
        } catch (RuntimeException e) {
            log.error("agent check failed", e);
        }
    }

    private void agentLost(AgentState s, Instant now) {
        String agentId = s.info.id();
        log.warn("agent {} lost: no heartbeat since {}", agentId, s.lastHeartbeat);
        if (s.link != null) s.link.close("heartbeat timeout");
        s.link = null;
        for (ActiveAttempt a : List.copyOf(active.values())) {
            if (!a.agentId().equals(agentId)) continue;
            LiveJob lj = live.get(a.jobId());
            if (lj == null) continue;
            Task task = lj.tasks.get(a.taskId());
            apply(lj, TaskLifecycle.onAgentLost(task, lj.job.spec(), lj.job.killRequested(), now));
            refreshRun(lj, now);
        }
        s.allocated = Resources.ZERO;
        s.info = s.info.withStatus(AgentStatus.LOST).withAllocated(Resources.ZERO).withHeartbeat(s.lastHeartbeat);
        batch.agent(s.info);
        publish(now, "agent", agentId, null, null, agentId, AgentStatus.LOST.name(), Reason.AGENT_LOST.name(), null);
        requestCycle();
    }

    // ---------------------------------------------------------------- the offer cycle

    /** Runs a cycle soon (coalesced): a submit, an ended attempt or a new agent never waits for the timer. */
    private void requestCycle() {
        if (cycleQueued) return;
        cycleQueued = true;
        enqueue(this::safeCycle);
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
        List<AgentSlot> slots = new ArrayList<>();
        for (AgentState s : agents.values()) {
            if (s.info.status() != AgentStatus.ACTIVE || s.link == null) continue;
            Map<String, String> attributes = s.info.attributes();
            if (!attributes.containsKey("hostname")) {
                attributes = new HashMap<>(attributes);
                attributes.put("hostname", s.info.host());
            }
            slots.add(new AgentSlot(s.info.id(), s.info.total().minus(s.allocated), attributes, s.info.total()));
        }
        List<RunningTask> running = new ArrayList<>(active.size());
        for (ActiveAttempt a : active.values()) {
            running.add(new RunningTask(a.taskId(), a.jobId(), a.runId(), a.queue(), a.agentId(), a.resources(), a.priority(),
                    a.startedAt() == null ? now : a.startedAt(), preemptionsByRun.getOrDefault(a.runId(), 0),
                    terminating.contains(a.attemptId())));
        }
        Plan last = lastPlan;
        Plan plan = offerCycle.plan(ClusterSnapshot.builder(++cycleNumber, now).agents(slots)
                .pending(List.copyOf(pending.values())).queues(List.copyOf(queues.values())).running(running)
                .offers(last.offers()).declineFilters(last.declineFilters()).gangHolds(last.gangHolds()).build());
        for (Preemption p : plan.preemptions()) preempt(p);
        Set<AgentState> touched = new HashSet<>();
        for (Placement p : plan.placements()) {
            LiveJob lj = live.get(p.jobId());
            AgentState agent = agents.get(p.agentId());
            Task task = lj == null ? null : lj.tasks.get(p.taskId());
            if (task == null || agent == null || agent.link == null) continue;
            Task placed = TaskLifecycle.placed(task, p.agentId(), agent.info.host(), now);
            Attempt attempt = placed.currentAttempt();
            lj.tasks.put(placed.id(), placed);
            batch.task(placed);
            index(lj, placed);
            agent.allocated = agent.allocated.plus(lj.job.spec().resources());
            touched.add(agent);
            publish(now, "task", placed.id(), lj.job.id(), attempt.id(), p.agentId(), TaskState.STAGING.name(), null, null);
            send(agent.link, new CoordinatorMessage.Launch(lj.job.id(), lj.run.id(), placed.id(), attempt.id(),
                    attempt.number(), lj.job.spec(), epoch));
            metrics.tasksLaunched.increment();
            log.info("task {} attempt {} launched on agent {}", placed.id(), attempt.id(), p.agentId());
        }
        for (AgentState a : touched) saveAllocation(a);
        lastPlan = plan;
        if (plan.nextWakeUp() != null) armWake(plan.nextWakeUp());
        metrics.cycle.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    /** Tells the victim's agent to stop it (SIGTERM, its grace period, SIGKILL); it comes back PENDING as preempted. */
    private void preempt(Preemption p) {
        LiveJob lj = live.get(p.jobId());
        Task task = lj == null ? null : lj.tasks.get(p.taskId());
        Attempt a = task == null ? null : task.currentAttempt();
        if (a == null || !a.state().isActive() || !terminating.add(a.id())) return;
        AgentState s = agents.get(a.agentId());
        if (s == null || s.link == null) return;
        preemptionsByRun.merge(task.runId(), 1, Integer::sum);
        log.info("task {} attempt {} preempted on agent {} for task {}: {} ({})", task.id(), a.id(), a.agentId(),
                p.forTaskId(), p.code(), p.reason());
        send(s.link, new CoordinatorMessage.Kill(a.id(), lj.job.spec().killGracePeriod(), Reason.PREEMPTED, epoch));
    }

    private void armWake(Instant at) {
        if (wakeAt != null && !wakeAt.isAfter(at) && wakeTimer != null && !wakeTimer.isDone()) return;
        if (wakeTimer != null) wakeTimer.cancel(false);
        wakeAt = at;
        long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis() + 1);
        wakeTimer = exec.schedule(() -> enqueue(() -> {
            wakeAt = null;
            safeCycle();
        }), delay, TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- applying decisions

    private void apply(LiveJob lj, Transition t) {
        Task task = t.task();
        if (t.changed()) {
            lj.tasks.put(task.id(), task);
            batch.task(task);
            index(lj, task);
            Attempt a = task.currentAttempt();
            publish(clock.instant(), "task", task.id(), lj.job.id(), a == null ? null : a.id(),
                    a == null ? null : a.agentId(), task.state().name(), task.reason() == null ? null : task.reason().name(),
                    a == null ? null : a.exitCode());
        }
        for (Effect e : t.effects()) {
            if (e instanceof Effect.KillAttempt k) {
                AgentState s = agents.get(k.agentId());
                if (s != null && s.link != null) send(s.link, new CoordinatorMessage.Kill(k.attemptId(), k.grace(), k.reason(), epoch));
                log.info("task {} attempt {} kill sent to agent {} (grace {})", task.id(), k.attemptId(), k.agentId(), k.grace());
            } else if (e instanceof Effect.Release r) {
                AgentState s = agents.get(r.agentId());
                if (s != null && s.info.status() != AgentStatus.LOST) {
                    s.allocated = s.allocated.minus(r.resources());
                    saveAllocation(s);
                }
                requestCycle();
            } else if (e instanceof Effect.WakeAt w) {
                armWake(w.at());
            }
        }
    }

    /** Keeps the pending and active indexes in line with a task's new state. */
    private void index(LiveJob lj, Task t) {
        if (t.state() == TaskState.PENDING) {
            JobSpec spec = lj.job.spec();
            pending.put(t.id(), new PendingTask(t.id(), t.jobId(), spec.priority(), t.queuedAt(), t.notBefore(),
                    spec.resources(), spec.queue(), t.runId(), spec.instances(), spec.gang(), spec.constraints(), spec.deadline()));
        } else {
            pending.remove(t.id());
        }
        for (Attempt a : t.attempts()) {
            if (a.state().isActive()) {
                active.put(a.id(), new ActiveAttempt(a.id(), t.id(), t.jobId(), t.runId(), lj.job.spec().queue(),
                        lj.job.spec().priority(), a.agentId(), lj.job.spec().resources(), a.launchedAt()));
            } else {
                active.remove(a.id());
                terminating.remove(a.id());
            }
        }
    }

    private void refreshRun(LiveJob lj, Instant now) {
        RunLifecycle.Outcome o = RunLifecycle.derive(List.copyOf(lj.tasks.values()), lj.job.killRequested());
        if (o.state() != lj.run.state()) {
            lj.run = lj.run.withState(o.state(), now);
            batch.run(lj.run);
            publish(now, "run", lj.run.id(), lj.job.id(), null, null, o.state().name(),
                    o.reason() == null ? null : o.reason().name(), null);
        }
        if (o.state() != lj.job.state()) {
            lj.job = lj.job.withState(o.state(), o.reason(), now);
            batch.job(lj.job);
            publish(now, "job", lj.job.id(), lj.job.id(), null, null, o.state().name(),
                    o.reason() == null ? null : o.reason().name(), null);
            log.info("job {} {}{}", lj.job.id(), o.state(), o.reason() == null ? "" : " (" + o.reason() + ")");
        }
        if (o.state().isTerminal()) {
            live.remove(lj.job.id());
            preemptionsByRun.remove(lj.run.id());
            for (String taskId : lj.tasks.keySet()) pending.remove(taskId);
        }
    }

    private void saveAllocation(AgentState s) {
        s.info = s.info.withAllocated(s.allocated).withHeartbeat(s.lastHeartbeat);
        batch.agent(s.info);
    }

    private static String jobIdOf(String taskId) {
        int i = taskId == null ? -1 : taskId.lastIndexOf(".r");
        return i <= 0 ? null : taskId.substring(0, i);
    }

    // ---------------------------------------------------------------- queues

    /** Creates or replaces a queue; true when it was created. Stored before it is answered. */
    public CompletableFuture<Boolean> putQueue(io.nightshift.api.queue.QueueSpec q, boolean mustBeNew) {
        return call(() -> {
            boolean created = !queues.containsKey(q.name());
            if (!created && mustBeNew) throw new ConflictException("queue '" + q.name() + "' already exists");
            store.saveQueue(q);
            queues.put(q.name(), q);
            log.info("queue {} {}: weight={} guarantee={} limit={} maxRunning={}", q.name(), created ? "created" : "updated",
                    q.weight(), q.guarantee(), q.limit(), q.maxRunning());
            requestCycle();
            return created;
        });
    }

    /** Deletes an empty queue; false when there is no such queue. */
    public CompletableFuture<Boolean> deleteQueue(String name) {
        return call(() -> {
            if (!queues.containsKey(name)) return false;
            if (name.equals(io.nightshift.api.queue.QueueSpec.DEFAULT_NAME))
                throw new ConflictException("the default queue cannot be deleted");
            long jobs = live.values().stream().filter(j -> j.job.spec().queue().equals(name)).count();
            if (jobs > 0) throw new ConflictException("queue '" + name + "' still has " + jobs + " unfinished job(s)");
            store.deleteQueue(name);
            queues.remove(name);
            log.info("queue {} deleted", name);
            return true;
        });
    }

    public List<io.nightshift.api.queue.QueueSpec> queues() {
        return List.copyOf(queues.values());
    }

    // ---------------------------------------------------------------- reads for the API

    public Plan lastPlan() {
        return lastPlan;
    }

    /** Why each of these tasks waits, from the last cycle. */
    public Map<String, List<PendingReason>> pendingReasons(Collection<String> taskIds) {
        Map<String, List<PendingReason>> all = lastPlan.pendingReasons();
        Map<String, List<PendingReason>> out = new LinkedHashMap<>();
        for (String id : taskIds) {
            List<PendingReason> r = all.get(id);
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
        exec.shutdownNow();
        try {
            exec.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
