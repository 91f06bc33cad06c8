package io.nightshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.agent.AgentSettings;
import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.model.PendingReason;
import io.nightshift.api.model.Task;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.TaskState;
import io.nightshift.testkit.LocalCluster;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The night step of {@code nightshift demo}: a compressed night beside the other examples. It declares the pool
 * {@value #POOL}, whose owners keep every cpu of its machine by day and lend them in the window {@value #WINDOW},
 * one minute long, opening at the first full minute at least {@link #LEAD_IN} after the demo started (in this
 * machine's time zone); it starts a second local agent in that pool and submits two revocable jobs for the
 * window: one that ends inside it, and one that runs past its end and is revoked when the pool takes its
 * capacity back ({@link #RECLAIM_LEAD} before the window closes), then waits in the queue for the next night.
 * A thread follows the night as it happens (lines start with {@code night:}), with {@code nightshift capacity}'s
 * table while the pool lends and after the window closed; {@link #finish} waits for its end and says what happened.
 * What it prints it prints holding {@code out}'s monitor, so a block the demo prints holding it stays whole.
 */
final class NightDemo implements AutoCloseable {
    static final String POOL = "demo-night";
    static final String WINDOW = "night";
    static final Duration RECLAIM_LEAD = Duration.ofSeconds(20);
    static final Duration KILL_GRACE = Duration.ofSeconds(5);
    /** At least this long between declaring the pool and its window's opening: the agent joins, the jobs queue. */
    static final Duration LEAD_IN = Duration.ofSeconds(15);
    private static final Duration AFTER_CLOSE = Duration.ofSeconds(60);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter HOUR_MINUTE = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);

    private final NightshiftClient client;
    private final PrintWriter out;
    private final ZoneId zone;
    private final ZonedDateTime opens;
    private final ZonedDateTime closes;
    private final double cpus;
    final String shortJob;
    final String longJob;
    private final CompletableFuture<Boolean> done = new CompletableFuture<>();
    private final Thread follower;
    /** The last detail of each job the follower read. */
    private final Map<String, JobDetail> last = new java.util.concurrent.ConcurrentHashMap<>();

    private NightDemo(LocalCluster cluster, NightshiftClient client, PrintWriter out, String suffix, Instant now) {
        this.client = client;
        this.out = out;
        this.zone = ZoneId.systemDefault();
        this.opens = now.plus(LEAD_IN).atZone(zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        this.closes = opens.plusMinutes(1);
        this.cpus = Runtime.getRuntime().availableProcessors() + 2;
        this.shortJob = "night-short-" + suffix;
        this.longJob = "night-long-" + suffix;

        // the owners keep all of the machine's cpus (and 1 GiB) by day: nothing else of the demo runs there
        Map<String, Object> pool = new LinkedHashMap<>();
        pool.put("reservation", Map.of("cpus", cpus, "memMb", 1024));
        pool.put("windows", List.of(Map.of("name", WINDOW, "zone", zone.getId(), "ranges",
                List.of(Map.of("from", opens.format(HOUR_MINUTE), "to", closes.format(HOUR_MINUTE))))));
        pool.put("reclaimLead", RECLAIM_LEAD.toString());
        client.putPoolRaw(POOL, bytes(pool));
        // its machine: this one, with two cpus more than it has, so that the night's two small jobs fit beside
        // whatever else this machine runs (its owner load is measured for real)
        var agent = cluster.addAgent(c -> c.with(AgentSettings.POOL, POOL).with(AgentSettings.CPUS, Double.toString(cpus))
                .with(AgentSettings.OWNER_LOAD_INTERVAL, "PT0.5S"));
        out.println();
        out.printf(Locale.ROOT, "night: pool %s (agent %s, %s cpus) keeps all its cpus for its owners by day and lends them "
                        + "to revocable jobs in window '%s', %s-%s %s; it takes them back %ds before the window closes%n",
                POOL, agent.id(), Views.cpus(cpus), WINDOW, opens.format(HOUR_MINUTE), closes.format(HOUR_MINUTE), zone.getId(),
                RECLAIM_LEAD.toSeconds());

        client.submitRaw(bytes(Map.of("id", shortJob, "name", "A night job that ends inside the window", "type", "command",
                "command", Map.of("shell", "echo started; sleep 5; echo done"),
                "resources", Map.of("cpus", 0.5, "memMb", 64), "revocable", true, "window", WINDOW,
                "maxRuntime", "PT30S")), "application/json");
        out.println("night: submitted " + shortJob + "  (revocable, window " + WINDOW + ": 5 s of work, maxRuntime 30 s)");
        String work = "trap 'echo \"revoked, to stop by $NIGHTSHIFT_REVOKE_DEADLINE\"; exit 143' TERM; echo started; "
                + "i=0; while [ $i -lt 600 ]; do sleep 1; i=$((i+1)); done; echo done";
        client.submitRaw(bytes(Map.of("id", longJob, "name", "A night job that runs past the window's end", "type", "command",
                "command", Map.of("shell", work), "resources", Map.of("cpus", 0.5, "memMb", 64), "revocable", true,
                "window", WINDOW, "killGracePeriod", KILL_GRACE.toString())), "application/json");
        out.println("night: submitted " + longJob + "  (revocable, window " + WINDOW + ": 10 minutes of work, longer than "
                + "the window)");
        out.flush();
        this.follower = new Thread(this::follow, "night-demo");
        follower.setDaemon(true);
    }

    /** Declares the pool, starts its agent, submits the two jobs and starts following the night; returns at once. */
    static NightDemo start(LocalCluster cluster, NightshiftClient client, PrintWriter out, String suffix) {
        NightDemo night = new NightDemo(cluster, client, out, suffix, Instant.now());
        night.follower.start();
        return night;
    }

    /**
     * Waits for the night to end (the window closed, the long job back in the queue), then says in plain words
     * what happened. True when the short job succeeded and the long one was revoked and re-queued.
     */
    boolean finish() throws InterruptedException {
        if (!done.isDone()) {
            out.println();
            out.println("night: waiting for window '" + WINDOW + "' to close at " + closes.format(CLOCK) + " " + zone.getId());
            out.flush();
        }
        boolean ok;
        try {
            ok = done.get(Duration.between(Instant.now(), closes.toInstant().plus(AFTER_CLOSE)).toMillis() + 5_000,
                    TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            out.println("night: the night did not end in time");
            return false;
        } catch (ExecutionException e) {
            out.println("night: following the night failed: " + e.getCause().getMessage());
            return false;
        }
        JobDetail s = last.get(shortJob);
        JobDetail l = last.get(longJob);
        out.println();
        out.printf(Locale.ROOT, "The night, in plain words: from %s to %s (%s) pool %s lent its owners' %s cpus to revocable "
                        + "jobs.%n", opens.format(HOUR_MINUTE), closes.format(HOUR_MINUTE), zone.getId(), POOL, Views.cpus(cpus));
        out.printf(Locale.ROOT, "  %s started when the window opened and %s inside it.%n", shortJob,
                s == null ? "?" : s.job().state());
        Attempt revoked = l == null ? null : first(l);
        Instant eta = l == null || l.pending() == null ? null : l.pending().eta();
        out.printf(Locale.ROOT, "  %s was still running %ds before the window closed, when the pool took its capacity back: "
                        + "it got SIGTERM with %ds to stop, its attempt ended %s, and it is queued again (job %s, task %s, "
                        + "not failed, no retry used) for the window's next opening%s.%n", longJob, RECLAIM_LEAD.toSeconds(),
                KILL_GRACE.toSeconds(), revoked == null ? "?" : revoked.state(), l == null ? "?" : l.job().state(),
                l == null ? "?" : task(l).state(), eta == null ? "" : ", " + eta.atZone(zone).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
                        .replace('T', ' '));
        out.println("  After the window closed the owners hold their reservation again and the pool lends nothing.");
        out.flush();
        return ok;
    }

    /** Polls the pool and both jobs, printing what changes, until the window closed and the long job is queued again. */
    private void follow() {
        try {
            done.complete(followUntilEnd());
        } catch (InterruptedException e) {
            done.complete(false);
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }

    private boolean followUntilEnd() throws InterruptedException {
        Instant deadline = closes.toInstant().plus(AFTER_CLOSE);
        Map<String, String> seen = new HashMap<>();
        boolean waitingShown = false;
        boolean wasLending = false;
        boolean shownWhileLending = false;
        while (Instant.now().isBefore(deadline)) {
            JsonNode pools = client.getJson("/v1/pools").path("pools");
            boolean lending = false;
            for (JsonNode p : pools) if (p.path("spec").path("name").asText().equals(POOL)) lending = p.path("lending").asBoolean();
            for (String id : List.of(shortJob, longJob)) last.put(id, client.get(id));
            JobDetail s = last.get(shortJob);
            JobDetail l = last.get(longJob);

            if (!waitingShown && !lending && l.pending() != null && !l.pending().reasons().isEmpty()) {
                PendingReason why = l.pending().reasons().stream().filter(r -> r.code().startsWith("window."))
                        .findFirst().orElse(l.pending().reasons().get(0));
                Instant eta = l.pending().eta();
                say("both wait (" + why.code() + "): " + why.message()
                        + (eta == null ? "" : "; ETA " + eta.atZone(zone).format(CLOCK)));
                waitingShown = true;
            }
            if (lending && !wasLending) say("window '" + WINDOW + "' opened: pool " + POOL + " lends its owners' cpus");
            for (String id : List.of(shortJob, longJob)) {
                JobDetail d = last.get(id);
                Task t = task(d);
                Attempt a = t == null || t.attempts().isEmpty() ? null : t.attempts().get(t.attempts().size() - 1);
                String now = d.job().state() + "/" + (t == null ? "-" : t.state()) + "/" + (a == null ? "-" : a.number() + a.state().name());
                if (now.equals(seen.put(id, now))) continue;
                if (a != null && a.state() == TaskState.REVOKED) {
                    say(id + " attempt " + a.number() + " REVOKED: " + (a.message() == null ? "its capacity was taken back" : a.message()));
                    say(id + " re-queued: job " + d.job().state() + ", task " + t.state() + ", " + t.attempts().size()
                            + " attempt, no retry used");
                } else if (t != null && t.state() == TaskState.RUNNING && a != null) {
                    say(id + " RUNNING on " + a.agentId());
                } else if (d.job().state().isTerminal()) {
                    say(id + " " + d.job().state());
                }
            }
            if (lending && !shownWhileLending && task(l) != null && task(l).state() == TaskState.RUNNING) {
                capacity("while the window is open (nightshift capacity)", pools);
                shownWhileLending = true;
            }
            boolean revoked = first(l) != null && first(l).state() == TaskState.REVOKED;
            if (wasLending && !lending) {
                say("window '" + WINDOW + "' closed: the owners hold their cpus again");
                capacity("after the window closed (nightshift capacity)", pools);
                return s.job().state() == JobState.SUCCEEDED && revoked && task(l).state() == TaskState.PENDING
                        && task(l).attempts().size() == 1 && !l.job().state().isTerminal();
            }
            wasLending |= lending;
            Thread.sleep(500);
        }
        say("window '" + WINDOW + "' did not close by " + deadline.atZone(zone).format(CLOCK));
        return false;
    }

    private void capacity(String when, JsonNode pools) {
        StringBuilder b = new StringBuilder("night: " + Instant.now().atZone(zone).format(CLOCK) + " capacity by pool " + when
                + ":\n");
        CapacityCommand.table(pools).lines().forEach(line -> b.append("  ").append(line).append('\n'));
        synchronized (out) { // not inside a block the demo prints (a job's log)
            out.print(b);
            out.flush();
        }
    }

    private void say(String what) {
        synchronized (out) {
            out.println("night: " + Instant.now().atZone(zone).format(CLOCK) + " " + what);
            out.flush();
        }
    }

    private static Task task(JobDetail d) {
        if (d == null || d.runs().isEmpty() || d.runs().get(0).tasks().isEmpty()) return null;
        return d.runs().get(0).tasks().get(0);
    }

    private static Attempt first(JobDetail d) {
        Task t = task(d);
        return t == null || t.attempts().isEmpty() ? null : t.attempts().get(0);
    }

    private static byte[] bytes(Object o) {
        return Json.write(o).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        follower.interrupt();
    }
}
