package io.nightshift.coordinator.core;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

/** The coordinator's own meters (names as exported to Prometheus: {@code nightshift_*}). */
public final class Metrics {
    private final MeterRegistry registry;
    final Counter jobsSubmitted;
    final Counter tasksLaunched;
    final Timer cycle;
    final Timer submitToRunning;
    private final Map<String, Counter> attemptsEnded = new ConcurrentHashMap<>();

    public Metrics(MeterRegistry registry) {
        this.registry = registry;
        this.jobsSubmitted = Counter.builder("nightshift.jobs.submitted").description("Jobs accepted").register(registry);
        this.tasksLaunched = Counter.builder("nightshift.tasks.launched").description("Task attempts sent to agents").register(registry);
        this.cycle = Timer.builder("nightshift.scheduler.cycle").description("Offer cycle duration").register(registry);
        this.submitToRunning = Timer.builder("nightshift.jobs.submit.to.running")
                .description("Time from a job's acceptance to its first RUNNING attempt")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    void attemptEnded(String state) {
        attemptsEnded.computeIfAbsent(state, s -> Counter.builder("nightshift.attempts.ended").tag("state", s)
                .description("Task attempts that reached a terminal state").register(registry)).increment();
    }

    /** Latest owner load and idle capacity per agent: cpus, memMb of each. */
    private final Map<String, double[]> capacity = new ConcurrentHashMap<>();

    /**
     * Publishes an agent's owner load and idle capacity as gauges {@code nightshift.agent.owner.load.*} and
     * {@code nightshift.agent.idle.*}, tagged with the agent and its pool ("none" without one).
     */
    void agentCapacity(String agentId, String pool, io.nightshift.api.model.OwnerLoad load, io.nightshift.api.Resources idle) {
        double[] v = capacity.computeIfAbsent(agentId, id -> {
            double[] d = new double[4];
            String p = pool == null ? "none" : pool;
            io.micrometer.core.instrument.Gauge.builder("nightshift.agent.owner.load.cpus", d, x -> x[0]).tag("agent", id)
                    .tag("pool", p).description("Cores the machine's own services use (smoothed)").register(registry);
            io.micrometer.core.instrument.Gauge.builder("nightshift.agent.owner.load.mem", d, x -> x[1]).tag("agent", id)
                    .tag("pool", p).baseUnit("mebibytes").description("Memory the machine's own services use (smoothed)")
                    .register(registry);
            io.micrometer.core.instrument.Gauge.builder("nightshift.agent.idle.cpus", d, x -> x[2]).tag("agent", id)
                    .tag("pool", p).description("Idle cores: total - allocated - reservation - owner load - headroom")
                    .register(registry);
            io.micrometer.core.instrument.Gauge.builder("nightshift.agent.idle.mem", d, x -> x[3]).tag("agent", id)
                    .tag("pool", p).baseUnit("mebibytes").description("Idle memory").register(registry);
            return d;
        });
        v[0] = load.cpus();
        v[1] = load.memMb();
        v[2] = idle.cpus();
        v[3] = idle.memMb();
    }

    public MeterRegistry registry() {
        return registry;
    }
}
