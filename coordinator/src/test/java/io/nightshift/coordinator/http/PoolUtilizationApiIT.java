package io.nightshift.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.json.Json;
import io.nightshift.coordinator.Coordinator;
import io.nightshift.coordinator.CoordinatorConfig;
import io.nightshift.coordinator.CoordinatorSettings;
import io.nightshift.coordinator.TestCoordinators;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/pools/{name}/utilization} against a real coordinator: a declared pool's series is sampled and served
 * bounded, an unknown pool is a 404, a bad {@code since} or {@code points} a 400 naming it, the read role is needed,
 * and the series is still there after a restart.
 */
class PoolUtilizationApiIT {
    @TempDir
    static Path dir;
    static Coordinator coordinator;
    static final HttpClient http = HttpClient.newHttpClient();

    static CoordinatorConfig config() {
        return CoordinatorConfig.from(TestCoordinators.config(dir)
                .with(CoordinatorSettings.UTILIZATION_INTERVAL, "PT0.2S")
                .with(CoordinatorSettings.UTILIZATION_KEPT, "PT10M")); // 10 min / 4320 < 0.2 s: each pool every 0.2 s too
    }

    @BeforeAll
    static void start() {
        coordinator = Coordinator.start(config());
        leads();
    }

    /** Waits until the coordinator answers as the leader (on a loaded machine it may step down and come back once). */
    static void leads() {
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/v1/pools").statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        if (coordinator != null) coordinator.close();
    }

    static HttpResponse<String> send(String method, String path, String body, boolean token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(coordinator.url().resolve(path));
        if (token) b.header("Authorization", "Bearer " + coordinator.adminToken());
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null, true);
    }

    static JsonNode problem(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        return Json.mapper().readTree(r.body());
    }

    @Test
    void aPoolsSeriesIsSampledBoundedValidatedAndKeptAcrossARestart() throws Exception {
        HttpResponse<String> unknown = get("/v1/pools/nowhere/utilization");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(problem(unknown).path("detail").asText()).contains("nowhere");
        assertThat(send("GET", "/v1/pools/nowhere/utilization", null, false).statusCode()).isEqualTo(401);

        // a pool lending all day: its series says so from its first sample
        HttpResponse<String> put = send("PUT", "/v1/pools/lab", """
                {"reservation":{"cpus":2,"memMb":1024},
                 "windows":[{"name":"always","zone":"Europe/Amsterdam","ranges":[{"from":"00:00","to":"12:00"},{"from":"12:00","to":"00:00"}]}]}""", true);
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(20)).until(() -> samples(get("/v1/pools/lab/utilization")).size() >= 5);

        JsonNode body = Json.mapper().readTree(get("/v1/pools/lab/utilization").body());
        assertThat(body.path("pool").asText()).isEqualTo("lab");
        assertThat(body.path("intervalSeconds").asDouble()).isEqualTo(0.2);
        JsonNode first = body.path("samples").get(0);
        assertThat(first.path("lending").asBoolean()).isTrue();
        assertThat(first.path("agents").asInt()).isZero();
        for (String f : new String[] {"total", "used", "owners", "idle", "lent"}) assertThat(first.path(f).has("cpus")).as(f).isTrue();
        Instant at = Instant.parse(first.path("at").asText());
        assertThat(at).isAfter(Instant.now().minus(Duration.ofMinutes(1)));

        // bounded: points merges samples into buckets; since leaves older ones out
        assertThat(samples(get("/v1/pools/lab/utilization?points=2"))).hasSizeLessThanOrEqualTo(2);
        assertThat(samples(get("/v1/pools/lab/utilization?since=" + Instant.now().plusSeconds(60)))).isEmpty();
        assertThat(samples(get("/v1/pools/lab/utilization?since=PT1H&points=2000")).size()).isGreaterThanOrEqualTo(5);

        for (String[] bad : new String[][] {{"since=yesterday", "since"}, {"since=P400D", "since"}, {"since=-PT1H", "since"},
                {"points=0", "points"}, {"points=2001", "points"}, {"points=many", "points"}}) {
            HttpResponse<String> r = get("/v1/pools/lab/utilization?" + bad[0]);
            assertThat(r.statusCode()).as(bad[0]).isEqualTo(400);
            JsonNode ps = problem(r).path("problems");
            assertThat(ps).as(bad[0]).hasSize(1);
            assertThat(ps.get(0).path("path").asText()).as(bad[0]).isEqualTo(bad[1]);
        }

        int before = samples(get("/v1/pools/lab/utilization")).size();
        coordinator.close();
        coordinator = Coordinator.start(config());
        leads();
        JsonNode again = samples(get("/v1/pools/lab/utilization"));
        assertThat(again.size()).isGreaterThanOrEqualTo(before);
        assertThat(again.get(0).path("at").asText()).isEqualTo(first.path("at").asText());
    }

    static JsonNode samples(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body()).path("samples");
    }
}
