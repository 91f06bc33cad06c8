package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.agent.Agent;
import io.nightshift.coordinator.state.jdbc.TestPostgres;
import io.nightshift.agent.AgentConfig;
import io.nightshift.agent.AgentSettings;
import io.nightshift.api.config.Config;
import io.nightshift.api.json.Json;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 of the coordinator under load, then a restart on the same store (the embedded SQLite file
 * in the data directory, or a PostgreSQL database): every acknowledged job is there, nothing runs
 * twice, everything ends, and a task that ended while the coordinator was down is recorded with its
 * real exit code.
 */
class CoordinatorRestartIT {
    /** One PostgreSQL server for the class, started by the first test on that store. */
    static TestPostgres postgres;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // keeps coordinator.log of a failure
    Path dir;
    CoordinatorProcess coordinator;
    Agent agent;
    /** The store flags of this test, the same for every (re)start of its coordinator. */
    List<String> store = List.of("--state.sqlite-synchronous", "NORMAL");

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) postgres.close();
        postgres = null;
    }

    @AfterEach
    void stop() {
        if (agent != null) agent.stop(true);
        if (coordinator != null) coordinator.close();
        Procs.killAll("NIGHTSHIFT_SANDBOX=" + dir);
    }

    CoordinatorProcess startCoordinator(int port, String cluster) {
        List<String> flags = new ArrayList<>(List.of("--port", Integer.toString(port),
                "--data-dir", dir.resolve("coordinator").toString(), "--cluster-name", cluster,
                "--agent.heartbeat-timeout", "PT60S"));
        flags.addAll(store);
        return CoordinatorProcess.start(dir.resolve("coordinator.log"), flags.toArray(String[]::new));
    }

    /** Runs this test's coordinators on {@code sqlite} (the default) or on a fresh PostgreSQL database. */
    void useStore(String kind) {
        switch (kind) {
            case "sqlite" -> store = List.of("--state.sqlite-synchronous", "NORMAL");
            case "postgresql" -> {
                synchronized (CoordinatorRestartIT.class) {
                    if (postgres == null) postgres = TestPostgres.start();
                }
                store = List.of("--state.jdbc-url", postgres.newDatabase(), "--state.jdbc-user", TestPostgres.USER);
            }
            default -> throw new IllegalArgumentException(kind);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgresql"})
    void killNineUnderLoadLosesNoAcknowledgedJobAndRunsNothingTwice(String kind) throws Exception {
        useStore(kind);
        int port = CoordinatorProcess.freePort();
        String cluster = "restart-" + UUID.randomUUID().toString().substring(0, 8);
        coordinator = startCoordinator(port, cluster);
        URI url = coordinator.url();
        agent = Agent.start(AgentConfig.from(Config.defaults(AgentSettings.ALL)
                .with(AgentSettings.COORDINATOR, url.toString())
                .with(AgentSettings.TOKEN, coordinator.adminToken())
                .with(AgentSettings.ID, "restart-agent")
                .with(AgentSettings.WORK_DIR, dir.resolve("agent").toString())
                .with(AgentSettings.CPUS, "16").with(AgentSettings.MEM_MB, "16384")
                .with(AgentSettings.RECONNECT_INITIAL_BACKOFF, "PT0.1S")
                .with(AgentSettings.RECONNECT_MAX_BACKOFF, "PT1S")));
        Api api = new Api(url, coordinator.adminToken());
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.connected());
        JsonNode profile = learnAPoolProfile(api, url, coordinator.adminToken());

        // one task outlives the coordinator and ends while it is down
        String exitLine = "sleep 3; echo done; exit 4";
        api.submit("{\"id\":\"ends-while-down\",\"type\":\"command\",\"command\":{\"shell\":" + Json.write(exitLine)
                + "},\"resources\":{\"cpus\":0.1,\"memMb\":32}}");
        await().atMost(Duration.ofSeconds(20)).until(() -> api.task("ends-while-down").path("state").asText().equals("RUNNING"));

        Path launches = Files.createDirectories(dir.resolve("launches"));
        int total = 500;
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        ExecutorService submitters = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            submitters.submit(() -> {
                for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                    String id = "load-" + i;
                    String body = "{\"id\":\"" + id + "\",\"type\":\"command\",\"command\":{\"shell\":"
                            + Json.write("echo $NIGHTSHIFT_ATTEMPT_ID >> " + launches + "/$NIGHTSHIFT_TASK_ID")
                            + "},\"resources\":{\"cpus\":0.05,\"memMb\":16}}";
                    while (true) { // the same id again until acknowledged: submission is idempotent
                        try {
                            HttpResponse<String> r = api.post("/v1/jobs", body);
                            if (r.statusCode() == 201 || r.statusCode() == 200) {
                                acknowledged.add(id);
                                break;
                            }
                        } catch (AssertionError coordinatorDown) {
                            // connection refused while it restarts
                        }
                        TimeUnit.MILLISECONDS.sleep(100);
                    }
                }
                return null;
            });
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 150);
        coordinator.killHard();
        int acknowledgedBeforeKill = acknowledged.size();
        await().atMost(Duration.ofSeconds(20)).until(() -> Procs.withEnv("NIGHTSHIFT_TASK_ID=ends-while-down.r1.0").isEmpty());

        coordinator = startCoordinator(port, cluster);
        submitters.shutdown();
        assertThat(submitters.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
        assertThat(acknowledged).hasSize(total);

        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Map<String, Integer> byState = jobsByState(api);
            assertThat(byState.get("SUCCEEDED") + byState.get("FAILED") + byState.get("KILLED"))
                    .as("finished jobs on %s (jobs by state %s, coordinator log in %s)", kind, byState, dir).isEqualTo(total + 1);
        });
        List<String> twice = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            String id = "load-" + i;
            JsonNode detail = api.json("/v1/jobs/" + id);
            assertThat(detail.path("job").path("state").asText()).as(id).isEqualTo("SUCCEEDED");
            Path f = launches.resolve(id + ".r1.0");
            if (!Files.exists(f) || Files.readAllLines(f).size() != 1) twice.add(id);
        }
        assertThat(twice).as("tasks launched other than exactly once (%d acknowledged before the kill)", acknowledgedBeforeKill).isEmpty();

        JsonNode attempt = api.task("ends-while-down").path("attempts").get(0);
        assertThat(api.jobState("ends-while-down")).isEqualTo("FAILED");
        assertThat(attempt.path("exitCode").asInt()).isEqualTo(4);
        assertThat(api.log("ends-while-down.r1.0", "stdout")).isEqualTo("done\n");
        assertThat(api.json("/v1/pools/" + POOL).path("profile")).as("the hour-of-week profile on %s after the kill -9", kind)
                .isEqualTo(profile);
    }

    static final String POOL = "restart-pool";

    /**
     * Declares a pool and lets an agent of it report until the coordinator has learnt the pool's hour-of-week
     * profile (its first sample is taken at once), then stops that agent so that nothing changes the profile
     * any more; returns the profile as {@code GET /v1/pools/{name}} serves it.
     */
    JsonNode learnAPoolProfile(Api api, URI url, String token) {
        HttpResponse<String> put = api.send(api.request("/v1/pools/" + POOL).header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"reservation\":{\"cpus\":1,\"memMb\":256}}")).build());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        Agent pooled = Agent.start(AgentConfig.from(Config.defaults(AgentSettings.ALL)
                .with(AgentSettings.COORDINATOR, url.toString())
                .with(AgentSettings.TOKEN, token)
                .with(AgentSettings.ID, "restart-pool-agent")
                .with(AgentSettings.WORK_DIR, dir.resolve("pool-agent").toString())
                .with(AgentSettings.POOL, POOL)
                .with(AgentSettings.CPUS, "4").with(AgentSettings.MEM_MB, "4096")
                .with(AgentSettings.OWNER_LOAD_INTERVAL, "PT0.2S")));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> !api.json("/v1/pools/" + POOL).path("profile").isEmpty());
        } finally {
            pooled.stop(true);
        }
        JsonNode profile = api.json("/v1/pools/" + POOL).path("profile");
        assertThat(profile.size()).as(profile.toString()).isPositive();
        return profile;
    }

    @Test
    void anEventStreamResumedWithLastEventIdAcrossARestartSeesEveryEventExactlyOnce() throws Exception {
        int port = CoordinatorProcess.freePort();
        String cluster = "sse-" + UUID.randomUUID().toString().substring(0, 8);
        coordinator = startCoordinator(port, cluster);
        Api api = new Api(coordinator);
        agent = Agent.start(AgentConfig.from(Config.defaults(AgentSettings.ALL)
                .with(AgentSettings.COORDINATOR, coordinator.url().toString())
                .with(AgentSettings.TOKEN, coordinator.adminToken())
                .with(AgentSettings.WORK_DIR, dir.resolve("agent").toString())
                .with(AgentSettings.RECONNECT_INITIAL_BACKOFF, "PT0.1S")
                .with(AgentSettings.RECONNECT_MAX_BACKOFF, "PT1S")));
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.connected());

        for (int i = 0; i < 3; i++) api.submit("{\"id\":\"before-" + i + "\",\"type\":\"command\",\"command\":{\"argv\":[\"true\"]}}");
        List<JsonNode> before = readEvents(api, "0", e -> succeeded(e, "before-", 3));
        long last = before.get(before.size() - 1).path("seq").asLong();

        coordinator.killHard();
        coordinator = startCoordinator(port, cluster);
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.connected());
        for (int i = 0; i < 3; i++) api.submit("{\"id\":\"after-" + i + "\",\"type\":\"command\",\"command\":{\"argv\":[\"true\"]}}");
        List<JsonNode> after = readEvents(api, Long.toString(last), e -> succeeded(e, "after-", 3));
        long end = after.get(after.size() - 1).path("seq").asLong();
        List<JsonNode> all = readEvents(api, "0", e -> e.stream().anyMatch(x -> x.path("seq").asLong() >= end));

        List<Long> resumed = new ArrayList<>();
        before.forEach(e -> resumed.add(e.path("seq").asLong()));
        after.forEach(e -> resumed.add(e.path("seq").asLong()));
        List<Long> replayed = all.stream().map(e -> e.path("seq").asLong()).filter(s -> s <= end).toList();
        assertThat(after.get(0).path("seq").asLong()).isEqualTo(last + 1);
        assertThat(resumed).isEqualTo(replayed).doesNotHaveDuplicates();
        assertThat(replayed).hasSize((int) end); // numbered 1..end without gaps across the restart
    }

    @Test
    void whyAJobEndedUnschedulableIsReadBackAfterAKillNineAndRestart() throws Exception {
        int port = CoordinatorProcess.freePort();
        String cluster = "unsched-" + UUID.randomUUID().toString().substring(0, 8);
        coordinator = startCoordinator(port, cluster);
        Api api = new Api(coordinator);
        // no agent at all: the task waits unplaced past its one-second pendingTimeout
        api.submit("{\"id\":\"never-placed\",\"type\":\"command\",\"command\":{\"argv\":[\"true\"]},\"pendingTimeout\":\"PT1S\"}");
        JsonNode before = await().atMost(Duration.ofSeconds(30)).until(() -> api.json("/v1/jobs/never-placed"),
                j -> j.path("job").path("state").asText().equals("FAILED"));
        assertThat(before.path("job").path("reason").asText()).isEqualTo("UNSCHEDULABLE");
        JsonNode why = before.path("pending").path("reasons");
        assertThat(why.path(0).path("code").asText()).as(before.toString()).isEqualTo("pending.timeout");
        assertThat(why.path(1).path("code").asText()).isEqualTo("no.agents");

        coordinator.killHard();
        coordinator = startCoordinator(port, cluster);
        Api after = new Api(coordinator);

        JsonNode again = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> after.json("/v1/jobs/never-placed"),
                j -> j.has("job"));
        assertThat(again.path("job").path("reason").asText()).isEqualTo("UNSCHEDULABLE");
        assertThat(again.path("pending").path("reasons")).as("the reasons outlive the coordinator that decided").isEqualTo(why);
        assertThat(again.path("runs").path(0).path("tasks").path(0).path("unschedulableReasons")).isEqualTo(why);
    }

    static boolean succeeded(List<JsonNode> events, String prefix, int n) {
        return events.stream().filter(e -> e.path("kind").asText().equals("job") && e.path("id").asText().startsWith(prefix)
                && e.path("state").asText().equals("SUCCEEDED")).count() >= n;
    }

    /** Reads the event stream (resuming after {@code lastEventId}) until {@code done} holds for what was read. */
    static List<JsonNode> readEvents(Api api, String lastEventId, java.util.function.Predicate<List<JsonNode>> done) throws Exception {
        List<JsonNode> events = java.util.Collections.synchronizedList(new ArrayList<>());
        HttpResponse<java.io.InputStream> r = api.http.send(api.request("/v1/events")
                .header("Last-Event-ID", lastEventId).build(), HttpResponse.BodyHandlers.ofInputStream());
        Thread reader = new Thread(() -> {
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(r.body(), java.nio.charset.StandardCharsets.UTF_8))) {
                String l;
                while ((l = in.readLine()) != null) if (l.startsWith("data: ")) events.add(Api.tree(l.substring(6)));
            } catch (Exception e) {
                // closed by the test
            }
        });
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> done.test(List.copyOf(events)));
        r.body().close();
        return List.copyOf(events);
    }

    static Map<String, Integer> jobsByState(Api api) {
        Map<String, Integer> byState = new LinkedHashMap<>();
        for (String state : List.of("QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "KILLED")) {
            int n = 0;
            String next = null;
            do {
                JsonNode page = api.json("/v1/jobs?state=" + state + "&limit=500" + (next == null ? "" : "&after=" + next));
                n += page.path("jobs").size();
                next = page.path("next").isTextual() ? page.path("next").asText() : null;
            } while (next != null);
            byState.put(state, n);
        }
        return byState;
    }
}
