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

    public MeterRegistry registry() {
        return registry;
    }
}
