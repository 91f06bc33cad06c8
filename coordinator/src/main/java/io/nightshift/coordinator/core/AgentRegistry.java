package io.nightshift.coordinator.core;

import io.nightshift.api.Resources;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.AgentInfo.AgentStatus;
import io.nightshift.api.model.OwnerLoad;
import io.nightshift.api.model.Task;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.protocol.CoordinatorMessage;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import io.nightshift.coordinator.CoordinatorConfig;
import io.nightshift.coordinator.agents.AgentLink;
import io.nightshift.coordinator.core.LiveJobs.ActiveAttempt;
import io.nightshift.coordinator.core.LiveJobs.LiveJob;
import io.nightshift.coordinator.lifecycle.TaskLifecycle;
import io.nightshift.coordinator.lifecycle.TaskLifecycle.Transition;
import io.nightshift.coordinator.scheduling.AgentSlot;
import io.nightshift.coordinator.scheduling.PlanApplier;
import io.nightshift.coordinator.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agents the leader knows: their links, heartbeats and what is allocated on them (booked in the
 * {@link PlanApplier}). Registration with reconciliation (the agent's view is the truth for what runs),
 * heartbeats, disconnects, status updates, and LOST after the heartbeat timeout. Core thread only.
 */
final class AgentRegistry {
    private static final Logger log = LoggerFactory.getLogger(AgentRegistry.class);

    static final class AgentState {
        AgentInfo info;
        AgentLink link;
        Instant lastHeartbeat;
        /** When the owner load was last written to the store. */
        Instant loadStoredAt;
        /** What this agent's heartbeats and the leader disagree on, and since when. */
        final HeartbeatReconciler reconciler = new HeartbeatReconciler();
    }

    /** How often an agent's owner load is stored even when it did not move. */
    static final Duration LOAD_STORE_EVERY = Duration.ofSeconds(30);

    /** Computes an agent's idle capacity; replaced by the pools once they are known. */
    interface IdleCapacity {
        Resources idle(AgentInfo agent, Resources allocated, OwnerLoad load, Instant now);

        /** The agent as the scheduler sees it; outside any pool, total minus allocated (owner load is not deducted). */
        default AgentSlot slot(AgentInfo a, Resources allocated, Map<String, String> attributes, Instant now) {
            return new AgentSlot(a.id(), a.total().minus(allocated), attributes, a.total());
        }

        IdleCapacity NO_POOLS = (a, allocated, load, now) -> a.total().minus(allocated)
                .minus(new Resources(load.cpus(), load.memMb(), 0, 0));
    }

    private IdleCapacity idleCapacity = IdleCapacity.NO_POOLS;

    void idleCapacity(IdleCapacity c) {
        this.idleCapacity = c;
    }

    final Map<String, AgentState> agents = new HashMap<>();
    private final CoreLoop loop;
    private final LiveJobs jobs;
    private final PlanApplier applier;
    private final CoordinatorConfig cfg;
    private final Metrics metrics;
    private final Runnable requestCycle;
    /** The leader's fencing token, sent with every launch and kill (0 while there is no durable epoch). */
    private long epoch;

    AgentRegistry(CoreLoop loop, LiveJobs jobs, PlanApplier applier, CoordinatorConfig cfg, Metrics metrics,
                  Runnable requestCycle) {
        this.loop = loop;
        this.jobs = jobs;
        this.applier = applier;
        this.cfg = cfg;
        this.metrics = metrics;
        this.requestCycle = requestCycle;
    }

    long epoch() {
        return epoch;
    }

    void epoch(long epoch) {
        this.epoch = epoch;
    }

    AgentState get(String agentId) {
        return agents.get(agentId);
    }

    /** Sends to the agent once the turn is stored, if it is connected. */
    void send(String agentId, CoordinatorMessage m) {
        AgentState s = agents.get(agentId);
        if (s != null && s.link != null) loop.send(s.link, m);
    }

    /** The stored agents, DISCONNECTED (unless LOST) with one heartbeat timeout to come back. */
    void recover(StateStore store, Instant now) {
        for (AgentInfo a : store.agents()) {
            AgentState s = new AgentState();
            s.info = a.status() == AgentStatus.LOST ? a : a.withStatus(AgentStatus.DISCONNECTED);
            s.lastHeartbeat = now;
            agents.put(a.id(), s);
        }
    }

    /** The connected, active agents as the scheduler sees them: total minus what is allocated. */
    List<AgentSlot> slots() {
        List<AgentSlot> slots = new ArrayList<>();
        for (AgentState s : agents.values()) {
            if (s.info.status() != AgentStatus.ACTIVE || s.link == null) continue;
            Map<String, String> attributes = s.info.attributes();
            if (!attributes.containsKey("hostname")) {
                attributes = new HashMap<>(attributes);
                attributes.put("hostname", s.info.host());
            }
            slots.add(idleCapacity.slot(s.info, applier.allocated(s.info.id()), attributes, loop.clock().instant()));
        }
        return slots;
    }

    /** An ended attempt's resources are free again on its agent (unless the agent is LOST). */
    void release(String agentId, Resources r) {
        AgentState s = agents.get(agentId);
        if (s != null && s.info.status() != AgentStatus.LOST) {
            applier.release(agentId, r);
            saveAllocation(s);
        }
    }

    void saveAllocation(AgentState s) {
        s.info = s.info.withAllocated(applier.allocated(s.info.id())).withHeartbeat(s.lastHeartbeat);
        loop.batch().agent(s.info);
    }

    void onRegister(AgentMessage.Register r, AgentLink link) {
        loop.run("register " + r.agentId(), () -> {
            Instant now = loop.clock().instant();
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
                    r.total(), applier.allocated(r.agentId()), r.attributes(), r.isolation(), r.version(), registeredAt, now);
            loop.batch().agent(s.info);
            loop.publish(now, "agent", r.agentId(), null, null, r.agentId(), AgentStatus.ACTIVE.name(), null, null);
            log.info("agent {} registered: host={} cpus={} memMb={} isolation={} running={}", r.agentId(), r.host(),
                    r.total().cpus(), r.total().memMb(), r.isolation(), r.running().size());
            loop.send(link, new CoordinatorMessage.Registered(r.agentId(), cfg.heartbeatInterval().toMillis(), epoch));
            reconcile(r, link, now);
            s.reconciler.reset();
            requestCycle.run();
        });
    }

    /**
     * After a (re)registration: the agent's view is the truth for what runs. Attempts it runs that
     * should not run are killed; attempts this coordinator believes active there that the agent
     * neither runs nor has updates for are gone (LOST, or simply re-queued if they never started).
     */
    private void reconcile(AgentMessage.Register r, AgentLink link, Instant now) {
        Set<String> known = new HashSet<>(r.running());
        known.addAll(r.reported());
        for (String attemptId : r.running()) {
            if (!jobs.active.containsKey(attemptId)) {
                log.warn("agent {} runs attempt {} that should not run: killing it", r.agentId(), attemptId);
                loop.send(link, new CoordinatorMessage.Kill(attemptId, Duration.ofSeconds(5), Reason.RECONCILED, epoch));
            }
        }
        for (String id : List.copyOf(jobs.activeOn(r.agentId()))) {
            ActiveAttempt a = jobs.active.get(id);
            if (a == null || known.contains(id)) continue;
            LiveJob lj = jobs.get(a.jobId());
            Task task = lj == null ? null : lj.tasks.get(a.taskId());
            if (task == null) continue;
            log.warn("attempt {} is not on agent {} any more: reconciling", a.attemptId(), r.agentId());
            jobs.apply(lj, TaskLifecycle.onMissing(task, lj.job.spec(), lj.job.killRequested(), now));
            jobs.refreshRun(lj, now);
        }
    }

    void onHeartbeat(String agentId, AgentLink link, OwnerLoad load) {
        onHeartbeat(agentId, link, load, null, null);
    }

    /**
     * A heartbeat; when it lists the agent's attempts ({@code running} not null: agents since the periodic
     * reconciliation), what disagrees with the leader for a heartbeat timeout is reconciled as at registration.
     */
    void onHeartbeat(String agentId, AgentLink link, OwnerLoad load, List<String> running, List<String> reported) {
        loop.run("heartbeat " + agentId, () -> {
            AgentState s = agents.get(agentId);
            if (s == null || s.link != link) return;
            Instant now = loop.clock().instant();
            s.lastHeartbeat = now;
            if (load != null) ownerLoad(s, load, now);
            if (running != null) reconcile(s, link, running, reported == null ? List.of() : reported, now);
        });
    }

    private void reconcile(AgentState s, AgentLink link, List<String> running, List<String> reported, Instant now) {
        String agentId = s.info.id();
        Set<String> here = new HashSet<>(jobs.activeOn(agentId)); // a copy: the verdict below changes the index
        HeartbeatReconciler.Verdict v = s.reconciler.onHeartbeat(here, jobs.active.keySet(), running, reported, now,
                cfg.heartbeatTimeout());
        if (v.isEmpty()) return;
        for (String attemptId : v.kill()) {
            log.warn("agent {} has run attempt {} for {} though it should not run: killing it", agentId, attemptId,
                    cfg.heartbeatTimeout());
            loop.send(link, new CoordinatorMessage.Kill(attemptId, Duration.ofSeconds(5), Reason.RECONCILED, epoch));
        }
        for (String attemptId : v.gone()) {
            ActiveAttempt a = jobs.active.get(attemptId);
            LiveJob lj = a == null ? null : jobs.get(a.jobId());
            Task task = lj == null ? null : lj.tasks.get(a.taskId());
            if (task == null) continue;
            log.warn("attempt {} of task {} has not been on agent {} for {}: reconciling", attemptId, a.taskId(), agentId,
                    cfg.heartbeatTimeout());
            jobs.apply(lj, TaskLifecycle.onMissing(task, lj.job.spec(), lj.job.killRequested(), now));
            jobs.refreshRun(lj, now);
        }
        if (!v.gone().isEmpty()) requestCycle.run();
    }

    /**
     * Keeps the agent's owner load and its idle capacity. Stored (and so shown by {@code GET /v1/agents})
     * when it moved by more than a tenth of a core or 64 MiB, or every {@link #LOAD_STORE_EVERY}: the
     * scheduler reads the in-memory value every cycle, the store does not need every heartbeat.
     */
    private void ownerLoad(AgentState s, OwnerLoad load, Instant now) {
        OwnerLoad before = s.info.ownerLoad();
        Resources idle = idle(s.info, load, now);
        boolean store = load.differsFrom(before, 0.1, 64) || s.loadStoredAt == null
                || !now.isBefore(s.loadStoredAt.plus(LOAD_STORE_EVERY)) || !idle.equals(s.info.idle());
        s.info = s.info.withOwnerLoad(load, idle);
        metrics.agentCapacity(s.info.id(), s.info.pool(), load, idle);
        if (store) {
            s.loadStoredAt = now;
            s.info = s.info.withHeartbeat(s.lastHeartbeat);
            loop.batch().agent(s.info);
        }
    }

    /** Idle capacity of an agent: total − allocated − owner load (the pool's reservation and headroom: see pools). */
    Resources idle(AgentInfo a, OwnerLoad load, Instant now) {
        return idleCapacity.idle(a, applier.allocated(a.id()), load, now);
    }

    void onDisconnect(String agentId, AgentLink link) {
        loop.run("disconnect " + agentId, () -> {
            AgentState s = agents.get(agentId);
            if (s == null || s.link != link) return;
            s.link = null;
            if (s.info.status() == AgentStatus.ACTIVE) {
                s.info = s.info.withStatus(AgentStatus.DISCONNECTED).withHeartbeat(s.lastHeartbeat);
                loop.batch().agent(s.info);
                loop.publish(loop.clock().instant(), "agent", agentId, null, null, agentId, AgentStatus.DISCONNECTED.name(),
                        null, null);
                log.info("agent {} disconnected; LOST unless it is back within {}", agentId, cfg.heartbeatTimeout());
            }
        });
    }

    void onStatus(String agentId, AgentLink link, AgentMessage.StatusUpdate u) {
        loop.run("status " + u.attemptId(), () -> {
            Instant now = loop.clock().instant();
            LiveJob lj = jobs.get(LiveJobs.jobIdOf(u.taskId()));
            Task task = lj == null ? null : lj.tasks.get(u.taskId());
            if (task != null && !io.nightshift.coordinator.agents.AttemptHolder.mayReport(task, u.attemptId(), agentId)) {
                log.warn("status {} of attempt {} from agent {} refused: the attempt runs on another agent", u.state(),
                        u.attemptId(), agentId);
                return; // not acknowledged, nothing changed
            }
            if (task != null) {
                Transition t = TaskLifecycle.onStatus(task, lj.job.spec(), lj.job.killRequested(), u.attemptId(), u.state(),
                        u.reason(), u.exitCode(), u.message(), u.fetch(), u.app(), now);
                if (t.changed()) {
                    log.info("task {} attempt {} {}{}", u.taskId(), u.attemptId(), u.state(),
                            u.exitCode() == null ? "" : " exit=" + u.exitCode());
                    if (u.state() == TaskState.RUNNING && lj.job.state() == JobState.QUEUED)
                        metrics.submitToRunning.record(Duration.between(lj.job.submittedAt(), now));
                    if (u.state().isTerminal()) metrics.attemptEnded(u.state().name());
                }
                jobs.apply(lj, t);
                jobs.refreshRun(lj, now);
            }
            if (u.state().isActive() && !jobs.active.containsKey(u.attemptId())) {
                log.warn("agent {} reports attempt {} as {} but it should not run: killing it", agentId, u.attemptId(), u.state());
                loop.send(link, new CoordinatorMessage.Kill(u.attemptId(), Duration.ofSeconds(5), Reason.RECONCILED, epoch));
            }
            loop.send(link, new CoordinatorMessage.Ack(u.seq())); // stored (or stale): either way the agent may forget it
        });
    }

    /** Agents silent past the heartbeat timeout are LOST. */
    void check() {
        try {
            Instant now = loop.clock().instant();
            for (AgentState s : agents.values()) {
                if (s.info.status() == AgentStatus.LOST) continue;
                if (Duration.between(s.lastHeartbeat, now).compareTo(cfg.heartbeatTimeout()) <= 0) continue;
                lost(s, now);
            }
        } catch (RuntimeException e) {
            log.error("agent check failed", e);
        }
    }

    private void lost(AgentState s, Instant now) {
        String agentId = s.info.id();
        log.warn("agent {} lost: no heartbeat since {}", agentId, s.lastHeartbeat);
        if (s.link != null) s.link.close("heartbeat timeout");
        s.link = null;
        for (String id : List.copyOf(jobs.activeOn(agentId))) {
            ActiveAttempt a = jobs.active.get(id);
            LiveJob lj = a == null ? null : jobs.get(a.jobId());
            if (lj == null) continue;
            Task task = lj.tasks.get(a.taskId());
            jobs.apply(lj, TaskLifecycle.onAgentLost(task, lj.job.spec(), lj.job.killRequested(), now));
            jobs.refreshRun(lj, now);
        }
        applier.forgetAgent(agentId);
        s.info = s.info.withStatus(AgentStatus.LOST).withAllocated(Resources.ZERO).withHeartbeat(s.lastHeartbeat);
        loop.batch().agent(s.info);
        loop.publish(now, "agent", agentId, null, null, agentId, AgentStatus.LOST.name(), Reason.AGENT_LOST.name(), null);
        requestCycle.run();
    }
}
