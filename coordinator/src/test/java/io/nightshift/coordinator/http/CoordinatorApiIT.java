package io.nightshift.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nightshift.api.json.Json;
import io.nightshift.coordinator.Coordinator;
import io.nightshift.coordinator.TestCoordinators;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The REST API's answers to good and bad input, against a real coordinator (no agent needed). */
class CoordinatorApiIT {
    @TempDir
    static Path dir;
    static Coordinator coordinator;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        coordinator = TestCoordinators.start(dir);
    }

    @AfterAll
    static void stop() {
        coordinator.close();
    }

    static HttpResponse<String> post(String body, String contentType, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(coordinator.url().resolve("/v1/jobs")).header("Authorization", "Bearer " + coordinator.adminToken())
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(coordinator.url() + path)).header("Authorization", "Bearer " + coordinator.adminToken()).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static Stream<Arguments> malformedSpecs() {
        String ok = "\"type\":\"command\",\"command\":{\"argv\":[\"true\"]}";
        return Stream.of(
                Arguments.of("{", ""),
                Arguments.of("", ""),
                Arguments.of("[]", ""),
                Arguments.of("42", ""),
                Arguments.of("{}", "/type"),
                Arguments.of("{\"type\":\"flink\"}", "/type"),
                Arguments.of("{\"type\":\"spark\"}", "/spark"),
                Arguments.of("{\"type\":7}", "/type"),
                Arguments.of("{\"type\":null}", "/type"),
                Arguments.of("{\"type\":\"command\"}", "/command"),
                Arguments.of("{\"type\":\"command\",\"command\":{}}", "/command"),
                Arguments.of("{\"type\":\"command\",\"command\":{\"argv\":[]}}", "/command/argv"),
                Arguments.of("{\"type\":\"command\",\"command\":{\"argv\":[1]}}", "/command/argv/0"),
                Arguments.of("{\"type\":\"command\",\"command\":{\"argv\":[\"a\"],\"shell\":\"b\"}}", "/command"),
                Arguments.of("{\"type\":\"command\",\"command\":{\"shell\":\"\"}}", "/command/shell"),
                Arguments.of("{" + ok + ",\"jvm\":{\"mainClass\":\"A\"}}", "/jvm"),
                Arguments.of("{\"type\":\"jvm\",\"jvm\":{}}", "/jvm/mainClass"),
                Arguments.of("{\"type\":\"jvm\",\"jvm\":{\"mainClass\":\"not a class\"}}", "/jvm/mainClass"),
                Arguments.of("{" + ok + ",\"bogus\":1}", "/bogus"),
                Arguments.of("{" + ok + ",\"resources\":{\"cpu\":1}}", "/resources/cpu"),
                Arguments.of("{" + ok + ",\"resources\":{\"cpus\":0}}", "/resources/cpus"),
                Arguments.of("{" + ok + ",\"resources\":{\"cpus\":-1}}", "/resources/cpus"),
                Arguments.of("{" + ok + ",\"resources\":{\"cpus\":5000}}", "/resources/cpus"),
                Arguments.of("{" + ok + ",\"resources\":{\"cpus\":\"two\"}}", "/resources/cpus"),
                Arguments.of("{" + ok + ",\"resources\":{\"cpus\":NaN}}", ""),
                Arguments.of("{" + ok + ",\"resources\":{\"memMb\":1.5}}", "/resources/memMb"),
                Arguments.of("{" + ok + ",\"resources\":{\"memMb\":1e400}}", "/resources/memMb"),
                Arguments.of("{" + ok + ",\"resources\":{\"memMb\":99999999999999999999999}}", "/resources/memMb"),
                Arguments.of("{" + ok + ",\"resources\":{\"gpus\":65}}", "/resources/gpus"),
                Arguments.of("{" + ok + ",\"resources\":[]}", "/resources"),
                Arguments.of("{" + ok + ",\"env\":{\"NIGHTSHIFT_JOB_ID\":\"x\"}}", "/env/NIGHTSHIFT_JOB_ID"),
                Arguments.of("{" + ok + ",\"env\":{\"1BAD\":\"x\"}}", "/env/1BAD"),
                Arguments.of("{" + ok + ",\"env\":{\"A\":1}}", "/env/A"),
                Arguments.of("{" + ok + ",\"args\":\"x\"}", "/args"),
                Arguments.of("{" + ok + ",\"retries\":{\"max\":101}}", "/retries/max"),
                Arguments.of("{" + ok + ",\"retries\":{\"backoff\":{\"initial\":\"soon\"}}}", "/retries/backoff/initial"),
                Arguments.of("{" + ok + ",\"maxRuntime\":\"PT0S\"}", "/maxRuntime"),
                Arguments.of("{" + ok + ",\"pendingTimeout\":\"PT0.5S\"}", "/pendingTimeout"),
                Arguments.of("{" + ok + ",\"pendingTimeout\":\"P31D\"}", "/pendingTimeout"),
                Arguments.of("{" + ok + ",\"killGracePeriod\":\"PT2H\"}", "/killGracePeriod"),
                Arguments.of("{" + ok + ",\"priority\":5000}", "/priority"),
                Arguments.of("{" + ok + ",\"instances\":0}", "/instances"),
                Arguments.of("{" + ok + ",\"id\":\"a.b\"}", "/id"),
                Arguments.of("{" + ok + ",\"id\":\"" + "x".repeat(65) + "\"}", "/id"),
                Arguments.of("{" + ok + ",\"queue\":\"UPPER\"}", "/queue"),
                Arguments.of("{" + ok + ",\"labels\":{\"\":\"x\"}}", "/labels/"),
                Arguments.of("{" + ok + ",\"name\":\"a\\u0000b\"}", "/name"),
                Arguments.of("{\"type\":\"command\",\"type\":\"jvm\"}", ""));
    }

    @ParameterizedTest
    @MethodSource("malformedSpecs")
    void malformedSpecGets400NamingTheFieldAndChangesNothing(String body, String path) throws Exception {
        int before = jobCount();
        HttpResponse<String> r = post(body, "application/json");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode p = Json.mapper().readTree(r.body());
        assertThat(p.path("status").asInt()).isEqualTo(400);
        List<String> paths = new ArrayList<>();
        p.path("problems").forEach(x -> paths.add(x.path("path").asText()));
        assertThat(paths).as(r.body()).isNotEmpty();
        if (!path.isEmpty()) assertThat(paths).as(r.body()).contains(path);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("at io.");
        assertThat(jobCount()).isEqualTo(before);
    }

    static int jobCount() throws Exception {
        return Json.mapper().readTree(get("/v1/jobs?limit=500").body()).path("jobs").size();
    }

    @Test
    void bodyOverOneMebibyteGets413() throws Exception {
        String big = "{\"type\":\"command\",\"command\":{\"shell\":\"" + "x".repeat(1_100_000) + "\"}}";
        HttpResponse<String> r = post(big, "application/json");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void aJobWaitingUnplacedPastItsPendingTimeoutEndsUnschedulableWithTheReasons() throws Exception {
        HttpResponse<String> r = post("{\"id\":\"never-placed\",\"type\":\"command\",\"command\":{\"argv\":[\"true\"]},"
                + "\"pendingTimeout\":\"PT1S\"}", "application/json");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode job = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> Json.mapper().readTree(get("/v1/jobs/never-placed").body()),
                        j -> j.path("job").path("state").asText().equals("FAILED"));
        assertThat(job.path("job").path("reason").asText()).isEqualTo("UNSCHEDULABLE");
        JsonNode reasons = job.path("pending").path("reasons");
        assertThat(reasons.path(0).path("code").asText()).as(job.toString()).isEqualTo("pending.timeout");
        assertThat(reasons.path(0).path("kind").asText()).as("waiting no longer helps").isEqualTo("STATIC");
        assertThat(reasons.path(1).path("code").asText()).isEqualTo("no.agents");
        assertThat(reasons.path(1).path("kind").asText()).isEqualTo("DYNAMIC");
        for (String field : List.of("resource", "asked", "available")) {
            assertThat(reasons.path(1).has(field)).as(field + " is there, null: not a resource veto").isTrue();
            assertThat(reasons.path(1).path(field).isNull()).as(field).isTrue();
        }
    }

    @Test
    void wrongContentTypeGets415() throws Exception {
        assertThat(post("{\"type\":\"command\",\"command\":{\"argv\":[\"true\"]}}", "text/plain").statusCode()).isEqualTo(415);
        assertThat(post("{}", null).statusCode()).isEqualTo(415);
    }

    @Test
    void resubmitWithSameIdAndBodyIs200AndWithAnotherBodyIs409() throws Exception {
        String body = "{\"id\":\"idem-1\",\"type\":\"command\",\"command\":{\"argv\":[\"true\"]}}";
        HttpResponse<String> first = post(body, "application/json");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        assertThat(first.headers().firstValue("Location")).hasValue("/v1/jobs/idem-1");
        HttpResponse<String> again = post(body, "application/json; charset=utf-8");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(again.body()).path("id").asText()).isEqualTo("idem-1");
        HttpResponse<String> other = post(body.replace("true", "false"), "application/json");
        assertThat(other.statusCode()).isEqualTo(409);
        assertThat(other.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void idempotencyKeyMakesAnIdlessSubmitIdempotent() throws Exception {
        String body = "{\"type\":\"command\",\"command\":{\"argv\":[\"true\"]}}";
        HttpResponse<String> first = post(body, "application/json", "Idempotency-Key", "key-123");
        HttpResponse<String> again = post(body, "application/json", "Idempotency-Key", "key-123");
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(again.body()).path("id").asText())
                .isEqualTo(Json.mapper().readTree(first.body()).path("id").asText());
        assertThat(post(body.replace("true", "false"), "application/json", "Idempotency-Key", "key-123").statusCode()).isEqualTo(409);
        assertThat(post(body, "application/json", "Idempotency-Key", "bad key with spaces").statusCode()).isEqualTo(400);
    }

    @Test
    void unknownThingsAre404ProblemsAndBadQueriesAre400() throws Exception {
        for (String path : List.of("/v1/jobs/nope", "/v1/jobs/..%2F..%2Fetc", "/v1/tasks/nope.r1.0/logs/stdout",
                "/v1/tasks/x.r1.0/logs/passwd", "/v1/nothing-here")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.headers().firstValue("Content-Type")).as(path).hasValue("application/problem+json");
        }
        for (String q : List.of("limit=0", "limit=abc", "limit=501", "state=bogus", "after=%25%25", "label=novalue", "queue=UP")) {
            assertThat(get("/v1/jobs?" + q).statusCode()).as(q).isEqualTo(400);
        }
        HttpResponse<String> del = http.send(HttpRequest.newBuilder(coordinator.url().resolve("/v1/jobs/missing"))
                .header("Authorization", "Bearer " + coordinator.adminToken()).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(del.statusCode()).isEqualTo(404);
    }

    @Test
    void utilizationHistoryAnswersTheSamplesTakenAndRejectsBadQueriesNamingTheParameter() throws Exception {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> Json.mapper().readTree(get("/v1/cluster/utilization").body()).path("samples").size() >= 1);
        JsonNode body = Json.mapper().readTree(get("/v1/cluster/utilization?since=PT1H&points=5").body());
        assertThat(body.path("intervalSeconds").asDouble()).isEqualTo(10.0);
        JsonNode first = body.path("samples").get(0);
        assertThat(first.path("agents").asInt()).isZero(); // no agent in this test
        assertThat(first.path("total").path("cpus").asDouble()).isZero();
        assertThat(first.path("at").asText()).isNotEmpty();
        assertThat(get("/v1/cluster/utilization?since=2026-01-01T00:00:00Z").statusCode()).isEqualTo(200);
        for (String q : List.of("since=yesterday", "since=P400D", "since=-PT1H", "points=0", "points=2001", "points=x")) {
            HttpResponse<String> r = get("/v1/cluster/utilization?" + q);
            assertThat(r.statusCode()).as(q).isEqualTo(400);
            assertThat(Json.mapper().readTree(r.body()).path("problems").get(0).path("path").asText()).as(q)
                    .isEqualTo(q.substring(0, q.indexOf('=')));
        }
    }

    @Test
    void jobsListFiltersByEveryLabelAndPagesNewestFirstWithACursor() throws Exception {
        for (int i = 0; i < 5; i++)
            post("{\"id\":\"page-" + i + "\",\"labels\":{\"set\":\"paging\",\"kind\":\"page\"},\"type\":\"command\",\"command\":{\"argv\":[\"true\"]}}", "application/json");
        post("{\"id\":\"page-other\",\"labels\":{\"set\":\"paging\"},\"type\":\"command\",\"command\":{\"argv\":[\"true\"]}}",
                "application/json"); // carries only one of the two labels asked for
        Set<String> seen = new HashSet<>();
        String next = null;
        int pages = 0;
        do {
            JsonNode page = Json.mapper().readTree(get("/v1/jobs?label=set=paging&label=kind=page&limit=2" + (next == null ? "" : "&after=" + next)).body());
            page.path("jobs").forEach(j -> seen.add(j.path("id").asText()));
            next = page.path("next").isNull() || page.path("next").isMissingNode() ? null : page.path("next").asText();
            pages++;
        } while (next != null && pages < 10);
        assertThat(seen).containsExactlyInAnyOrder("page-0", "page-1", "page-2", "page-3", "page-4");
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void openApiDocumentListsExactlyTheServedRoutes() throws Exception {
        HttpResponse<String> r = get("/v1/openapi");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(r.body());
        Set<String> documented = new HashSet<>();
        for (Iterator<String> it = doc.path("paths").fieldNames(); it.hasNext(); ) documented.add(it.next());
        assertThat(documented).containsExactlyInAnyOrderElementsOf(coordinator.routePaths());
        for (String path : documented) {
            if (path.contains("{") || path.equals("/v1/events") || path.equals("/v1/agents/channel")) continue;
            assertThat(get(path).statusCode()).as(path).isEqualTo(200);
        }
    }

    @Test
    void healthAndMetricsAnswer() throws Exception {
        assertThat(Json.mapper().readTree(get("/health").body()).path("status").asText()).isEqualTo("UP");
        assertThat(get("/metrics").body()).contains("nightshift_jobs_submitted_total");
    }

    static String read(Path p) throws IOException {
        return java.nio.file.Files.readString(p);
    }
}
