package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.agent.AgentSettings;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queues over the real API: CRUD with checks, unknown queue refused, a guarantee preempts a queue over its share,
 * a wide task first in line is reserved the room a running task's maxRuntime frees (EASY backfill).
 */
class QueuesIT {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Api api;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.testConfig(dir).with(AgentSettings.CPUS, "2").with(AgentSettings.MEM_MB, "2048"), 1);
        api = new Api(cluster);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.json("/v1/agents").path("agents").size() == 1);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
        Procs.killAll("NIGHTSHIFT_SANDBOX=" + dir);
    }

    static HttpResponse<String> put(String path, String json) throws Exception {
        return api.http.send(api.request(api.base.resolve(path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void queuesAreCreatedCheckedListedAndDeletedOnlyWhenEmpty() throws Exception {
        assertThat(put("/v1/queues/etl", "{\"weight\":2}").statusCode()).isEqualTo(201);
        assertThat(put("/v1/queues/etl", "{\"weight\":3}").statusCode()).isEqualTo(200);
        HttpResponse<String> bad = put("/v1/queues/bad", "{\"weight\":0,\"guarantee\":{\"cpus\":-1},\"bogus\":1}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("/weight").contains("/bogus");
        assertThat(put("/v1/queues/Bad%20Name", "{\"weight\":1}").statusCode()).isEqualTo(400);
        assertThat(api.post("/v1/queues", "{\"name\":\"etl\",\"weight\":1}").statusCode()).isEqualTo(409);
        assertThat(api.json("/v1/queues/etl").path("spec").path("weight").asDouble()).isEqualTo(3.0);
        assertThat(api.json("/v1/queues").path("queues").toString()).contains("\"default\"").contains("\"etl\"");

        HttpResponse<String> unknown = api.post("/v1/jobs", "{\"queue\":\"nope\",\"type\":\"command\",\"command\":{\"argv\":[\"true\"]}}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("/queue").contains("unknown queue");

        String id = api.submit("{\"id\":\"etl-job\",\"queue\":\"etl\",\"type\":\"command\",\"command\":{\"argv\":[\"sleep\",\"30\"]},"
                + "\"resources\":{\"cpus\":0.1,\"memMb\":16}}");
        assertThat(api.delete("/v1/queues/etl").statusCode()).as("a queue with live jobs").isEqualTo(409);
        api.delete("/v1/jobs/" + id);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.jobState(id).equals("KILLED"));
        assertThat(api.delete("/v1/queues/etl").statusCode()).isEqualTo(204);
        assertThat(api.get("/v1/queues/etl").statusCode()).isEqualTo(404);
        assertThat(api.delete("/v1/queues/default").statusCode()).isEqualTo(409);
    }

    @Test
    void aQueueUnderItsGuaranteePreemptsOneAboveItsShareAndTheVictimIsRequeuedNotFailed() throws Exception {
        assertThat(put("/v1/queues/batch", "{\"weight\":1}").statusCode()).isEqualTo(201);
        assertThat(put("/v1/queues/urgent", "{\"weight\":1,\"guarantee\":{\"cpus\":1,\"memMb\":256}}").statusCode()).isEqualTo(201);
        String filler = "{\"queue\":\"batch\",\"type\":\"command\",\"command\":{\"shell\":\"sleep 600\"},"
                + "\"resources\":{\"cpus\":1,\"memMb\":256},\"killGracePeriod\":\"PT1S\",\"id\":\"";
        String a = api.submit(filler + "batch-a\"}");
        String b = api.submit(filler + "batch-b\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> api.jobState(a).equals("RUNNING") && api.jobState(b).equals("RUNNING"));

        String urgent = api.submit("{\"id\":\"urgent-1\",\"queue\":\"urgent\",\"type\":\"command\",\"command\":{\"shell\":\"sleep 600\"},"
                + "\"resources\":{\"cpus\":1,\"memMb\":256}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> api.jobState(urgent).equals("RUNNING"));

        JsonNode victim = null;
        for (String id : new String[] {a, b}) {
            JsonNode t = api.task(id);
            if (t.path("attempts").get(0).path("reason").asText().equals("PREEMPTED")) victim = t;
        }
        assertThat(victim).as("one batch task was preempted").isNotNull();
        assertThat(victim.path("attempts").get(0).path("state").asText()).isEqualTo("KILLED");
        assertThat(victim.path("state").asText()).as("requeued, not failed").isEqualTo("PENDING");
        assertThat(api.jobState(victim.path("jobId").asText())).isEqualTo("RUNNING");
        for (String id : new String[] {a, b, urgent}) api.delete("/v1/jobs/" + id);
    }

    @Test
    void aWideTaskThatCannotStartIsReservedRoomAndWorkWithoutAnEndWaitsForIt() throws Exception {
        // the one agent (2 cpus) is idle, then one cpu is taken for at most 10 minutes
        await().atMost(Duration.ofSeconds(30)).until(() -> api.json("/v1/agents").path("agents").get(0)
                .path("allocated").path("cpus").asDouble() == 0);
        assertThat(put("/v1/queues/wide", "{\"weight\":1}").statusCode()).isIn(200, 201);
        String job = "{\"queue\":\"wide\",\"type\":\"command\",\"command\":{\"shell\":\"sleep 600\"},\"killGracePeriod\":\"PT1S\",";
        String busy = api.submit(job + "\"id\":\"busy-10m\",\"maxRuntime\":\"PT10M\",\"resources\":{\"cpus\":1,\"memMb\":64}}");
        await().atMost(Duration.ofSeconds(20)).until(() -> api.jobState(busy).equals("RUNNING"));
        String wide = api.submit(job + "\"id\":\"wide-2\",\"priority\":10,\"resources\":{\"cpus\":2,\"memMb\":64}}");
        String open = api.submit(job + "\"id\":\"no-end\",\"resources\":{\"cpus\":1,\"memMb\":64}}");

        JsonNode pending = await().atMost(Duration.ofSeconds(20)).until(() -> api.json("/v1/jobs/" + wide).path("pending"),
                p -> p.has("reservation"));
        String agent = api.json("/v1/agents").path("agents").get(0).path("id").asText();
        assertThat(pending.path("reservation").path("agents").toString()).isEqualTo("[\"" + agent + "\"]");
        assertThat(pending.path("reservation").path("instances").asInt()).isEqualTo(1);
        java.time.Instant start = java.time.Instant.parse(pending.path("reservation").path("start").asText());
        assertThat(start).isAfter(java.time.Instant.now().plus(Duration.ofMinutes(8))).isBefore(java.time.Instant.now().plus(Duration.ofMinutes(11)));
        assertThat(pending.path("eta").asText()).isEqualTo(pending.path("reservation").path("start").asText());
        JsonNode waiting = await().atMost(Duration.ofSeconds(10)).until(() -> api.json("/v1/jobs/" + open).path("pending"),
                p -> p.path("reasons").toString().contains("\"reservation\""));
        assertThat(api.jobState(open)).as(waiting.toString()).isEqualTo("QUEUED");
        for (String id : new String[] {busy, wide, open}) api.delete("/v1/jobs/" + id);
    }

    @Test
    void aJobQueuedBehindRunningOnesIsGivenAnEtaFromItsQueuesMeasuredFinishRate() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> api.json("/v1/agents").path("agents").get(0)
                .path("allocated").path("cpus").asDouble() == 0);
        assertThat(put("/v1/queues/eta", "{\"weight\":1}").statusCode()).isIn(200, 201);
        String job = "{\"queue\":\"eta\",\"type\":\"command\",\"killGracePeriod\":\"PT1S\",";
        // three quick tasks of the queue end: it has a finish rate (3 in the last 10 minutes)
        for (int i = 0; i < 3; i++) {
            String quick = api.submit(job + "\"id\":\"eta-quick-" + i + "\",\"command\":{\"argv\":[\"true\"]},"
                    + "\"resources\":{\"cpus\":0.1,\"memMb\":16}}");
            await().atMost(Duration.ofSeconds(20)).until(() -> api.jobState(quick).equals("SUCCEEDED"));
        }
        // two tasks without a maxRuntime fill the agent's 2 cpus (so no reservation: the ETA is the rate's), a third waits
        String fill = "\"command\":{\"shell\":\"sleep 600\"},\"resources\":{\"cpus\":1,\"memMb\":64}}";
        String a = api.submit(job + "\"id\":\"eta-busy-a\"," + fill);
        String b = api.submit(job + "\"id\":\"eta-busy-b\"," + fill);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.jobState(a).equals("RUNNING") && api.jobState(b).equals("RUNNING"));
        java.time.Instant before = java.time.Instant.now();
        String queued = api.submit(job + "\"id\":\"eta-queued\"," + fill);

        JsonNode pending = await().atMost(Duration.ofSeconds(20)).until(() -> api.json("/v1/jobs/" + queued).path("pending"),
                p -> p.has("eta"));
        assertThat(api.jobState(queued)).isEqualTo("QUEUED");
        assertThat(pending.has("reservation")).as("no running task has an expected end").isFalse();
        assertThat(pending.path("reasons").toString()).contains("\"insufficient.cpus\"").contains("\"kind\":\"DYNAMIC\"");
        // 1 task waits in a queue that ended 3 (or a few more) tasks in the last 10 minutes: at most 200 s from now
        java.time.Instant eta = java.time.Instant.parse(pending.path("eta").asText());
        assertThat(eta).isAfter(before).isBefore(java.time.Instant.now().plus(Duration.ofSeconds(201)));
        for (String id : new String[] {a, b, queued}) api.delete("/v1/jobs/" + id);
    }
}
