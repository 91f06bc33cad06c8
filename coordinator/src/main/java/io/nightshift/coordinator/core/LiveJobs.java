package io.nightshift.coordinator.core;

import io.nightshift.api.Resources;
import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.Run;
import io.nightshift.api.model.Task;
import io.nightshift.api.protocol.CoordinatorMessage;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import io.nightshift.coordinator.lifecycle.RunLifecycle;
import io.nightshift.coordinator.lifecycle.TaskLifecycle.Effect;
import io.nightshift.coordinator.lifecycle.TaskLifecycle.Transition;
import io.nightshift.coordinator.scheduling.PendingTask;
import io.nightshift.coordinator.scheduling.PlanApplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The core's working set: jobs not yet ended with their current run and tasks, the pending tasks (what
 * the scheduler sees), the active attempts (what runs where). Applies the lifecycle's decisions to it:
 * stages the changed task, publishes its event, carries out its effects, derives run and job states.
 * Core thread only.
 */
final class LiveJobs {
    private static final Logger log = LoggerFactory.getLogger(LiveJobs.class);

    /** A job not yet ended, its current run and that run's tasks. */
    static final class LiveJob {
        Job job;
        Run run;
        final Map<String, Task> tasks = new LinkedHashMap<>();
        /** The current run waits for its {@code after} jobs: its PENDING tasks are not offered to the scheduler yet. */
        boolean waitingUpstream;
    }

    record ActiveAttempt(String attemptId, String taskId, String jobId, String runId, String queue, int priority,
                         String agentId, Resources resources, Instant startedAt, java.time.Duration maxRuntime) {
    }

    final Map<String, LiveJob> live = new HashMap<>();
    final Map<String, PendingTask> pending = new LinkedHashMap<>();
    final Map<String, ActiveAttempt> active = new HashMap<>();
    /** Agent → ids of its active attempts: the same attempts as {@link #active}, kept in line by {@link #index}. */
    private final Map<String, java.util.Set<String>> activeByAgent = new HashMap<>();

    private final CoreLoop loop;
    private final PlanApplier applier;
    private final Runnable requestCycle;
    private final Consumer<Instant> wakeAt;
    private AgentRegistry agents;
    private java.util.function.Function<String, io.nightshift.api.queue.QueueSpec> queues;
    private io.nightshift.coordinator.scheduling.FinishRates finishRates;

    LiveJobs(CoreLoop loop, PlanApplier applier, Runnable requestCycle, Consumer<Instant> wakeAt) {
        this.loop = loop;
        this.applier = applier;
        this.requestCycle = requestCycle;
        this.wakeAt = wakeAt;
    }

    void agents(AgentRegistry agents) {
        this.agents = agents;
    }

    void queues(java.util.function.Function<String, io.nightshift.api.queue.QueueSpec> queues) {
        this.queues = queues;
    }

    /** Where ended attempts are counted, per queue, for pending tasks' ETAs. */
    void finishRates(io.nightshift.coordinator.scheduling.FinishRates rates) {
        this.finishRates = rates;
    }

    /** The job's pending timeout, else its queue's, else none. */
    private java.time.Duration pendingTimeout(JobSpec spec) {
        if (spec.pendingTimeout() != null || queues == null) return spec.pendingTimeout();
        io.nightshift.api.queue.QueueSpec q = queues.apply(spec.queue());
        return q == null ? null : q.pendingTimeout();
    }

    LiveJob get(String jobId) {
        return jobId == null ? null : live.get(jobId);
    }

    /** Stages a task's transition, publishes it and carries out its effects. */
    void apply(LiveJob lj, Transition t) {
        Task task = t.task();
        if (t.changed()) {
            lj.tasks.put(task.id(), task);
            loop.batch().task(task);
            index(lj, task);
            Attempt a = task.currentAttempt();
            loop.publish(loop.clock().instant(), "task", task.id(), lj.job.id(), a == null ? null : a.id(),
                    a == null ? null : a.agentId(), task.state().name(), task.reason() == null ? null : task.reason().name(),
                    a == null ? null : a.exitCode(), a != null && a.state() == TaskState.FETCHING ? a.fetch() : null,
                    a == null ? null : a.app());
        }
        for (Effect e : t.effects()) {
            if (e instanceof Effect.KillAttempt k) {
                agents.send(k.agentId(), new CoordinatorMessage.Kill(k.attemptId(), k.grace(), k.reason(), agents.epoch()));
                log.info("task {} attempt {} kill sent to agent {} (grace {})", task.id(), k.attemptId(), k.agentId(), k.grace());
            } else if (e instanceof Effect.Release r) {
                agents.release(r.agentId(), r.resources());
                requestCycle.run();
            } else if (e instanceof Effect.WakeAt w) {
                wakeAt.accept(w.at());
            }
        }
    }

    private Deadlines deadlines;

    void deadlines(Deadlines d) {
        this.deadlines = d;
    }

    /** EDF goes by each run's own deadline: a time-of-day deadline resolves per firing. */
    private static Instant runDeadline(LiveJob lj, JobSpec spec) {
        return lj.run == null ? spec.deadline() : Deadlines.deadlineOf(spec, lj.run);
    }

