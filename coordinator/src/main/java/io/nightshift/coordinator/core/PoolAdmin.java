package io.nightshift.coordinator.core;

import io.nightshift.api.Resources;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.OwnerLoad;
import io.nightshift.api.pool.PoolSpec;
import io.nightshift.api.pool.WindowSpec;
import io.nightshift.coordinator.pools.Capacity;
import io.nightshift.coordinator.pools.HourOfWeekProfile;
import io.nightshift.coordinator.pools.PoolSlots;
import io.nightshift.coordinator.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The pools: created, replaced and deleted through the core thread and stored before the answer; read by
 * API threads. Computes each agent's idle capacity from its pool ({@link Capacity}) and keeps the per-pool
 * hour-of-week profile ({@link HourOfWeekProfile}) as the agents report.
 */
final class PoolAdmin implements AgentRegistry.IdleCapacity {
    private static final Logger log = LoggerFactory.getLogger(PoolAdmin.class);

    private final ConcurrentSkipListMap<String, PoolSpec> pools = new ConcurrentSkipListMap<>();
    private final HourOfWeekProfile profile = new HourOfWeekProfile();
    private final CoreLoop loop;
    private final StateStore store;
    private final Runnable requestCycle;

    PoolAdmin(CoreLoop loop, StateStore store, Runnable requestCycle) {
        this.loop = loop;
        this.store = store;
        this.requestCycle = requestCycle;
    }

    void recover() {
        for (PoolSpec p : store.pools()) pools.put(p.name(), p);
        for (Map.Entry<String, String> e : store.poolProfiles().entrySet()) {
            try {
                profile.restore(io.nightshift.api.json.Json.read(e.getValue(), HourOfWeekProfile.Stored.class));
            } catch (RuntimeException bad) { // a profile is a forecast: one that cannot be read is learnt again
                log.warn("pool {}: stored hour-of-week profile not restored ({}); it is learnt again", e.getKey(), bad.getMessage());
            }
        }
    }

    PoolSpec get(String name) {
        return name == null ? null : pools.get(name);
    }

    List<PoolSpec> all() {
        return List.copyOf(pools.values());
    }

    HourOfWeekProfile profile() {
        return profile;
    }

    @Override
    public Resources idle(AgentInfo agent, Resources allocated, OwnerLoad load, Instant now) {
        PoolSpec pool = get(agent.pool());
        Resources idle = Capacity.idle(agent.total(), allocated, load, pool, now);
        if (agent.pool() != null && profile.observe(agent.pool(), zone(pool), agent.id(), now, idle))
            profile.snapshot(agent.pool()).ifPresent(s -> store.savePoolProfile(s.id(), io.nightshift.api.json.Json.write(s)));
        return idle;
    }

    /** The agent as the scheduler sees it: {@link PoolSlots#slot} in a declared pool. */
    @Override
    public io.nightshift.coordinator.scheduling.AgentSlot slot(AgentInfo a, Resources allocated, Map<String, String> attributes,
                                                              Instant now) {
        PoolSpec pool = get(a.pool());
        if (pool == null) return AgentRegistry.IdleCapacity.super.slot(a, allocated, attributes, now);
        return PoolSlots.slot(a.id(), a.total(), allocated, attributes, a.ownerLoad(), pool, now, pool.effectiveReclaimLead());
    }

    /** What must be given back on an agent now ({@link PoolSlots#reclaim}, with the pool's reclaim lead). */
    static Resources reclaim(AgentInfo a, Resources allocated, OwnerLoad load, PoolSpec pool, Instant now) {
        return PoolSlots.reclaim(a.total(), allocated, load, pool, now, pool.effectiveReclaimLead());
    }

    /** The pool's local time for its profile: its first window's zone, else UTC. */
    static ZoneId zone(PoolSpec pool) {
        return pool == null || pool.windows().isEmpty() ? ZoneOffset.UTC : pool.windows().get(0).zone();
    }

    /** Creates or replaces a pool; true when it was created. Stored before it is answered. */
    CompletableFuture<Boolean> put(PoolSpec p, boolean mustBeNew) {
        return loop.call(() -> {
            boolean created = !pools.containsKey(p.name());
            if (!created && mustBeNew) throw new SchedulerCore.ConflictException("pool '" + p.name() + "' already exists");
            store.savePool(p);
            pools.put(p.name(), p);
            log.info("pool {} {}: reservation={} headroom={} windows={} reclaimLead={}", p.name(), created ? "created" : "updated",
                    p.reservation(), p.headroom(), p.windows().stream().map(WindowSpec::toString).toList(), p.effectiveReclaimLead());
            requestCycle.run();
            return created;
        });
    }

    /** Deletes a pool (its agents then lend nothing and keep nothing back); false when there is no such pool. */
    CompletableFuture<Boolean> delete(String name) {
        return loop.call(() -> {
            if (pools.remove(name) == null) return false;
            store.deletePool(name);
            log.info("pool {} deleted", name);
            requestCycle.run();
            return true;
        });
    }

    /** For readers: every pool's spec and its forecast profile. */
    Map<String, Resources> profileOf(String pool) {
        return profile.profile(pool);
    }
}
