package io.nightshift.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nightshift.api.Resources;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.Event;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.model.Run;
import io.nightshift.api.model.Task;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.Problem;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NightshiftClientTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private HttpServer server;
    private NightshiftClient client;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final Map<String, String> headers = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
        client = NightshiftClient.connect(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void route(String path, Handler h) {
        server.createContext(path, ex -> {
            try (ex) {
                seen.add(ex.getRequestMethod() + " " + ex.getRequestURI());
                ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
                h.handle(ex);
            } catch (RuntimeException e) {
                e.printStackTrace();
                throw e;
            }
        });
    }

    interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }

    private static void reply(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) ex.getResponseBody().write(b);
    }

    private static Job job(String id, JobState state) {
        JobSpec spec = JobSpec.command("echo", "hi").id(id).resources(0.5, 64).build();
        return new Job(1, id, spec, "h", null, state, null, false, T0, T0, null, List.of(id + ".r1"));
    }

    private static JobDetail detail(String id, JobState state, TaskState taskState) {
        Job j = job(id, state);
        Attempt a = new Attempt(id + ".r1.0.1", 1, "agent-1", "host-1", taskState,
                taskState.isTerminal() ? Reason.EXIT_CODE : null, taskState.isTerminal() ? 0 : null, null, T0, T0, null);
        Task t = new Task(1, id + ".r1.0", id, id + ".r1", 0, taskState, null, T0, null, List.of(a));
        Run r = new Run(1, id + ".r1", id, 1, state, T0, null, List.of(t.id()));
        return new JobDetail(j, List.of(new JobDetail.RunDetail(r, List.of(t))), null);
    }

    @Test
    void submitPostsTheSpecAsJsonWithTheIdempotencyKeyAndReadsTheStoredJob() throws IOException {
        String[] body = new String[1];
        route("/v1/jobs", ex -> {
            body[0] = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            reply(ex, 201, "application/json", Json.write(job("hello", JobState.QUEUED)));
        });

        Job j = client.submit(JobSpec.command("echo", "hi").id("hello").build(), "key-1");

        assertThat(j.id()).isEqualTo("hello");
        assertThat(j.state()).isEqualTo(JobState.QUEUED);
        assertThat(seen).containsExactly("POST /v1/jobs");
        assertThat(headers).containsEntry("content-type", "application/json").containsEntry("idempotency-key", "key-1");
        assertThat(Json.mapper().readTree(body[0]).path("command").path("argv").get(0).asText()).isEqualTo("echo");
    }

    @Test
    void aProblemDocumentBecomesAnExceptionWithStatusTitleDetailAndEveryProblem() {
        route("/v1/jobs", ex -> reply(ex, 400, "application/problem+json", """
                {"type":"https://nightshift.io/problems/invalid-spec","title":"Invalid job spec","status":400,
                 "detail":"2 problems","problems":[{"path":"/resources/cpus","message":"must be > 0"},
                 {"path":"/name","message":"too long"}]}"""));

        assertThatThrownBy(() -> client.submitRaw("{}".getBytes(), "application/json"))
                .isInstanceOfSatisfying(NightshiftException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.title()).isEqualTo("Invalid job spec");
                    assertThat(e.detail()).isEqualTo("2 problems");
                    assertThat(e.type()).endsWith("invalid-spec");
                    assertThat(e.problems()).containsExactly(new Problem("/resources/cpus", "must be > 0"),
                            new Problem("/name", "too long"));
                    assertThat(e.isBadRequest()).isTrue();
                    assertThat(e.isRetriable()).isFalse();
                    assertThat(e.getMessage()).isEqualTo("2 problems (HTTP 400 Invalid job spec)");
                });
    }

    @Test
    void aPlainTextErrorKeepsTheStatusAndTheFirstLine() {
        route("/v1/jobs/x", ex -> reply(ex, 503, "text/plain", "not the leader\nsecond line"));

        assertThatThrownBy(() -> client.get("x"))
                .isInstanceOfSatisfying(NightshiftException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.title()).isEqualTo("Service Unavailable");
                    assertThat(e.detail()).isEqualTo("not the leader");
                    assertThat(e.isRetriable()).isTrue();
                    assertThat(e.problems()).isEmpty();
                });
    }

    @Test
    void aRefusedConnectionIsOneLineNamingTheCoordinator() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        NightshiftClient dead = NightshiftClient.connect(URI.create("http://127.0.0.1:" + port));

        assertThatThrownBy(dead::agents)
                .isInstanceOfSatisfying(NightshiftException.class, e -> {
                    assertThat(e.getMessage())
                            .isEqualTo("cannot reach coordinator at http://127.0.0.1:" + port + " (connection refused)");
                    assertThat(e.isUnreachable()).isTrue();
                    assertThat(e.status()).isZero();
                });
    }

    @Test
    void aBadUrlIsRejectedUpFront() {
        assertThatThrownBy(() -> NightshiftClient.connect(URI.create("ftp://x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://host:port");
    }

    @Test
    void getReadsTheDetailAndIgnoresFieldsItDoesNotKnow() {
        String json = Json.write(detail("j1", JobState.RUNNING, TaskState.RUNNING))
                .replaceFirst("\\{", "{\"addedLater\":true,");
        route("/v1/jobs/j1", ex -> reply(ex, 200, "application/json", json));

        JobDetail d = client.get("j1");

        assertThat(d.job().state()).isEqualTo(JobState.RUNNING);
        assertThat(d.runs().get(0).tasks().get(0).currentAttempt().agentId()).isEqualTo("agent-1");
    }

    @Test
    void idsArePercentEncodedInThePath() {
        route("/v1/jobs/", ex -> reply(ex, 404, "application/problem+json",
                "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"no job 'a b'\"}"));

        assertThatThrownBy(() -> client.get("a b")).hasMessage("no job 'a b' (HTTP 404 Not Found)");
        assertThat(seen).containsExactly("GET /v1/jobs/a%20b");
    }

    @Test
    void listFollowsTheCursorAndPassesTheFilters() {
        route("/v1/jobs", ex -> {
            String q = ex.getRequestURI().getRawQuery();
            if (q.contains("after=b")) reply(ex, 200, "application/json",
                    "{\"jobs\":[" + Json.write(job("c", JobState.RUNNING)) + "],\"next\":null}");
            else reply(ex, 200, "application/json", "{\"jobs\":[" + Json.write(job("a", JobState.RUNNING)) + ","
                    + Json.write(job("b", JobState.RUNNING)) + "],\"next\":\"b\"}");
        });

        List<Job> jobs = client.list(JobQuery.all().withState(JobState.RUNNING).withQueue("etl").withLabel("team", "data"));

        assertThat(jobs).extracting(Job::id).containsExactly("a", "b", "c");
        assertThat(seen).containsExactly(
                "GET /v1/jobs?limit=50&state=RUNNING&queue=etl&label=team%3Ddata",
                "GET /v1/jobs?limit=50&state=RUNNING&queue=etl&label=team%3Ddata&after=b");
    }

    @Test
    void listStopsAtTheLimit() {
        route("/v1/jobs", ex -> reply(ex, 200, "application/json", "{\"jobs\":[" + Json.write(job("a", JobState.QUEUED))
                + "," + Json.write(job("b", JobState.QUEUED)) + "],\"next\":\"b\"}"));

        assertThat(client.list(JobQuery.all().withLimit(2))).hasSize(2);
        assertThat(seen).containsExactly("GET /v1/jobs?limit=2");
    }

    @Test
    void killSendsDeleteAndReadsTheAcceptedJob() {
        route("/v1/jobs/k", ex -> reply(ex, 202, "application/json",
                Json.write(job("k", JobState.RUNNING).withKillRequested(T0))));

        assertThat(client.kill("k").killRequested()).isTrue();
        assertThat(seen).containsExactly("DELETE /v1/jobs/k");
    }

    @Test
    void awaitPollsUntilTheJobIsTerminalAndShowsEverySnapshot() {
        AtomicInteger calls = new AtomicInteger();
        route("/v1/jobs/w", ex -> {
            int n = calls.incrementAndGet();
            JobDetail d = n < 3 ? detail("w", JobState.RUNNING, TaskState.RUNNING)
                    : detail("w", JobState.SUCCEEDED, TaskState.FINISHED);
            reply(ex, 200, "application/json", Json.write(d));
        });
        List<JobState> states = new CopyOnWriteArrayList<>();

        JobDetail d = client.await("w", Duration.ofSeconds(10), s -> states.add(s.job().state()));

        assertThat(d.job().state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(states).containsExactly(JobState.RUNNING, JobState.RUNNING, JobState.SUCCEEDED);
    }

    @Test
    void awaitGivesUpAfterTheTimeoutWithTheLastStateSeen() {
        route("/v1/jobs/slow", ex -> reply(ex, 200, "application/json",
                Json.write(detail("slow", JobState.RUNNING, TaskState.RUNNING))));

        assertThatThrownBy(() -> client.await("slow", Duration.ofMillis(200)))
                .isInstanceOfSatisfying(AwaitTimeoutException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("job slow is still RUNNING after 0.2s");
                    assertThat(e.last().job().state()).isEqualTo(JobState.RUNNING);
                });
    }

    @Test
    void logsReadTheFirstTaskOfTheLatestRun() {
        route("/v1/jobs/l", ex -> reply(ex, 200, "application/json",
                Json.write(detail("l", JobState.SUCCEEDED, TaskState.FINISHED))));
        route("/v1/tasks/", ex -> reply(ex, 200, "text/plain", "hello\nworld\n"));

        assertThat(client.logs("l", NightshiftClient.Stream.STDERR)).isEqualTo("hello\nworld\n");
        assertThat(seen).containsExactly("GET /v1/jobs/l", "GET /v1/tasks/l.r1.0/logs/stderr");
    }

    @Test
    void logsOfAJobThatHasNotStartedAreEmpty() {
        JobDetail queued = new JobDetail(job("q", JobState.QUEUED), List.of(), null);
        route("/v1/jobs/q", ex -> reply(ex, 200, "application/json", Json.write(queued)));

        assertThat(client.logs("q", NightshiftClient.Stream.STDOUT)).isEmpty();
    }

    @Test
    void followLogsHandsOverEachLineAsItArrives() {
        route("/v1/jobs/f", ex -> reply(ex, 200, "application/json",
                Json.write(detail("f", JobState.RUNNING, TaskState.RUNNING))));
        route("/v1/tasks/", ex -> {
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, 0); // chunked
            OutputStream out = ex.getResponseBody();
            for (int i = 1; i <= 3; i++) {
                out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        });
        List<String> lines = new CopyOnWriteArrayList<>();

        client.followLogs("f", NightshiftClient.Stream.STDOUT, lines::add);

        assertThat(lines).containsExactly("line 1", "line 2", "line 3");
        assertThat(seen).contains("GET /v1/tasks/f.r1.0/logs/stdout?offset=0&follow=true");
    }

    @Test
    void agentsAreDecoded() {
        AgentInfo a = new AgentInfo(1, "agent-1", "host-1", "http://h:1", AgentInfo.AgentStatus.ACTIVE,
                new Resources(4, 8192, 0, 0), Resources.of(1, 1024), Map.of("rack", "r1"), "session", "0.1", T0, T0);
        route("/v1/agents", ex -> reply(ex, 200, "application/json", "{\"agents\":[" + Json.write(a) + "]}"));

        List<AgentInfo> agents = client.agents();

        assertThat(agents).hasSize(1);
        assertThat(agents.get(0).free()).isEqualTo(new Resources(3, 7168, 0, 0));
    }

    @Test
    void offersAreReturnedAsTheCoordinatorSentThem() {
        route("/v1/offers", ex -> reply(ex, 200, "application/json", "{\"offers\":[{\"id\":\"o1\"}]}"));

        assertThat(client.offers().path("offers").get(0).path("id").asText()).isEqualTo("o1");
    }

    // ---------------------------------------------------------------- queues

    private static final String QUEUES = """
            {"queues":[
              {"spec":{"name":"default","weight":1.0,"guarantee":{"cpus":0.0,"memMb":0,"diskMb":0,"gpus":0},"defaultPriority":0},
               "share":null},
              {"spec":{"name":"etl","weight":2.0,"guarantee":{"cpus":4.0,"memMb":8192,"diskMb":0,"gpus":0},
                       "limit":{"cpus":16.0,"memMb":65536,"diskMb":1125899906842624,"gpus":65536},"maxRunning":20,
                       "defaultPriority":10},
               "share":{"queue":"etl","weight":2.0,"allocated":{"cpus":6.0,"memMb":12288,"diskMb":0,"gpus":0},
                        "share":0.375,"fairShare":0.5,"pending":3,"running":6,"addedLater":"ignored"}}]}""";

    @Test
    void queuesAreDecodedWithTheirSharesAndAQueueNotYetScheduledHasNone() {
        route("/v1/queues", ex -> reply(ex, 200, "application/json", QUEUES));

        List<QueueView> queues = client.queues();

        assertThat(queues).extracting(QueueView::name).containsExactly("default", "etl");
        assertThat(queues.get(0).spec()).isEqualTo(QueueSpec.DEFAULT);
        assertThat(queues.get(0).share()).isNull();
        QueueView etl = queues.get(1);
        assertThat(etl.spec()).isEqualTo(QueueSpec.of("etl", 2).withGuarantee(Resources.of(4, 8192))
                .withLimit(new Resources(16, 65536, 1L << 50, 65536)).withMaxRunning(20).withDefaultPriority(10));
        assertThat(etl.share()).isEqualTo(new QueueView.Share("etl", 2, Resources.of(6, 12288), 0.375, 0.5, 3, 6));
        assertThat(seen).containsExactly("GET /v1/queues");
    }

    @Test
    void oneQueueIsReadByItsEncodedName() {
        route("/v1/queues/", ex -> reply(ex, 200, "application/json",
                "{\"spec\":" + Json.write(QueueSpec.of("ml", 3)) + "}"));

        QueueView q = client.queue("ml");

        assertThat(q.spec()).isEqualTo(QueueSpec.of("ml", 3));
        assertThat(q.share()).isNull();
        assertThat(seen).containsExactly("GET /v1/queues/ml");
    }

    @Test
    void anUnknownQueueIsA404WithTheCoordinatorsWords() {
        route("/v1/queues/", ex -> reply(ex, 404, "application/problem+json",
                "{\"title\":\"Queue not found\",\"status\":404,\"detail\":\"no queue 'nope'\"}"));

        assertThatThrownBy(() -> client.queue("nope"))
                .isInstanceOfSatisfying(NightshiftException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.getMessage()).isEqualTo("no queue 'nope' (HTTP 404 Queue not found)");
                });
    }

    @Test
    void putQueueSendsTheSpecToItsNameAndSaysWhetherItWasCreated() throws IOException {
        AtomicInteger puts = new AtomicInteger();
        List<String> bodies = new CopyOnWriteArrayList<>();
        route("/v1/queues/", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            reply(ex, puts.incrementAndGet() == 1 ? 201 : 200, "application/json", "{\"spec\":{}}");
        });
        QueueSpec etl = QueueSpec.of("etl", 2).withGuarantee(Resources.of(4, 8192)).withMaxRunning(20);

        assertThat(client.putQueue(etl)).as("first put creates").isTrue();
        assertThat(client.putQueue(etl)).as("second put updates").isFalse();

        assertThat(seen).containsExactly("PUT /v1/queues/etl", "PUT /v1/queues/etl");
        assertThat(headers).containsEntry("content-type", "application/json");
        assertThat(Json.mapper().readValue(bodies.get(0), QueueSpec.class)).isEqualTo(etl);
    }

    @Test
    void anInvalidQueueIsRefusedWithEveryProblem() {
        route("/v1/queues/", ex -> reply(ex, 400, "application/problem+json", """
                {"title":"Invalid queue spec","status":400,"detail":"1 problem",
                 "problems":[{"path":"/weight","message":"must be a number > 0 and <= 1000, got 0"}]}"""));

        assertThatThrownBy(() -> client.putQueueRaw("etl", "{\"weight\":0}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(NightshiftException.class, e -> {
                    assertThat(e.isBadRequest()).isTrue();
                    assertThat(e.problems()).containsExactly(new Problem("/weight", "must be a number > 0 and <= 1000, got 0"));
                });
    }

    @Test
    void createQueuePostsAndAnExistingQueueIsAConflict() {
        AtomicInteger posts = new AtomicInteger();
        route("/v1/queues", ex -> {
            if (posts.incrementAndGet() == 1) reply(ex, 201, "application/json", "{\"spec\":" + Json.write(QueueSpec.of("ml", 1)) + "}");
            else reply(ex, 409, "application/problem+json", "{\"title\":\"Conflict\",\"status\":409,\"detail\":\"queue 'ml' exists\"}");
        });

        client.createQueue(QueueSpec.of("ml", 1));

        assertThatThrownBy(() -> client.createQueue(QueueSpec.of("ml", 1)))
                .isInstanceOfSatisfying(NightshiftException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.isRetriable()).isFalse();
                });
        assertThat(seen).containsExactly("POST /v1/queues", "POST /v1/queues");
    }

    @Test
    void deleteQueueSendsDeleteAndAQueueWithLiveJobsIsAConflict() {
        route("/v1/queues/", ex -> {
            if (ex.getRequestURI().getPath().endsWith("/old")) reply(ex, 204, "application/json", "");
            else reply(ex, 409, "application/problem+json",
                    "{\"title\":\"Conflict\",\"status\":409,\"detail\":\"queue 'etl' still has 2 jobs\"}");
        });

        client.deleteQueue("old");

        assertThatThrownBy(() -> client.deleteQueue("etl")).hasMessage("queue 'etl' still has 2 jobs (HTTP 409 Conflict)");
        assertThat(seen).containsExactly("DELETE /v1/queues/old", "DELETE /v1/queues/etl");
    }

    @Test
    void aBearerTokenIsSentWhenConfigured() {
        route("/v1/version", ex -> reply(ex, 200, "application/json", "{\"version\":\"1\"}"));
        NightshiftClient withToken = NightshiftClient.connect(client.baseUrl(), Duration.ofSeconds(5), "s3cret");

        withToken.version();

        assertThat(headers).containsEntry("authorization", "Bearer s3cret");
    }

    @Test
    void eventsAreParsedFromTheStreamAndResumeWithLastEventId() throws InterruptedException {
        AtomicInteger connects = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        route("/v1/events", ex -> {
            int n = connects.incrementAndGet();
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            if (n == 1) {
                out.write(sse(new Event(7, T0, "job", "a", "a", null, null, "RUNNING", null, null)));
                out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                out.write(sse(new Event(8, T0, "task", "a.r1.0", "a", "a.r1.0.1", "agent-1", "FINISHED", "EXIT_CODE", 0)));
                out.flush();
                // the stream breaks here; the client reconnects with Last-Event-ID: 8
            } else {
                out.write(sse(new Event(9, T0, "job", "a", "a", null, null, "SUCCEEDED", null, null)));
                out.flush();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        List<Event> events = new CopyOnWriteArrayList<>();

        try (EventSubscription sub = client.events(null, events::add)) {
            assertThat(sub.awaitConnected(Duration.ofSeconds(5))).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 3);
            assertThat(events).extracting(Event::seq).containsExactly(7L, 8L, 9L);
            assertThat(events.get(1).exitCode()).isZero();
            assertThat(headers).containsEntry("last-event-id", "8");
            assertThat(sub.lastEventId()).isEqualTo(9L);
        } finally {
            release.countDown();
        }
    }

    private static byte[] sse(Event e) {
        return ("id: " + e.seq() + "\nevent: " + e.kind() + "\ndata: " + Json.write(e) + "\n\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