    /**
     * The active attempts on {@code agentId} (a view; do not change {@link #active} while iterating it): a heartbeat's
     * reconciliation and an agent's loss look at one agent's attempts, not at every attempt of the cluster.
     */
    java.util.Set<String> activeOn(String agentId) {
        java.util.Set<String> ids = activeByAgent.get(agentId);
        return ids == null ? java.util.Set.of() : java.util.Collections.unmodifiableSet(ids);
    }

    private void unindexAgent(ActiveAttempt a) {
        java.util.Set<String> ids = activeByAgent.get(a.agentId());
        if (ids == null) return;
        ids.remove(a.attemptId());
        if (ids.isEmpty()) activeByAgent.remove(a.agentId());
    }

    /** Keeps the pending and active indexes in line with a task's new state. */
    void index(LiveJob lj, Task t) {
        JobSpec spec = lj.job.spec();
        if (t.state() == TaskState.PENDING && !lj.waitingUpstream) {
            pending.put(t.id(), new PendingTask(t.id(), t.jobId(), spec.priority(), t.queuedAt(), t.notBefore(),
                    spec.resources(), spec.queue(), t.runId(), spec.instances(), spec.gang(),
                    io.nightshift.coordinator.scheduling.DefaultSpread.constraints(spec), runDeadline(lj, spec),
                    pendingTimeout(spec), spec.maxRuntime()).night(spec.revocable(), spec.window(), spec.maxRuntime()));
        } else {
            pending.remove(t.id());
        }
        for (Attempt a : t.attempts()) {
            if (a.state().isActive()) {
                ActiveAttempt before = active.put(a.id(), new ActiveAttempt(a.id(), t.id(), t.jobId(), t.runId(), spec.queue(),
                        spec.priority(), a.agentId(), spec.resources(), a.launchedAt(), spec.maxRuntime()));
                if (before != null) unindexAgent(before);
                activeByAgent.computeIfAbsent(a.agentId(), k -> new java.util.HashSet<>()).add(a.id());
            } else if (active.containsKey(a.id())) {
                unindexAgent(active.remove(a.id()));
                applier.ended(t.id());
                if (finishRates != null) finishRates.ended(spec.queue(), loop.clock().instant());
            }
        }
    }

    /**
     * Derives the run's and the job's states from the tasks; an ended job leaves the working set. A scheduled job
     * outlives its runs: between them it is QUEUED (waiting for its next firing) and ends only when it was killed
     * or its schedule will never fire again (an {@code at} that has run).
     */
    void refreshRun(LiveJob lj, Instant now) {
        boolean scheduled = lj.job.spec().schedule() != null && lj.job.schedule() != null;
        RunLifecycle.Outcome o;
        if (lj.run == null) { // a scheduled job that has not fired yet
            o = lj.job.killRequested() ? new RunLifecycle.Outcome(JobState.KILLED, Reason.KILLED_BY_USER)
                    : new RunLifecycle.Outcome(JobState.FAILED, null);      // exhausted without a run: its times were skipped
            if (!lj.job.killRequested() && !exhausted(lj.job)) return;
        } else if (lj.run.state().isTerminal()) { // between firings: the last run's outcome stands
            o = lj.job.killRequested() ? new RunLifecycle.Outcome(JobState.KILLED, Reason.KILLED_BY_USER)
                    : new RunLifecycle.Outcome(lj.run.state(), null);
        } else {
            o = RunLifecycle.derive(List.copyOf(lj.tasks.values()), lj.job.killRequested());
            if (o.state() != lj.run.state()) {
                lj.run = lj.run.withState(o.state(), now);
                loop.batch().run(lj.run);
                loop.publish(now, "run", lj.run.id(), lj.job.id(), null, null, o.state().name(),
                        o.reason() == null ? null : o.reason().name(), null);
                if (o.state().isTerminal()) {
                    applier.runEnded(lj.run.id());
                    if (deadlines != null) deadlines.runEnded(lj, o.state(), now);
                }
            }
        }
        JobState jobState = o.state();
        Reason jobReason = o.reason();
        if (scheduled && jobState.isTerminal() && !lj.job.killRequested() && !exhausted(lj.job)) {
            jobState = JobState.QUEUED; // waits for its next firing
            jobReason = null;
            requestCycle.run();        // a firing that waited for this run may start now
        }
        if (jobState != lj.job.state()) {
            lj.job = lj.job.withState(jobState, jobReason, now);
            loop.batch().job(lj.job);
            loop.publish(now, "job", lj.job.id(), lj.job.id(), null, null, jobState.name(),
                    jobReason == null ? null : jobReason.name(), null);
            log.info("job {} {}{}", lj.job.id(), jobState, jobReason == null ? "" : " (" + jobReason + ")");
        }
        if (jobState.isTerminal()) {
            live.remove(lj.job.id());
            if (lj.run != null) applier.runEnded(lj.run.id());
            for (String taskId : lj.tasks.keySet()) pending.remove(taskId);
        }
    }

    /** A schedule that will never fire again and owes no run. */
    static boolean exhausted(Job job) {
        return job.schedule() != null && job.schedule().nextFireAt() == null && job.schedule().owed().isEmpty();
    }

    /** The job id of a task id ({@code <job>.r<n>.<i>}), or null. */
    static String jobIdOf(String taskId) {
        int i = taskId == null ? -1 : taskId.lastIndexOf(".r");
        return i <= 0 ? null : taskId.substring(0, i);
    }
}
