package io.nightshift.coordinator.progress;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.nightshift.api.model.ProgressEvent;
import io.nightshift.api.model.TaskProgress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The latest progress each task reported (kafka tasks: records, rate, lag, last commit), shown in
 * {@code GET /v1/jobs/{id}} and as Prometheus gauges per task:
 * {@code nightshift_kafka_records}, {@code nightshift_kafka_records_per_second}, {@code nightshift_kafka_lag}
 * and {@code nightshift_kafka_drain_remaining} (tags {@code job}, {@code task}). Live values only, kept in
 * memory on the coordinator the agents report to; at most {@value #MAX_TASKS} tasks (the oldest report goes
 * first). Thread-safe.
 *
 * <p>Listeners ({@link #subscribe}, the event stream's {@code ?progress=true}) get a {@link ProgressEvent} for a
 * task's first report, then at most one per {@code eventInterval}, and always the final one of an attempt
 * ({@code finished}): a report in between only updates the board.
 */
public final class ProgressBoard {
    public static final int MAX_TASKS = 10_000;
    /** Default of the least time between two progress events of one task. */
    public static final java.time.Duration EVENT_INTERVAL = java.time.Duration.ofSeconds(5);

    /** {@code lastEventNanos}: when the last event of this task went out (Long.MIN_VALUE: none yet). */
    private record Entry(String jobId, TaskProgress progress, long seq, long lastEventNanos) {
    }

    private final MeterRegistry registry;
    private final LongSupplier nanoTime;
    private final long eventIntervalNanos;
    private final Map<String, Entry> byTask = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> meters = new ConcurrentHashMap<>();
    private final List<Consumer<ProgressEvent>> listeners = new CopyOnWriteArrayList<>();
    private long seq;

    public ProgressBoard(MeterRegistry registry) {
        this(registry, System::nanoTime, EVENT_INTERVAL);
    }

    /** {@code nanoTime}: the monotonic clock the event rate limit reads (a fake one in tests). */
    public ProgressBoard(MeterRegistry registry, LongSupplier nanoTime, java.time.Duration eventInterval) {
        this.registry = registry;
        this.nanoTime = nanoTime;
        this.eventIntervalNanos = eventInterval.toNanos();
    }

    /**
     * Hands rate-limited progress events to {@code listener} from now on (called on the reporting thread, with the
     * board's lock held: it must only enqueue). Closing the returned handle unsubscribes.
     */
    public AutoCloseable subscribe(Consumer<ProgressEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Records {@code progress} of task {@code taskId} ({@code <jobId>.r<n>.<instance>}). */
    public synchronized void update(String taskId, TaskProgress progress) {
        String jobId = jobOf(taskId);
        if (jobId == null || progress == null) return;
        Entry before = byTask.get(taskId);
        long now = nanoTime.getAsLong();
        boolean newAttempt = before == null || !java.util.Objects.equals(before.progress().attemptId(), progress.attemptId());
        boolean due = newAttempt || progress.finished() || now - before.lastEventNanos() >= eventIntervalNanos;
        byTask.put(taskId, new Entry(jobId, progress, ++seq, due ? now : before.lastEventNanos()));
        meters.computeIfAbsent(taskId, t -> register(jobId, t));
        if (due) {
            ProgressEvent event = new ProgressEvent(jobId, taskId, progress);
            for (Consumer<ProgressEvent> l : listeners) l.accept(event);
        }
        if (byTask.size() > MAX_TASKS) {
            String oldest = byTask.entrySet().stream().min(java.util.Comparator.comparingLong(e -> e.getValue().seq()))
                    .map(Map.Entry::getKey).orElse(null);
            if (oldest != null) remove(oldest);
        }
    }

    /** The latest progress of each of {@code taskIds} that reported any, by task id. */
    public Map<String, TaskProgress> of(Collection<String> taskIds) {
        Map<String, TaskProgress> out = new LinkedHashMap<>();
        for (String t : taskIds) {
            Entry e = byTask.get(t);
            if (e != null) out.put(t, e.progress());
        }
        return out;
    }

    private synchronized void remove(String taskId) {
        byTask.remove(taskId);
        List<Meter> ms = meters.remove(taskId);
        if (ms != null) ms.forEach(registry::remove);
    }

    private List<Meter> register(String jobId, String taskId) {
        Tags tags = Tags.of("job", jobId, "task", taskId);
        List<Meter> ms = new ArrayList<>();
        ms.add(Gauge.builder("nightshift.kafka.records", this, b -> b.value(taskId, p -> p.records()))
                .tags(tags).description("Records handed to the handler by the task's current attempt").register(registry));
        ms.add(Gauge.builder("nightshift.kafka.records.per.second", this, b -> b.value(taskId, TaskProgress::recordsPerSec))
                .tags(tags).description("Recent consumption rate of the task").register(registry));
        ms.add(Gauge.builder("nightshift.kafka.lag", this, b -> b.value(taskId, p -> p.totalLag()))
                .tags(tags).description("Records behind the end offsets, summed over the task's partitions").register(registry));
        ms.add(Gauge.builder("nightshift.kafka.drain.remaining", this,
                        b -> b.value(taskId, p -> p.drainRemaining() == null ? Double.NaN : p.drainRemaining()))
                .tags(tags).description("Drain jobs: records the group still has to commit").register(registry));
        return ms;
    }

    private double value(String taskId, java.util.function.ToDoubleFunction<TaskProgress> f) {
        Entry e = byTask.get(taskId);
        return e == null ? Double.NaN : f.applyAsDouble(e.progress());
    }

    /** {@code job.r1.0} → {@code job}; null when the id does not have that shape. */
    static String jobOf(String taskId) {
        if (taskId == null || taskId.length() > 200) return null;
        int r = taskId.lastIndexOf(".r");
        return r <= 0 ? null : taskId.substring(0, r);
    }
}
