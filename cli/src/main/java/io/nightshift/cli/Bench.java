package io.nightshift.cli;

import io.nightshift.api.client.EventSubscription;
import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.client.NightshiftException;
import io.nightshift.api.model.Event;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.JobState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The submit benchmark against one coordinator: N trivial command jobs ({@code argv ["true"]},
 * 0.01 cpus, 16 MiB) submitted as fast as {@code concurrency} parallel requests allow.
 *
 * <p>What is measured, all on this side's monotonic clock ({@link System#nanoTime()}):
 * <ul>
 *   <li>submit→RUNNING per job: from the moment the POST's 201 arrived to the arrival of the first
 *       RUNNING event for that job on {@code GET /v1/events} (0 when the event beat the 201);</li>
 *   <li>throughput: jobs that ended / (last job-terminal event − first submit);</li>
 *   <li>failures: rejected or failed submissions, jobs that ended other than SUCCEEDED, and jobs
 *       that had not ended when the timeout passed.</li>
 * </ul>
 * The event stream is opened before the first submit, so no RUNNING event is missed. Also measured:
 * submit acknowledged, from sending the POST to its 201 (the job is durable then). With a {@code rate}
 * the submits are paced open-loop (submit i is due at start + i/rate, whatever the earlier ones took);
 * without one they go as fast as {@code concurrency} requests in flight allow.
 */
final class Bench {
    private final NightshiftClient client;
    private final int jobs;
    private final int concurrency;
    private final Duration timeout;
    private final PrintWriter progress;
    private final String prefix;
    private final java.util.function.BiFunction<String, String, JobSpec> specs;
    private final double rate;
    private final java.util.Queue<Long> ackNanos = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final Map<String, Long> submittedAt = new ConcurrentHashMap<>();
    private final Map<String, Long> runningAt = new ConcurrentHashMap<>();
    private final Map<String, Long> endedAt = new ConcurrentHashMap<>();
    private final Map<String, String> endState = new ConcurrentHashMap<>();
    private final AtomicInteger submitFailures = new AtomicInteger();
    private final AtomicReference<String> firstSubmitError = new AtomicReference<>();

    /** The numbers {@code bench} prints. Latencies in ms; {@code heapMiB} null when unknown. */
    record Result(int jobs, int submitted, int succeeded, int failures, int unfinished, double p50, double p90,
                  double p99, double max, double jobsPerSecond, double seconds, Double heapMiB, String target,
                  String firstError, double ackP50, double ackP99) {
    }

    Bench(NightshiftClient client, int jobs, int concurrency, Duration timeout, PrintWriter progress, String runId) {
        this(client, jobs, concurrency, timeout, progress, runId, Bench::spec, 0);
    }

    /**
     * {@code specs}: the job of an id and run id; {@code rate}: submits per second (open loop), 0 for as fast as
     * {@code concurrency} allows.
     */
    Bench(NightshiftClient client, int jobs, int concurrency, Duration timeout, PrintWriter progress, String runId,
          java.util.function.BiFunction<String, String, JobSpec> specs, double rate) {
        this.specs = specs;
        this.rate = rate;
        this.client = client;
        this.jobs = jobs;
        this.concurrency = concurrency;
        this.timeout = timeout;
        this.progress = progress;
        this.prefix = "bench-" + runId + "-";
    }

    static JobSpec spec(String id, String runId) {
        return JobSpec.command("true").id(id).name("bench").resources(0.01, 16).labels(Map.of("bench", runId)).build();
    }

