package io.nightshift.agent.logs;

import io.nightshift.api.json.Json;
import io.nightshift.api.protocol.AgentTicket;
import io.nightshift.api.state.TaskState;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LogServerIT {
    @TempDir
    Path sandboxes;
    @TempDir
    Path outside;

    final Map<String, TaskState> states = new ConcurrentHashMap<>();
    final HttpClient http = HttpClient.newHttpClient();
    Vertx vertx;
    LogServer server;
    String base;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = new LogServer(vertx, sandboxes, id -> Optional.ofNullable(states.get(id)),
                () -> Map.of("isolation", "test-isolation")).metrics(() -> "# TYPE x counter\nx_total 1.0\n");
        int port = server.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + port;
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Path sandbox(String attemptId, String stdout) throws Exception {
        Path dir = Files.createDirectories(sandboxes.resolve(attemptId));
        Files.writeString(dir.resolve("stdout"), stdout);
        Files.writeString(dir.resolve("stderr"), "");
        return dir;
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesAWholeLogWithItsAttemptState() throws Exception {
        sandbox("job.r1.0.1", "a\nb\nc\n");
        states.put("job.r1.0.1", TaskState.RUNNING);
        HttpResponse<String> r = get("/v1/sandboxes/job.r1.0.1/stdout");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("a\nb\nc\n");
        assertThat(r.headers().firstValue(LogServer.STATE_HEADER)).hasValue("RUNNING");
        assertThat(r.headers().firstValue(LogServer.OFFSET_HEADER)).hasValue("0");
        assertThat(get("/v1/sandboxes/job.r1.0.1/stderr").body()).isEmpty();
    }

    @Test
    void anOffsetSkipsBytes() throws Exception {
        sandbox("job.1", "line1\nline2\nline3\n");
        HttpResponse<String> r = get("/v1/sandboxes/job.1/stdout?offset=6");
        assertThat(r.body()).isEqualTo("line2\nline3\n");
        assertThat(r.headers().firstValue(LogServer.OFFSET_HEADER)).hasValue("6");
        assertThat(r.headers().firstValue(LogServer.STATE_HEADER)).isEmpty(); // not known to this agent
        assertThat(get("/v1/sandboxes/job.1/stdout?offset=1000").body()).isEmpty();
    }

    @Test
    void tailReturnsTheLastLines() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 20_000; i++) sb.append("line ").append(i).append('\n');
        sandbox("big.1", sb.toString());
        HttpResponse<String> r = get("/v1/sandboxes/big.1/stdout?tail=2");
        assertThat(r.body()).isEqualTo("line 19999\nline 20000\n");
        assertThat(get("/v1/sandboxes/big.1/stdout").body()).hasSize(sb.length());
    }

    @Test
    void followStreamsAppendedBytesUntilTheAttemptEnds() throws Exception {
        Path dir = sandbox("follow.1", "first\n");
        states.put("follow.1", TaskState.RUNNING);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        CompletableFuture<Integer> ended = CompletableFuture.supplyAsync(() -> {
            try {
                HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/sandboxes/follow.1/stdout?follow=true")).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = r.body()) {
                    byte[] buf = new byte[1024];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        synchronized (received) {
                            received.write(buf, 0, n);
                        }
                    }
                }
                return r.statusCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> text(received).equals("first\n"));
        Files.writeString(dir.resolve("stdout"), "second\n", StandardOpenOption.APPEND);
        await().atMost(Duration.ofSeconds(10)).until(() -> text(received).equals("first\nsecond\n"));
        assertThat(ended).isNotDone();

        Files.writeString(dir.resolve("stdout"), "last words\n", StandardOpenOption.APPEND);
        states.put("follow.1", TaskState.FINISHED);
        assertThat(ended.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(text(received)).isEqualTo("first\nsecond\nlast words\n");
    }

    @Test
    void followOnAnEndedAttemptReturnsWhatThereIsAndCloses() throws Exception {
        sandbox("done.1", "all\n");
        states.put("done.1", TaskState.FAILED);
        assertThat(get("/v1/sandboxes/done.1/stdout?follow=true&tail=1").body()).isEqualTo("all\n");
    }

    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void unknownAttemptsAndStreamsAre404ProblemJson() throws Exception {
        sandbox("known.1", "x");
        HttpResponse<String> r = get("/v1/sandboxes/unknown.1/stdout");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        @SuppressWarnings("unchecked")
        Map<String, Object> problem = Json.read(r.body(), Map.class);
        assertThat(problem).containsEntry("title", "Not Found").containsEntry("status", 404).containsKey("detail");
        assertThat(get("/v1/sandboxes/known.1/task.json").statusCode()).isEqualTo(404);
        assertThat(get("/v1/sandboxes/known.1/stdin").statusCode()).isEqualTo(404);
        assertThat(get("/v1/sandboxes/known.1").statusCode()).isEqualTo(404);
        assertThat(get("/v1/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void pathTraversalIsRejected() throws Exception {
        Files.writeString(outside.resolve("stdout"), "secret");
        assertThat(get("/v1/sandboxes/..%2F..%2Fetc/stdout").statusCode()).isEqualTo(400);
        assertThat(get("/v1/sandboxes/%2E%2E/stdout").statusCode()).isEqualTo(400);
        assertThat(get("/v1/sandboxes/..%2f" + outside.getFileName() + "/stdout").statusCode()).isEqualTo(400);
        assertThat(get("/v1/sandboxes/a/..%2F..%2Fstdout").statusCode()).isEqualTo(404);
        HttpResponse<String> raw = get("/v1/sandboxes/../stdout");
        assertThat(raw.statusCode()).isIn(400, 404);
        assertThat(raw.body()).doesNotContain("secret");
    }

    @Test
    void aSymbolicLinkOutOfTheSandboxIsNotFollowed() throws Exception {
        Files.writeString(outside.resolve("shadow"), "secret");
        Path dir = Files.createDirectories(sandboxes.resolve("evil.1"));
        Files.createSymbolicLink(dir.resolve("stdout"), outside.resolve("shadow"));
        Files.createSymbolicLink(sandboxes.resolve("link.1"), outside);
        Files.writeString(outside.resolve("stdout"), "secret");
        HttpResponse<String> viaFile = get("/v1/sandboxes/evil.1/stdout");
        assertThat(viaFile.statusCode()).isEqualTo(404);
        assertThat(viaFile.body()).doesNotContain("secret");
        assertThat(get("/v1/sandboxes/link.1/stdout").statusCode()).isEqualTo(404);
    }

    @Test
    void badParametersAre400() throws Exception {
        sandbox("p.1", "x");
        for (String q : new String[]{"offset=-1", "offset=abc", "tail=0", "tail=100001", "tail=x", "offset=1&tail=1", "follow=yes"}) {
            HttpResponse<String> r = get("/v1/sandboxes/p.1/stdout?" + q);
            assertThat(r.statusCode()).as(q).isEqualTo(400);
            assertThat(r.body()).as(q).contains("\"status\":400");
        }
    }

    @Test
    void metricsAreServedInThePrometheusTextFormatToGetOnly() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
        assertThat(r.body()).isEqualTo("# TYPE x counter\nx_total 1.0\n");
        HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void healthSaysUpAndNamesTheIsolation() throws Exception {
        HttpResponse<String> r = get("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"status\":\"UP\",\"isolation\":\"test-isolation\"}");
    }

    @Test
    void onlyGetIsAllowed() throws Exception {
        sandbox("m.1", "x");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/sandboxes/m.1/stdout"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
    }

    @Test
    void onceTheAgentHoldsACredentialLogsNeedATicketForThatAttempt() throws Exception {
        String credential = io.nightshift.api.protocol.AgentProof.newCredential();
        String guarded = guardedServer(credential, false);
        sandbox("job.r1.0.1", "secret output\n");
        sandbox("other.r1.0.1", "other output\n");
        String path = "/v1/sandboxes/job.r1.0.1/stdout";
        java.time.Instant soon = java.time.Instant.now().plusSeconds(60);

        HttpResponse<String> none = getWith(guarded + path, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).doesNotContain("secret output");
        String forged = AgentTicket.sign(io.nightshift.api.protocol.AgentProof.newCredential(), "agent-1",
                AgentTicket.logs("job.r1.0.1"), soon);
        assertThat(getWith(guarded + path, forged).statusCode()).isEqualTo(401);
        String expired = AgentTicket.sign(credential, "agent-1", AgentTicket.logs("job.r1.0.1"), java.time.Instant.now().minusSeconds(5));
        assertThat(getWith(guarded + path, expired).statusCode()).isEqualTo(401);
        String otherAgent = AgentTicket.sign(credential, "agent-2", AgentTicket.logs("job.r1.0.1"), soon);
        assertThat(getWith(guarded + path, otherAgent).statusCode()).isEqualTo(401);

        String forOther = AgentTicket.sign(credential, "agent-1", AgentTicket.logs("other.r1.0.1"), soon);
        HttpResponse<String> wrong = getWith(guarded + path, forOther);
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).doesNotContain("secret output");
        assertThat(getWith(guarded + "/v1/sandboxes/other.r1.0.1/stdout", forOther).body()).isEqualTo("other output\n");

        String good = AgentTicket.sign(credential, "agent-1", AgentTicket.logs("job.r1.0.1"), soon);
        HttpResponse<String> ok = getWith(guarded + path + "?tail=1", good);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("secret output\n");
        assertThat(getWith(guarded + "/health", null).statusCode()).isEqualTo(200);
    }

    @Test
    void onceTheAgentHoldsACredentialMetricsNeedAMetricsTicketUnlessOpen() throws Exception {
        String credential = io.nightshift.api.protocol.AgentProof.newCredential();
        String guarded = guardedServer(credential, false);
        java.time.Instant soon = java.time.Instant.now().plusSeconds(60);
        assertThat(getWith(guarded + "/metrics", null).statusCode()).isEqualTo(401);
        assertThat(getWith(guarded + "/metrics", AgentTicket.sign(credential, "agent-1", AgentTicket.logs("job.r1.0.1"), soon))
                .statusCode()).isEqualTo(403);
        HttpResponse<String> ok = getWith(guarded + "/metrics", AgentTicket.sign(credential, "agent-1", AgentTicket.METRICS, soon));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("x_total 1.0");

        String open = guardedServer(credential, true);
        assertThat(getWith(open + "/metrics", null).statusCode()).isEqualTo(200);
        sandbox("job.r1.0.1", "secret output\n");
        assertThat(getWith(open + "/v1/sandboxes/job.r1.0.1/stdout", null).statusCode()).isEqualTo(401);
    }

    private String guardedServer(String credential, boolean metricsOpen) throws Exception {
        LogServer guarded = new LogServer(vertx, sandboxes, id -> Optional.ofNullable(states.get(id)), Map::of)
                .metrics(() -> "# TYPE x counter\nx_total 1.0\n")
                .tickets("agent-1", () -> credential, metricsOpen, java.time.Clock.systemUTC());
        int port = guarded.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return "http://127.0.0.1:" + port;
    }

    private HttpResponse<String> getWith(String url, String ticket) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (ticket != null) b.header(AgentTicket.HEADER, ticket);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
