package io.nightshift.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nightshift.api.config.ConfigException;
import io.nightshift.api.json.Json;
import io.nightshift.coordinator.Coordinator;
import io.nightshift.coordinator.CoordinatorConfig;
import io.nightshift.coordinator.CoordinatorSettings;
import io.nightshift.coordinator.TestCoordinators;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication and authorization against a real coordinator. The route-by-route test is generated
 * from the OpenAPI document (every operation, with what it needs in {@code x-nightshift-needs}),
 * which another test keeps equal to the router's routes: a new route cannot be left unguarded.
 */
class AuthIT {
    @TempDir
    static Path dir;
    static Coordinator coordinator;
    static String admin;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        coordinator = TestCoordinators.start(dir);
        admin = coordinator.adminToken();
        assertThat(admin).startsWith("nst_");
        assertThat(send("PUT", "/v1/queues/auth-q", admin, "{\"acl\":{\"admins\":[\"qadmin\"],\"readers\":[\"qreader\"]}}")
                .statusCode()).isEqualTo(201);
        assertThat(send("POST", "/v1/jobs", admin, "{\"id\":\"auth-job\",\"type\":\"command\",\"command\":{\"argv\":[\"true\"]}}")
                .statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        coordinator.close();
    }

    static HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(coordinator.url() + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Status only; the body is not read (for streams such as /v1/events). */
    static int status(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(coordinator.url() + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        r.body().close();
        return r.statusCode();
    }

    static String token(String subject, String... roles) throws Exception {
        String body = Json.write(Map.of("subject", subject, "roles", List.of(roles)));
        HttpResponse<String> r = send("POST", "/v1/tokens", admin, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return Json.mapper().readTree(r.body()).path("token").asText();
    }

    record Operation(String method, String template, String need) {
        String path(Map<String, String> values) {
            String p = template;
            for (var e : values.entrySet()) p = p.replace("{" + e.getKey() + "}", e.getValue());
            return p;
        }

        String key() {
            return method + " " + template;
        }
    }

    static List<Operation> documentedOperations() throws Exception {
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(send("GET", "/v1/openapi", admin, null).body());
        List<Operation> ops = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
            var path = it.next();
            for (String m : List.of("get", "post", "put", "delete", "patch")) {
                JsonNode op = path.getValue().get(m);
                if (op == null) continue;
                assertThat(op.path("x-nightshift-needs").isTextual()).as(m + " " + path.getKey() + " declares x-nightshift-needs").isTrue();
                ops.add(new Operation(m.toUpperCase(Locale.ROOT), path.getKey(), op.path("x-nightshift-needs").asText()));
            }
        }
        return ops;
    }

    @Test
    void theDocumentSaysWhatEveryRouteNeedsExactlyAsTheRouterEnforcesIt() throws Exception {
        Map<String, String> documented = documentedOperations().stream()
                .collect(Collectors.toMap(Operation::key, Operation::need));
        Map<String, String> served = new HashMap<>();
        coordinator.routeNeeds().forEach((k, v) -> served.put(k, v.name().toLowerCase(Locale.ROOT).replace('_', '-')));
        assertThat(documented).isEqualTo(served);
    }

    @Test
    void everyRouteRefusesNoTokenWith401ALackingTokenWith403AndServesTheRightOne() throws Exception {
        String nobody = token("nobody");
        String spare = Json.mapper().readTree(send("POST", "/v1/tokens", admin, "{\"subject\":\"spare\",\"roles\":[]}").body())
                .path("info").path("id").asText();
        // what the routes act on: its own queue and job, since the admin calls change and delete them
        assertThat(send("PUT", "/v1/queues/routes-q", admin, "{}").statusCode()).isEqualTo(201);
        assertThat(send("POST", "/v1/jobs", admin, "{\"id\":\"routes-job\",\"queue\":\"routes-q\",\"type\":\"command\","
                + "\"command\":{\"argv\":[\"true\"]}}").statusCode()).isEqualTo(201);
        Map<String, String> params = Map.of("id", "routes-job", "taskId", "routes-job.r1.0", "stream", "stdout", "name", "routes-q");
        List<Operation> ops = documentedOperations();
        assertThat(ops).hasSizeGreaterThan(20);
        // the admin calls come last: some of them delete what the others need
        for (Operation op : ops) {
            String path = op.template().equals("/v1/tokens/{id}") ? op.path(Map.of("id", spare)) : op.path(params);
            String body = op.method().equals("POST") || op.method().equals("PUT") ? "{}" : null;
            int anonymous = status(op.method(), path, null, body);
            int unknown = status(op.method(), path, "nst_" + "x".repeat(43), body);
            int lacking = status(op.method(), path, nobody, body);
            if (op.need().equals("open")) {
                assertThat(anonymous).as("no token: " + op.key()).isNotIn(401, 403);
            } else {
                assertThat(anonymous).as("no token: " + op.key()).isEqualTo(401);
                assertThat(unknown).as("unknown token: " + op.key()).isEqualTo(401);
                if (op.need().equals("token")) assertThat(lacking).as("any token: " + op.key()).isNotIn(401, 403);
                else assertThat(lacking).as("token without roles: " + op.key()).isEqualTo(403);
            }
        }
        for (Operation op : ops) {
            String path = op.template().equals("/v1/tokens/{id}") ? op.path(Map.of("id", spare)) : op.path(params);
            String body = op.method().equals("POST") || op.method().equals("PUT") ? "{}" : null;
            assertThat(status(op.method(), path, admin, body)).as("admin: " + op.key()).isNotIn(401, 403, 500);
        }
    }

    @Test
    void aProblemSaysWhatIsMissing() throws Exception {
        HttpResponse<String> none = send("GET", "/v1/jobs", null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(send("GET", "/v1/jobs", null, null).body()).contains("Authorization: Bearer");
        String reader = token("reader-1", "read");
        HttpResponse<String> forbidden = send("POST", "/v1/queues", reader, "{\"name\":\"x\"}");
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(Json.mapper().readTree(forbidden.body()).path("detail").asText()).isEqualTo("token of 'reader-1' lacks role admin");
        assertThat(send("GET", "/health", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/metrics", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/metrics", reader, null).statusCode()).isEqualTo(200);
    }

    @Test
    void whoamiNamesTheSubjectAndRoles() throws Exception {
        String t = token("alice", "submit:auth-q", "read:default");
        JsonNode me = Json.mapper().readTree(send("GET", "/v1/whoami", t, null).body());
        assertThat(me.path("subject").asText()).isEqualTo("alice");
        assertThat(me.path("roles").toString()).isEqualTo("[\"read:default\",\"submit:auth-q\"]");
    }

    @Test
    void jobsRecordTheirOwnerAndOnlyTheOwnerAQueueAdminOrAnAdminMayKillThem() throws Exception {
        String bob = token("bob", "submit:auth-q");
        String carol = token("carol", "submit:auth-q");
        String qadmin = token("qadmin");
        String spec = "{\"id\":\"%s\",\"queue\":\"auth-q\",\"type\":\"command\",\"command\":{\"argv\":[\"sleep\",\"60\"]}}";
        HttpResponse<String> submitted = send("POST", "/v1/jobs", bob, spec.formatted("bobs"));
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
        assertThat(Json.mapper().readTree(submitted.body()).path("owner").asText()).isEqualTo("bob");

        HttpResponse<String> elsewhere = send("POST", "/v1/jobs", bob, spec.formatted("bobs-2").replace("auth-q", "default"));
        assertThat(elsewhere.statusCode()).isEqualTo(403);
        assertThat(elsewhere.body()).contains("submit on queue 'default'");
        assertThat(send("GET", "/v1/jobs/bobs-2", admin, null).statusCode()).isEqualTo(404); // changed nothing

        HttpResponse<String> notHis = send("DELETE", "/v1/jobs/bobs", carol, null);
        assertThat(notHis.statusCode()).isEqualTo(403);
        assertThat(notHis.body()).contains("only its owner");
        assertThat(Json.mapper().readTree(send("GET", "/v1/jobs/bobs", admin, null).body()).path("job").path("killRequested")
                .asBoolean()).isFalse();
        assertThat(send("DELETE", "/v1/jobs/bobs", qadmin, null).statusCode()).isIn(200, 202); // admin of auth-q by its ACL

        assertThat(send("POST", "/v1/jobs", carol, spec.formatted("carols")).statusCode()).isEqualTo(201);
        assertThat(send("DELETE", "/v1/jobs/carols", carol, null).statusCode()).isIn(200, 202);
    }

    @Test
    void aReaderOfOneQueueSeesOnlyThatQueuesJobs() throws Exception {
        String onlyQ = token("qreader"); // a reader of auth-q through the queue's ACL only
        assertThat(send("POST", "/v1/jobs", admin,
                "{\"id\":\"in-q\",\"queue\":\"auth-q\",\"type\":\"command\",\"command\":{\"argv\":[\"true\"]}}").statusCode()).isEqualTo(201);
        JsonNode page = Json.mapper().readTree(send("GET", "/v1/jobs?limit=500", onlyQ, null).body());
        List<String> queues = new ArrayList<>();
        page.path("jobs").forEach(j -> queues.add(j.path("spec").path("queue").asText()));
        assertThat(queues).isNotEmpty().containsOnly("auth-q");
        assertThat(send("GET", "/v1/jobs/auth-job", onlyQ, null).statusCode()).isEqualTo(403);
        assertThat(send("GET", "/v1/jobs/in-q", onlyQ, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v1/jobs?queue=default", onlyQ, null).statusCode()).isEqualTo(403);
        assertThat(send("GET", "/v1/tasks/auth-job.r1.0/logs/stdout", onlyQ, null).statusCode()).isEqualTo(403);
        JsonNode qs = Json.mapper().readTree(send("GET", "/v1/queues", onlyQ, null).body());
        assertThat(qs.path("queues").size()).isEqualTo(1);
        assertThat(send("GET", "/v1/queues/default", onlyQ, null).statusCode()).isEqualTo(403);
    }

    @Test
    void aRevokedTokenIsRefusedAndTheListingNeverShowsATokenOrItsHash() throws Exception {
        HttpResponse<String> created = send("POST", "/v1/tokens", admin, "{\"subject\":\"temp\",\"roles\":[\"read\"]}");
        JsonNode c = Json.mapper().readTree(created.body());
        String t = c.path("token").asText();
        String id = c.path("info").path("id").asText();
        assertThat(send("GET", "/v1/agents", t, null).statusCode()).isEqualTo(200);
        String listing = send("GET", "/v1/tokens", admin, null).body();
        assertThat(listing).contains(id).doesNotContain(t).doesNotContain(io.nightshift.coordinator.auth.TokenStore.hash(t));
        assertThat(send("DELETE", "/v1/tokens/" + id, admin, null).statusCode()).isEqualTo(204);
        assertThat(send("GET", "/v1/agents", t, null).statusCode()).isEqualTo(401);
        assertThat(send("DELETE", "/v1/tokens/tok-000000000000", admin, null).statusCode()).isEqualTo(404);
    }

    @Test
    void aBadTokenRequestGets400NamingTheFieldAndCreatesNothing() throws Exception {
        int before = Json.mapper().readTree(send("GET", "/v1/tokens", admin, null).body()).path("tokens").size();
        HttpResponse<String> r = send("POST", "/v1/tokens", admin, "{\"subject\":\"a b\",\"roles\":[\"root\",\"submit:UP\"],\"x\":1}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("/subject").contains("/roles/0").contains("/roles/1").contains("/x");
        assertThat(Json.mapper().readTree(send("GET", "/v1/tokens", admin, null).body()).path("tokens").size()).isEqualTo(before);
    }

    @Test
    void theFirstAdminTokenIsWrittenForTheOwnerOnly() throws Exception {
        Path file = dir.resolve("admin.token");
        assertThat(Files.readString(file).strip()).isEqualTo(admin);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void authOffIsRefusedUnlessBoundToLoopback() {
        var cfg = TestCoordinators.config(dir.resolve("insecure")).with(CoordinatorSettings.AUTH_INSECURE, "true");
        assertThatThrownBy(() -> CoordinatorConfig.from(cfg.with(CoordinatorSettings.HOST, "0.0.0.0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("loopback");
        assertThat(CoordinatorConfig.from(cfg.with(CoordinatorSettings.HOST, "127.0.0.1")).authInsecure()).isTrue();
    }

    static String rawStatusLine(String host) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", coordinator.port())) {
            s.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
        }
    }

    @Test
    void aHostNameThisCoordinatorDoesNotAnswerToIsRefusedAgainstDnsRebinding() throws Exception {
        assertThat(rawStatusLine("rebind.attacker.example:" + coordinator.port())).startsWith("HTTP/1.1 421");
        assertThat(rawStatusLine("127.0.0.1:" + coordinator.port())).startsWith("HTTP/1.1 200");
        assertThat(rawStatusLine("localhost:" + coordinator.port())).startsWith("HTTP/1.1 200");
    }

    @Test
    void aCrossOriginWriteIsRefusedAndNoAnswerAllowsOtherOrigins() throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(coordinator.url() + "/v1/jobs"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .header("Origin", "http://attacker.example")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"cross\",\"type\":\"command\",\"command\":{\"argv\":[\"true\"]}}"));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(send("GET", "/v1/jobs/cross", admin, null).statusCode()).isEqualTo(404);
        HttpResponse<String> same = http.send(HttpRequest.newBuilder(URI.create(coordinator.url() + "/v1/whoami"))
                .header("Authorization", "Bearer " + admin).header("Origin", "http://attacker.example").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(same.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void theDashboardIsServedWithHeadersAgainstFramingSniffingAndForeignCode() throws Exception {
        HttpResponse<String> page = send("GET", "/", null, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v ->
                assertThat(v).contains("default-src 'self'").contains("frame-ancestors 'none'").contains("script-src 'self'"));
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }
}