    Result run(String target) throws InterruptedException {
        String runId = prefix.substring("bench-".length(), prefix.length() - 1);
        try (EventSubscription events = client.events(null, this::onEvent)) {
            if (!events.awaitConnected(Duration.ofSeconds(10))) {
                throw new CliException(CliException.FAILED, "cannot open the event stream " + client.baseUrl()
                        + "/v1/events" + (events.error() == null ? "" : ": " + events.error().getMessage()));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            long start = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
                Thread t = new Thread(r, "bench-submit");
                t.setDaemon(true);
                return t;
            });
            try {
                for (int i = 0; i < jobs; i++) {
                    String id = prefix + i;
                    long due = rate > 0 ? start + (long) (i * 1e9 / rate) : 0;
                    pool.execute(() -> {
                        if (due > 0) sleepUntil(due);
                        submit(id, runId);
                    });
                }
                pool.shutdown();
                long lastReport = System.nanoTime();
                while (!pool.awaitTermination(200, TimeUnit.MILLISECONDS)) {
                    if (System.nanoTime() > deadline) break;
                    lastReport = report(lastReport);
                }
            } finally {
                pool.shutdownNow();
            }
            int submitted = submittedAt.size();
            long lastReport = System.nanoTime();
            while (endedAt.size() < submitted && System.nanoTime() < deadline) {
                Thread.sleep(50);
                lastReport = report(lastReport);
            }
            settleStragglers(submitted);
            return result(start, target);
        }
    }

    private static void sleepUntil(long due) {
        long wait;
        while ((wait = due - System.nanoTime()) > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
    }

    /** The ids this run submitted and that were acknowledged. */
    java.util.Set<String> submittedIds() {
        return java.util.Set.copyOf(submittedAt.keySet());
    }

    private void submit(String id, String runId) {
        try {
            JobSpec spec = specs.apply(id, runId);
            long sent = System.nanoTime();
            client.submit(spec);
            long acked = System.nanoTime();
            ackNanos.add(acked - sent);
            submittedAt.put(id, acked);
        } catch (NightshiftException e) {
            submitFailures.incrementAndGet();
            firstSubmitError.compareAndSet(null, e.getMessage());
        }
    }

    void onEvent(Event e) {
        String jobId = e.jobId() != null ? e.jobId() : "job".equals(e.kind()) ? e.id() : null;
        if (jobId == null || !jobId.startsWith(prefix) || e.state() == null) return;
        long now = System.nanoTime();
        if (e.state().equals("RUNNING")) runningAt.putIfAbsent(jobId, now);
        if ("job".equals(e.kind()) && isTerminal(e.state()) && endedAt.putIfAbsent(jobId, now) == null)
            endState.put(jobId, e.state());
    }

    /** Jobs of this run seen RUNNING so far. */
    java.util.Set<String> runningJobs() {
        return java.util.Set.copyOf(runningAt.keySet());
    }

    /** Jobs of this run seen ending so far, with their final state. */
    Map<String, String> endStates() {
        return Map.copyOf(endState);
    }

    private static boolean isTerminal(String state) {
        try {
            return JobState.valueOf(state).isTerminal();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private long report(long last) {
        long now = System.nanoTime();
        if (now - last < 2_000_000_000L) return last;
        progress.println("bench: " + submittedAt.size() + "/" + jobs + " submitted, " + runningAt.size() + " running or done, "
                + endedAt.size() + " ended");
        progress.flush();
        return now;
    }

    /** After the timeout: ask once about jobs whose end we did not see (an event could have been dropped). */
    private void settleStragglers(int submitted) {
        if (endedAt.size() >= submitted) return;
        for (String id : submittedAt.keySet()) {
            if (endedAt.containsKey(id)) continue;
            try {
                JobDetail d = client.get(id);
                if (d.job().state() != null && d.job().state().isTerminal()) {
                    endState.putIfAbsent(id, d.job().state().name());
                }
            } catch (NightshiftException ignored) {
                // counted as unfinished
            }
        }
    }

    private Result result(long start, String target) {
        int submitted = submittedAt.size();
        double[] lat = submittedAt.entrySet().stream()
                .filter(e -> runningAt.containsKey(e.getKey()))
                .mapToDouble(e -> Math.max(0, runningAt.get(e.getKey()) - e.getValue()) / 1e6)
                .sorted().toArray();
        int succeeded = (int) endState.values().stream().filter("SUCCEEDED"::equals).count();
        int ended = endState.size();
        int unfinished = submitted - ended;
        int failures = submitFailures.get() + (ended - succeeded) + unfinished;
        long lastEnd = endedAt.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
        double seconds = Math.max(1e-9, (lastEnd - start) / 1e9);
        double[] acks = ackNanos.stream().mapToDouble(n -> n / 1e6).sorted().toArray();
        return new Result(jobs, submitted, succeeded, failures, unfinished, percentile(lat, 50), percentile(lat, 90),
                percentile(lat, 99), lat.length == 0 ? Double.NaN : lat[lat.length - 1], endedAt.size() / seconds,
                seconds, null, target, firstSubmitError.get(), percentile(acks, 50), percentile(acks, 99));
    }

    /** Nearest-rank percentile of sorted values; NaN when there are none. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    static double[] sorted(double... values) {
        double[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }
}
