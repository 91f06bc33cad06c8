package io.nightshift.coordinator.utilization;

import io.nightshift.api.Resources;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.coordinator.state.StateStore;
import java.time.Clock;
import java.time.Duration;
import io.nightshift.api.pool.PoolSpec;
import io.nightshift.coordinator.pools.Capacity;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code interval}, records what the cluster's active agents hold for placed tasks out of their total
 * into a {@link UtilizationHistory}. Reads the agents from the state store (the shared maps), so every
 * coordinator, leader or follower, keeps its own history and can answer for it. With a {@link PoolUtilizationHistory},
 * also each declared pool's total, used, owners', idle and lent capacity. One daemon thread.
 */
public final class UtilizationSampler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UtilizationSampler.class);

    private final StateStore store;
    private final UtilizationHistory history;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final java.util.function.Supplier<Collection<PoolSpec>> pools;
    private final PoolUtilizationHistory poolHistory; // nullable: no per-pool series
    private final Duration poolStep;
    private final Clock windowClock; // the scheduler's: which windows are open
    private Instant lastPoolSample = Instant.MIN;

    public UtilizationSampler(StateStore store, UtilizationHistory history, Clock clock, Duration interval) {
        this(store, history, clock, interval, List::of, null, interval, clock);
    }

    /**
     * Also records each pool of {@code pools} into {@code poolHistory} at the first tick {@code poolStep} after the
     * last pool sample, with the windows open at {@code windowClock}'s time.
     */
    public UtilizationSampler(StateStore store, UtilizationHistory history, Clock clock, Duration interval,
                              java.util.function.Supplier<Collection<PoolSpec>> pools, PoolUtilizationHistory poolHistory,
                              Duration poolStep, Clock windowClock) {
        this.windowClock = windowClock;
        this.store = store;
        this.history = history;
        this.clock = clock;
        this.pools = pools;
        this.poolHistory = poolHistory;
        this.poolStep = poolStep;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nightshift-utilization");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sampleNow, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Takes one sample now (also called by the timer). */
    void sampleNow() {
        try {
            Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS); // as the CSV keeps it
            Collection<AgentInfo> agents = store.agents();
            history.add(sample(agents, now));
            if (poolHistory != null && !now.isBefore(lastPoolSample.plus(poolStep).minusMillis(poolStep.toMillis() / 10))) {
                lastPoolSample = now;
                for (Map.Entry<String, PoolUtilizationHistory.Sample> e : poolSamples(agents, pools.get(), now, windowClock.instant()).entrySet())
                    poolHistory.add(e.getKey(), e.getValue());
            }
        } catch (RuntimeException e) { // the store may be closing; the next tick tries again
            log.debug("utilization sample failed: {}", e.toString());
        }
    }

    /** Pure: the cluster's used/total over the ACTIVE agents of {@code agents} at {@code at}. */
    static UtilizationHistory.Sample sample(Collection<AgentInfo> agents, java.time.Instant at) {
        Resources used = Resources.ZERO, total = Resources.ZERO;
        int n = 0;
        for (AgentInfo a : agents) {
            if (a.status() != AgentInfo.AgentStatus.ACTIVE || a.total() == null) continue;
            used = used.plus(a.allocated());
            total = total.plus(a.total());
            n++;
        }
        return new UtilizationHistory.Sample(at, used, total, n);
    }

    /** Pure: each pool of {@code pools} sampled by {@link #poolSample}, by pool name in the given order. */
    static Map<String, PoolUtilizationHistory.Sample> poolSamples(Collection<AgentInfo> agents, Collection<PoolSpec> pools, Instant at,
                                                                   Instant windowsAt) {
        Map<String, PoolUtilizationHistory.Sample> out = new LinkedHashMap<>();
        for (PoolSpec p : pools) out.put(p.name(), poolSample(p, agents, at, windowsAt));
        return out;
    }

    /** Whether {@code a} counts towards pool {@code p}: an ACTIVE agent of that pool (by its {@code pool} attribute). */
    public static boolean inPool(AgentInfo a, PoolSpec p) {
        return p.name().equals(a.pool()) && a.status() == AgentInfo.AgentStatus.ACTIVE && a.total() != null;
    }

    /**
     * Pure: pool {@code p}'s sample at {@code at} over its agents ({@link #inPool}), with the arithmetic of
     * {@link Capacity} at {@code windowsAt} (the scheduler's time, which decides the open windows). {@code lent}: per
     * agent, the part of the reservation the owners do not use themselves, while a window is open. {@code idle} is
     * computed at {@code windowsAt} too, not taken from the agent's last report.
     */
    public static PoolUtilizationHistory.Sample poolSample(PoolSpec p, Collection<AgentInfo> agents, Instant at, Instant windowsAt) {
        boolean lending = p.lending(windowsAt);
        Resources total = Resources.ZERO, used = Resources.ZERO, owners = Resources.ZERO, idle = Resources.ZERO, lent = Resources.ZERO;
        int n = 0;
        for (AgentInfo a : agents) {
            if (!inPool(a, p)) continue;
            n++;
            total = total.plus(a.total());
            used = used.plus(a.allocated());
            owners = owners.plus(Capacity.owners(a.ownerLoad(), p, windowsAt));
            // at windowsAt, as owners and lending are: the agent's own idle is as of its last report, which may be
            // from before a window opened or closed
            idle = idle.plus(Capacity.idle(a.total(), a.allocated(), a.ownerLoad(), p, windowsAt));
            if (lending) {
                Resources reserved = Resources.of(Math.min(p.reservation().cpus(), a.total().cpus()),
                        Math.min(p.reservation().memMb(), a.total().memMb()));
                lent = lent.plus(reserved.minus(Capacity.owners(a.ownerLoad(), null, windowsAt)));
            }
        }
        return new PoolUtilizationHistory.Sample(at, n, lending, total, used, owners, idle, lent);
    }

    public PoolUtilizationHistory poolHistory() {
        return poolHistory;
    }

    public UtilizationHistory history() {
        return history;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        history.close();
        if (poolHistory != null) poolHistory.close();
    }
}
