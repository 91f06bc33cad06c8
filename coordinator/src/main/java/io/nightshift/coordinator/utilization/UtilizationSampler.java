package io.nightshift.coordinator.utilization;

import io.nightshift.api.Resources;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.coordinator.state.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code interval}, records what the cluster's active agents hold for placed tasks out of their total
 * into a {@link UtilizationHistory}. Reads the agents from the state store (the shared maps), so every
 * coordinator, leader or follower, keeps its own history and can answer for it. One daemon thread.
 */
public final class UtilizationSampler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UtilizationSampler.class);

    private final StateStore store;
    private final UtilizationHistory history;
    private final Clock clock;
    private final ScheduledExecutorService timer;

    public UtilizationSampler(StateStore store, UtilizationHistory history, Clock clock, Duration interval) {
        this.store = store;
        this.history = history;
        this.clock = clock;
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
            history.add(sample(store.agents(), clock.instant()));
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
    }
}
