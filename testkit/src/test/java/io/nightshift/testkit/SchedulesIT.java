package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.agent.Agent;
import io.nightshift.agent.AgentConfig;
import io.nightshift.agent.AgentSettings;
import io.nightshift.api.config.Config;
import io.nightshift.api.json.Json;
import io.nightshift.coordinator.CoordinatorSettings;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cron jobs on a real coordinator: a kill -9 between firings and a restart fire every scheduled time exactly
 * once (counted from the lines the runs append to a file), and DST changes in Europe/Amsterdam give exactly
 * the expected firings (the coordinator's clock started just before each change).
 */
class SchedulesIT {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // keeps coordinator.log of a failure
    Path dir;
    CoordinatorProcess coordinator;
    Agent agent;
    LocalCluster cluster;

    @AfterEach
    void stop() {
        if (agent != null) agent.stop(true);
        if (coordinator != null) coordinator.close();
        if (cluster != null) cluster.close();
        Procs.killAll("NIGHTSHIFT_SANDBOX=" + dir);
    }

    CoordinatorProcess startCoordinator(int port, String clusterName) {
        return CoordinatorProcess.start(dir.resolve("coordinator.log"), "--port", Integer.toString(port),
                "--data-dir", dir.resolve("coordinator").toString(), "--cluster-name", clusterName,
                "--agent.heartbeat-timeout", "PT60S", "--state.sqlite-synchronous", "NORMAL");
    }

    /** A job that appends its run id to {@code file} at each firing. */
    static String appending(String id, Path file, String schedule) {
        return "{\"id\":\"" + id + "\",\"type\":\"command\",\"command\":{\"shell\":"
                + Json.write("echo $NIGHTSHIFT_RUN_ID >> " + file) + "},\"resources\":{\"cpus\":0.1,\"memMb\":32},"
                + "\"schedule\":" + schedule + "}";
    }

    /** The runs' scheduled times, in run order. */
    static List<Instant> scheduledTimes(JsonNode detail) {
        List<Instant> out = new ArrayList<>();
        for (JsonNode r : detail.path("runs")) out.add(Instant.parse(r.path("run").path("scheduledFor").asText()));
        return out;
    }

    static List<String> lines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    @Test
    void killNineBetweenFiringsAndARestartFireEveryScheduledTimeExactlyOnce() throws Exception {
        int port = CoordinatorProcess.freePort();
        String name = "sched-" + UUID.randomUUID().toString().substring(0, 8);
        coordinator = startCoordinator(port, name);
        agent = Agent.start(AgentConfig.from(Config.defaults(AgentSettings.ALL)
                .with(AgentSettings.COORDINATOR, coordinator.url().toString())
                .with(AgentSettings.TOKEN, coordinator.adminToken())
                .with(AgentSettings.ID, "sched-agent")
                .with(AgentSettings.WORK_DIR, dir.resolve("agent").toString())
                .with(AgentSettings.RECONNECT_INITIAL_BACKOFF, "PT0.1S")
                .with(AgentSettings.RECONNECT_MAX_BACKOFF, "PT1S")));
        Api api = new Api(coordinator);
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.connected());

        Path file = dir.resolve("firings.txt");
        // every 2 s; after a downtime every missed time runs (run-all), one after another (forbid)
        api.submit(appending("tick", file, "{\"cron\":\"*/2 * * * * ?\",\"syntax\":\"quartz\",\"missed\":\"run-all\","
                + "\"missedCap\":100,\"missedAfter\":\"PT1S\"}"));
        JsonNode submitted = api.json("/v1/jobs/tick").path("job");
        assertThat(submitted.path("state").asText()).isEqualTo("QUEUED");
        assertThat(submitted.path("schedule").path("nextFireAt").asText()).isNotEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() -> lines(file).size() >= 3);

        coordinator.killHard();
        Instant downUntil = Instant.now().plusSeconds(5);   // at least two scheduled times pass while it is down
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(downUntil));
        coordinator = startCoordinator(port, name);
        Instant restarted = Instant.now();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            List<Instant> t = scheduledTimes(api.json("/v1/jobs/tick"));
            return !t.isEmpty() && t.get(t.size() - 1).isAfter(restarted.plusSeconds(4));
        });

        HttpResponse<String> paused = api.post("/v1/jobs/tick/pause", "");
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        assertThat(Json.mapper().readTree(paused.body()).path("schedule").path("paused").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode d = api.json("/v1/jobs/tick");
            JsonNode runs = d.path("runs");
            return runs.get(runs.size() - 1).path("run").path("state").asText().equals("SUCCEEDED");
        });

        JsonNode detail = api.json("/v1/jobs/tick");
        List<Instant> times = scheduledTimes(detail);
        for (int i = 1; i < times.size(); i++) {
            assertThat(Duration.between(times.get(i - 1), times.get(i))).as("scheduled times %s (log in %s)", times, dir)
                    .isEqualTo(Duration.ofSeconds(2));
        }
        assertThat(times.get(times.size() - 1)).isAfter(restarted);
        assertThat(times.get(0)).isBefore(downUntil.minusSeconds(5));
        List<String> ran = lines(file);
        Map<String, Integer> count = new HashMap<>();
        for (String r : ran) count.merge(r, 1, Integer::sum);
        assertThat(count.values()).as("runs that appended other than once: %s", count).allMatch(c -> c == 1);
        assertThat(ran).hasSize(times.size());
        for (JsonNode r : detail.path("runs")) assertThat(r.path("run").path("state").asText()).isEqualTo("SUCCEEDED");

        HttpResponse<String> resumed = api.post("/v1/jobs/tick/resume", "");
        assertThat(resumed.statusCode()).isEqualTo(200);
        JsonNode schedule = Json.mapper().readTree(resumed.body()).path("schedule");
        assertThat(schedule.path("paused").asBoolean()).isFalse();
        assertThat(Instant.parse(schedule.path("nextFireAt").asText())).isAfter(times.get(times.size() - 1));
        assertThat(api.post("/v1/jobs/nope/pause", "").statusCode()).isEqualTo(404);
    }

    /** The value of the first sample whose line starts with {@code prefix} in a Prometheus text page (NaN: none). */
    static double metric(String page, String prefix) {
        return page.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElse(Double.NaN);
    }

    /** A job that appends its id to {@code file}, after {@code sleep} seconds, and exits {@code exit}. */
    static String step(String id, Path file, int sleep, int exit, String after) {
        return "{\"id\":\"" + id + "\",\"type\":\"command\",\"command\":{\"shell\":"
                + Json.write("sleep " + sleep + "; echo $NIGHTSHIFT_JOB_ID >> " + file + "; exit " + exit)
                + "},\"resources\":{\"cpus\":0.1,\"memMb\":32}" + (after == null ? "" : ",\"after\":" + after) + "}";
    }

    @Test
    void aDagRunsInDependencyOrderAcrossAKillNineAndAFailedUpstreamStopsItsDependants() throws Exception {
        int port = CoordinatorProcess.freePort();
        String name = "dag-" + UUID.randomUUID().toString().substring(0, 8);
        coordinator = startCoordinator(port, name);
        agent = Agent.start(AgentConfig.from(Config.defaults(AgentSettings.ALL)
                .with(AgentSettings.COORDINATOR, coordinator.url().toString())
                .with(AgentSettings.TOKEN, coordinator.adminToken())
                .with(AgentSettings.ID, "dag-agent")
                .with(AgentSettings.WORK_DIR, dir.resolve("agent").toString())
                .with(AgentSettings.RECONNECT_INITIAL_BACKOFF, "PT0.1S")
                .with(AgentSettings.RECONNECT_MAX_BACKOFF, "PT1S")));
        Api api = new Api(coordinator);
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.connected());
        Path file = dir.resolve("dag.txt");

        // submitted downstream first: a job may wait for one not submitted yet
        api.submit(step("report", file, 0, 0, "[{\"job\":\"transform\"}]"));
        api.submit(step("transform", file, 0, 0, "[{\"job\":\"extract\"}]"));
        HttpResponse<String> cycle = api.post("/v1/jobs", step("extract", file, 0, 0, "[{\"job\":\"report\"}]"));
        assertThat(cycle.statusCode()).isEqualTo(400);
        assertThat(cycle.body()).contains("/after").contains("extract → report → transform → extract");
        api.submit(step("extract", file, 4, 0, null));
        api.submit(step("broken", file, 0, 3, null));
        api.submit(step("needs-broken", file, 0, 0, "[{\"job\":\"broken\"}]"));
        api.submit(step("after-all", file, 0, 0, "[{\"job\":\"needs-broken\",\"state\":\"ENDED\"}]"));
        JsonNode waiting = api.json("/v1/jobs/report");
        assertThat(waiting.path("pending").path("reasons").toString()).contains("upstream");

        await().atMost(Duration.ofSeconds(30)).until(() -> api.jobState("extract").equals("RUNNING"));
        coordinator.killHard();                        // extract runs; transform and report wait
        coordinator = startCoordinator(port, name);

        await().atMost(Duration.ofSeconds(90)).until(() -> api.jobState("report").equals("SUCCEEDED")
                && api.jobState("after-all").equals("SUCCEEDED"));
        List<String> order = lines(file);
        assertThat(order).containsOnlyOnce("extract", "transform", "report");
        assertThat(order.indexOf("extract")).isLessThan(order.indexOf("transform"));
        assertThat(order.indexOf("transform")).isLessThan(order.indexOf("report"));
        assertThat(api.jobState("broken")).isEqualTo("FAILED");
        assertThat(api.jobState("needs-broken")).isEqualTo("UPSTREAM_FAILED");
        assertThat(order).doesNotContain("needs-broken").containsOnlyOnce("after-all");

        deadlinesAreAdmittedFromTheRunHistory(api, file);

        // the history is durable: after a kill -9 the new leader admits from the runs the last one saw (report, report-again)
        coordinator.killHard();
        coordinator = startCoordinator(port, name);
        String after = step("report-restarted", file, 0, 0, null).replace("\"id\":\"report-restarted\"",
                "\"id\":\"report-restarted\",\"name\":\"report\",\"deadline\":\"" + Instant.now().plus(Duration.ofMinutes(10)) + "\"");
        HttpResponse<String> readmitted = api.post("/v1/jobs", after);
        // admitted (201), or refused (409) while the agent has not reconnected yet (no idle cpus): either way the
        // admission, in the job or in the problem, rests on the history the last leader stored
        assertThat(readmitted.statusCode()).as(readmitted.body()).isIn(201, 409);
        JsonNode admission = Api.tree(readmitted.body()).path("admission");
        assertThat(admission.path("basis").asText()).as(readmitted.body()).isEqualTo("history");
        assertThat(admission.path("historyRuns").asInt()).as(readmitted.body()).isEqualTo(2);
    }

    /**
     * On the DAG's coordinator, whose leader saw report (0 s) and extract (4 s) succeed: a report due in ten minutes is
     * admitted from its history and meets its deadline; an extract due in 3 s cannot (its p90 is 4 s and more) and is
     * refused at submit with the numbers, and nothing is stored.
     */
    void deadlinesAreAdmittedFromTheRunHistory(Api api, Path file) throws Exception {
        String fits = step("report-again", file, 0, 0, null).replace("\"id\":\"report-again\"", "\"id\":\"report-again\","
                + "\"name\":\"report\",\"deadline\":\"" + Instant.now().plus(Duration.ofMinutes(10)) + "\"");
        HttpResponse<String> admitted = api.post("/v1/jobs", fits);
        assertThat(admitted.statusCode()).as(admitted.body()).isEqualTo(201);
        JsonNode admission = Api.tree(admitted.body()).path("admission");
        assertThat(admission.path("verdict").asText()).as(admitted.body()).isEqualTo("admitted");
        assertThat(admission.path("basis").asText()).isEqualTo("history");
        assertThat(admission.path("historyRuns").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.jobState("report-again").equals("SUCCEEDED"));
        assertThat(api.json("/v1/jobs/report-again").path("job").path("admission").path("verdict").asText()).isEqualTo("admitted");
        String metrics = api.get("/metrics").body();
        assertThat(metric(metrics, "nightshift_deadline_met_total")).isEqualTo(1.0);
        assertThat(metric(metrics, "nightshift_deadline_admissions_total{verdict=\"admitted\"")).isEqualTo(1.0);

        String late = step("extract-late", file, 4, 0, null).replace("\"id\":\"extract-late\"", "\"id\":\"extract-late\","
                + "\"name\":\"extract\",\"deadline\":\"" + Instant.now().plus(Duration.ofSeconds(3)) + "\"");
        HttpResponse<String> refused = api.post("/v1/jobs", late);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        JsonNode problem = Api.tree(refused.body());
        assertThat(problem.path("type").asText()).isEqualTo("urn:nightshift:problem:deadline-refused");
        assertThat(problem.path("problems").get(0).path("path").asText()).isEqualTo("/deadline");
        assertThat(problem.path("admission").path("verdict").asText()).isEqualTo("refused");
        assertThat(problem.path("admission").path("basis").asText()).isEqualTo("history");
        assertThat(Duration.parse(problem.path("admission").path("estimate").asText())).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
        assertThat(api.get("/v1/jobs/extract-late").statusCode()).as("nothing stored").isEqualTo(404);

        // the same with deadlinePolicy warn is accepted at risk; the watcher warns before the deadline, then says missed
        Instant due = Instant.now().plus(Duration.ofSeconds(3));
        String warned = step("extract-warned", file, 4, 0, null).replace("\"id\":\"extract-warned\"", "\"id\":\"extract-warned\","
                + "\"name\":\"extract\",\"deadlinePolicy\":\"warn\",\"deadline\":\"" + due + "\"");
        HttpResponse<String> accepted = api.post("/v1/jobs", warned);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
        assertThat(Api.tree(accepted.body()).path("admission").path("verdict").asText()).isEqualTo("at-risk");
        List<JsonNode> events = deadlineEvents(api, 3); // report-again MET, then extract-warned AT_RISK and MISSED
        assertThat(events).extracting(e -> e.path("id").asText() + " " + e.path("state").asText())
                .containsExactly("report-again.r1 MET", "extract-warned.r1 AT_RISK", "extract-warned.r1 MISSED");
        assertThat(Instant.parse(events.get(1).path("time").asText())).as("warned before the deadline").isBefore(due);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.jobState("extract-warned").equals("SUCCEEDED"));
        assertThat(metric(api.get("/metrics").body(), "nightshift_deadline_missed_total")).isEqualTo(1.0);
    }

    /** The first {@code n} {@code deadline} events the coordinator holds, read from its event stream from the start. */
    static List<JsonNode> deadlineEvents(Api api, int n) throws Exception {
        java.net.http.HttpRequest req = api.request("/v1/events?from=0").GET().build();
        HttpResponse<java.util.stream.Stream<String>> r = api.http.sendAsync(req, HttpResponse.BodyHandlers.ofLines())
                .get(30, java.util.concurrent.TimeUnit.SECONDS);
        try (java.util.stream.Stream<String> lines = r.body()) {
            return java.util.concurrent.CompletableFuture.supplyAsync(() -> lines
                            .filter(l -> l.startsWith("data:") && l.contains("\"kind\":\"deadline\""))
                            .map(l -> Api.tree(l.substring(5))).limit(n).toList())
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** A local cluster whose scheduler clock shows {@code start} when it starts to lead. */
    Api clusterAt(String start) {
        cluster = LocalCluster.start(LocalCluster.testConfig(dir).with(CoordinatorSettings.CLOCK_START, start), 1);
        return new Api(cluster);
    }

    /** Submits; fails with a clear message when the coordinator's clock was already past {@code before} (too slow a start). */
    static void submitBefore(Api api, String body, String id, Instant before) {
        api.submit(body);
        Instant submitted = Instant.parse(api.json("/v1/jobs/" + id).path("job").path("submittedAt").asText());
        assertThat(submitted).as("the job was submitted at %s on the coordinator's clock, too late to see the change", submitted)
                .isBefore(before);
    }

    @Test
    void springForwardInAmsterdamFiresTheSkippedWallTimesOnceWhenTheClockJumps() throws Exception {
        // 2026-03-29 01:59:20 CET (margin for a slow start); at 01:00:00Z the clock jumps from 02:00 CET to 03:00 CEST
        Api api = clusterAt("2026-03-29T00:59:20Z");
        Path file = dir.resolve("spring.txt");
        submitBefore(api, appending("spring", file, "{\"cron\":\"0/10 * * * * ?\",\"syntax\":\"quartz\",\"zone\":\"Europe/Amsterdam\"}"),
                "spring", Instant.parse("2026-03-29T00:59:48Z"));
        Instant from = Instant.parse("2026-03-29T00:59:50Z");
        // the third firing is 50 s of coordinator time after its start, however long the cluster took to start
        await().atMost(Duration.ofSeconds(120)).until(() -> scheduledTimes(api.json("/v1/jobs/spring")).stream()
                .filter(t -> !t.isBefore(from)).count() >= 3);
        List<Instant> times = scheduledTimes(api.json("/v1/jobs/spring")).stream().filter(t -> !t.isBefore(from)).toList();
        // 01:59:50 CET, then every wall time from 02:00:00 to 02:59:50 (none exists) fires once, at the jump, then 03:00:10 CEST
        assertThat(times.subList(0, 3)).containsExactly(Instant.parse("2026-03-29T00:59:50Z"),
                Instant.parse("2026-03-29T01:00:00Z"), Instant.parse("2026-03-29T01:00:10Z"));
    }

    @Test
    void fallBackInAmsterdamDoesNotFireTheRepeatedHourAgain() throws Exception {
        // 2026-10-25 02:59:20 CEST (margin for a slow start); at 01:00:00Z the clock goes back from 03:00 CEST to 02:00 CET
        Api api = clusterAt("2026-10-25T00:59:20Z");
        Path file = dir.resolve("fall.txt");
        submitBefore(api, appending("fall", file, "{\"cron\":\"0/10 * * * * ?\",\"syntax\":\"quartz\",\"zone\":\"Europe/Amsterdam\"}"),
                "fall", Instant.parse("2026-10-25T00:59:48Z"));
        Instant last = Instant.parse("2026-10-25T00:59:50Z");   // 02:59:50 CEST, the last wall time before the change
        await().atMost(Duration.ofSeconds(90)).until(() -> scheduledTimes(api.json("/v1/jobs/fall")).contains(last));
        Instant seen = Instant.now().plusSeconds(30);  // past 01:00:20Z on the coordinator's clock: 02:00:00-02:00:20 CET came again
        await().atMost(Duration.ofSeconds(40)).until(() -> Instant.now().isAfter(seen));
        JsonNode detail = api.json("/v1/jobs/fall");
        List<Instant> times = scheduledTimes(detail);
        assertThat(times).last().isEqualTo(last);     // nothing fired for 02:00:00 CET and after, though the wall clock showed them
        assertThat(lines(file)).hasSize(times.size());
        // the next wall time not yet fired is 03:00:00 CET, an hour of real time later
        assertThat(detail.path("job").path("schedule").path("nextFireAt").asText()).isEqualTo("2026-10-25T02:00:00Z");
    }
}
