package io.nightshift.coordinator.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.model.PendingReason;
import io.nightshift.api.model.Run;
import io.nightshift.api.model.Task;
import io.nightshift.api.spec.InvalidSpecException;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.JobSpecParser;
import io.nightshift.api.spec.Problem;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.TaskState;
import io.nightshift.coordinator.agents.AgentChannel;
import io.nightshift.coordinator.core.SchedulerCore;
import io.nightshift.coordinator.core.SchedulerCore.ConflictException;
import io.nightshift.coordinator.events.EventLog;
import io.nightshift.coordinator.state.HazelcastStateStore;
import io.nightshift.coordinator.state.StateStore;
import io.nightshift.coordinator.state.StateStore.JobQuery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API: routes, input checks and answers. Reads go to the state store on a worker pool;
 * writes go to the {@link SchedulerCore}. Every path here is in {@code openapi.yaml} (a test checks).
 */
public final class HttpApi {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

    public static final int MAX_BODY_BYTES = JobSpecParser.MAX_BODY_BYTES;
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}\\.r\\d{1,9}\\.\\d{1,4}");
    private static final Pattern QUEUE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");

    private final Vertx vertx;
    private final StateStore store;
    private final SchedulerCore core;
    private final EventLog events;
    private final PrometheusMeterRegistry prometheus;
    private final WorkerExecutor workers;
    private final HttpClient agentClient;
    private final AgentChannel channel;
    private final String version;

    /** Who leads: this coordinator serves writes only while it leads, and forwards them to the leader otherwise. */
    public interface LeaderView {
        boolean isLeader();

        /** The leader's base URL, null when unknown. */
        String leaderUrl();
    }

    private final LeaderView leader;

    public HttpApi(Vertx vertx, StateStore store, SchedulerCore core, EventLog events, PrometheusMeterRegistry prometheus,
                   int workerThreads, String version, LeaderView leader) {
        this.leader = leader;
        this.vertx = vertx;
        this.store = store;
        this.core = core;
        this.events = events;
        this.prometheus = prometheus;
        this.workers = vertx.createSharedWorkerExecutor("nightshift-api", workerThreads);
        this.agentClient = vertx.createHttpClient(new HttpClientOptions().setIdleTimeout(0).setConnectTimeout(5000));
        this.channel = new AgentChannel(core, () -> leader.isLeader() ? null
                : (leader.leaderUrl() == null ? "" : leader.leaderUrl()));
        this.version = version;
    }

    public Router router() {
        Router r = Router.router(vertx);
        r.route("/v1/*").handler(this::forwardUnlessLeading);
        r.get("/health").handler(this::health);
        r.get("/metrics").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(prometheus.scrape()));
        r.get("/v1/openapi").handler(this::openapi);
        r.get("/v1/version").handler(ctx -> Responses.json(ctx, 200, Map.of("version", version)));
        r.post("/v1/jobs")
                .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES).setHandleFileUploads(false))
                .handler(this::checkSubmitHeaders)
                .handler(this::submit);
        r.get("/v1/jobs").handler(this::listJobs);
        r.get("/v1/jobs/:id").handler(this::getJob);
        r.delete("/v1/jobs/:id").handler(this::killJob);
        r.get("/v1/tasks/:taskId/logs/:stream").handler(this::logs);
        r.get("/v1/agents").handler(ctx -> blocking(ctx, () -> Map.of("agents", store.agents())));
        r.get("/v1/queues").handler(this::listQueues);
        r.post("/v1/queues").handler(BodyHandler.create(false).setBodyLimit(io.nightshift.api.queue.QueueSpecParser.MAX_BODY_BYTES))
                .handler(this::checkJsonBody).handler(ctx -> putQueue(ctx, true));
        r.get("/v1/queues/:name").handler(this::getQueue);
        r.put("/v1/queues/:name").handler(BodyHandler.create(false).setBodyLimit(io.nightshift.api.queue.QueueSpecParser.MAX_BODY_BYTES))
                .handler(this::checkJsonBody).handler(ctx -> putQueue(ctx, false));
        r.delete("/v1/queues/:name").handler(this::deleteQueue);
        r.get("/v1/offers").handler(ctx -> Responses.json(ctx, 200, Map.of("offers", core.lastPlan().offers())));
        r.get("/v1/events").handler(new SseHandler(events));
        r.get("/v1/agents/channel").handler(channel::accept);
        r.get("/").handler(ctx -> ctx.reroute("/index.html"));
        r.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false).setIndexPage("index.html"));

        r.errorHandler(404, ctx -> Problems.send(ctx, 404, "not-found", "Not found",
                "no route for " + ctx.request().method() + " " + ctx.request().path()));
        r.errorHandler(405, ctx -> Problems.send(ctx, 405, "method-not-allowed", "Method not allowed",
                ctx.request().method() + " is not allowed on " + ctx.request().path()));
        r.errorHandler(413, ctx -> Problems.send(ctx, 413, "body-too-large", "Request body too large",
                "the body is larger than this route accepts (job specs: " + MAX_BODY_BYTES + " bytes)"));
        r.errorHandler(400, ctx -> Problems.send(ctx, 400, "bad-request", "Bad request",
                ctx.failure() == null ? "the request could not be read" : "the request could not be read: " + ctx.failure().getMessage()));
        r.errorHandler(500, ctx -> {
            log.error("internal error on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
            Problems.send(ctx, 500, "internal", "Internal error", "the coordinator failed to handle this request; see its log");
        });
        return r;
    }

    // ------------------------------------------------------------------ followers

    /**
     * A follower serves listings and documents itself (from the shared maps and the store) and
     * forwards everything else to the leader: writes, job details (pending reasons live on the
     * leader), logs, offers, queues and the event stream. The agent channel answers agents itself
     * (with the leader's address).
     */
    private void forwardUnlessLeading(RoutingContext ctx) {
        String path = ctx.request().path();
        boolean get = ctx.request().method() == HttpMethod.GET;
        boolean local = leader.isLeader() || path.equals("/v1/agents/channel")
                || (get && (path.equals("/v1/jobs") || path.equals("/v1/agents") || path.equals("/v1/openapi")
                || path.equals("/v1/version")));
        if (local) {
            ctx.next();
            return;
        }
        String target = leader.leaderUrl();
        if (target == null) {
            Problems.send(ctx, 503, "no-leader", "No leader", "no coordinator leads right now; retry in a few seconds");
            return;
        }
        var req = ctx.request();
        req.pause();
        RequestOptions opts = new RequestOptions().setMethod(req.method()).setAbsoluteURI(target + req.uri());
        req.headers().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("Host") && !k.equalsIgnoreCase("Connection")) opts.addHeader(k, v);
        });
        opts.addHeader("X-Nightshift-Forwarded-By", version);
        agentClient.request(opts).compose(out -> out.send(req)).onSuccess(resp -> {
            ctx.response().setStatusCode(resp.statusCode());
            resp.headers().forEach((k, v) -> {
                if (!k.equalsIgnoreCase("Connection") && !k.equalsIgnoreCase("Transfer-Encoding")) ctx.response().putHeader(k, v);
            });
            if (resp.getHeader("Content-Length") == null) ctx.response().setChunked(true);
            resp.pipeTo(ctx.response());
        }).onFailure(err -> Problems.send(ctx, 503, "leader-unavailable", "Leader unavailable",
                "cannot reach the leading coordinator at " + target + ": " + err.getMessage()));
    }

    // ------------------------------------------------------------------ helpers

    private <T> void blocking(RoutingContext ctx, Callable<T> read) {
        workers.executeBlocking(read, false).onComplete(ar -> {
            if (ar.succeeded()) Responses.json(ctx, 200, ar.result());
            else ctx.fail(500, ar.cause());
        });
    }

    private void health(RoutingContext ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "UP");
        body.put("role", leader.isLeader() ? "leader" : "follower");
        if (!leader.isLeader() && leader.leaderUrl() != null) body.put("leader", leader.leaderUrl());
        body.put("version", version);
        body.put("agentsConnected", channel.connections());
        body.put("lastEventId", events.lastSeq());
        Responses.json(ctx, 200, body);
    }

    private void openapi(RoutingContext ctx) {
        try (InputStream in = HttpApi.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                Problems.send(ctx, 404, "not-found", "Not found", "this build has no OpenAPI document");
                return;
            }
            ctx.response().putHeader("Content-Type", "application/yaml").end(Buffer.buffer(in.readAllBytes()));
        } catch (IOException e) {
            ctx.fail(500, e);
        }
    }

    // ------------------------------------------------------------------ jobs

    /** True when the body is declared as JSON; else answers 415 naming what to send. */
    private static boolean jsonBody(RoutingContext ctx, String what) {
        String ct = ctx.request().getHeader("Content-Type");
        String mime = ct == null ? "" : ct.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (mime.equals("application/json")) return true;
        Problems.send(ctx, 415, "unsupported-media-type", "Unsupported media type",
                "send the " + what + " as application/json" + (ct == null ? "" : ", not " + shorten(ct)));
        return false;
    }

    private void checkSubmitHeaders(RoutingContext ctx) {
        if (!jsonBody(ctx, "job spec")) return;
        String len = ctx.request().getHeader("Content-Length");
        if (len != null) {
            try {
                if (Long.parseLong(len.trim()) > MAX_BODY_BYTES) {
                    Problems.send(ctx, 413, "body-too-large", "Request body too large",
                            "the body must be at most " + MAX_BODY_BYTES + " bytes");
                    return;
                }
            } catch (NumberFormatException e) {
                Problems.send(ctx, 400, "bad-request", "Bad request", "Content-Length is not a number");
                return;
            }
        }
        String key = ctx.request().getHeader("Idempotency-Key");
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            Problems.send(ctx, 400, "invalid-header", "Invalid Idempotency-Key",
                    "Idempotency-Key must be 1 to 200 visible ASCII characters");
            return;
        }
        ctx.next();
    }

    private void submit(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        JobSpec spec;
        try {
            spec = JobSpecParser.parse(body == null ? new byte[0] : body.getBytes());
        } catch (InvalidSpecException e) {
            Problems.send(ctx, 400, "invalid-spec", "Invalid job spec",
                    e.problems().size() + " problem(s) in the job spec", e.problems());
            return;
        }
        String key = ctx.request().getHeader("Idempotency-Key");
        Future.fromCompletionStage(core.submit(spec, key), vertx.getOrCreateContext()).onComplete(ar -> {
            if (ar.succeeded()) {
                Job job = ar.result().job();
                ctx.response().putHeader("Location", "/v1/jobs/" + job.id());
                Responses.json(ctx, ar.result().created() ? 201 : 200, job);
            } else if (ar.cause() instanceof ConflictException c) {
                Problems.send(ctx, 409, "conflict", "Conflict", c.getMessage());
            } else if (ar.cause() instanceof InvalidSpecException e) {
                Problems.send(ctx, 400, "invalid-spec", "Invalid job spec", e.problems().size() + " problem(s) in the job spec",
                        e.problems());
            } else {
                ctx.fail(500, ar.cause());
            }
        });
    }

    // ------------------------------------------------------------------ queues

    private Map<String, Object> queueView(io.nightshift.api.queue.QueueSpec q) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("spec", q);
        view.put("share", core.lastPlan().queues().stream().filter(s -> s.queue().equals(q.name())).findFirst().orElse(null));
        return view;
    }

    private void listQueues(RoutingContext ctx) {
        List<Object> out = new ArrayList<>();
        for (io.nightshift.api.queue.QueueSpec q : core.queues()) out.add(queueView(q));
        Responses.json(ctx, 200, Map.of("queues", out));
    }

    private void getQueue(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        core.queues().stream().filter(q -> q.name().equals(name)).findFirst().ifPresentOrElse(
                q -> Responses.json(ctx, 200, queueView(q)),
                () -> Problems.send(ctx, 404, "not-found", "Queue not found", "no queue '" + shorten(name) + "'"));
    }

    private void putQueue(RoutingContext ctx, boolean post) {
        String name = post ? null : ctx.pathParam("name");
        if (name != null && !QUEUE.matcher(name).matches()) {
            Problems.send(ctx, 400, "invalid-queue", "Invalid queue", "a queue name matches " + QUEUE.pattern(),
                    List.of(new Problem("/name", "must match " + QUEUE.pattern())));
            return;
        }
        io.nightshift.api.queue.QueueSpec q;
        try {
            Buffer body = ctx.body().buffer();
            q = io.nightshift.api.queue.QueueSpecParser.parse(body == null ? new byte[0] : body.getBytes(), name);
        } catch (InvalidSpecException e) {
            Problems.send(ctx, 400, "invalid-queue", "Invalid queue", e.problems().size() + " problem(s) in the queue",
                    e.problems());
            return;
        }
        Future.fromCompletionStage(core.putQueue(q, post), vertx.getOrCreateContext()).onComplete(ar -> {
            if (ar.succeeded()) {
                ctx.response().putHeader("Location", "/v1/queues/" + q.name());
                Responses.json(ctx, ar.result() ? 201 : 200, Map.of("spec", q));
            } else if (ar.cause() instanceof ConflictException c) {
                Problems.send(ctx, 409, "conflict", "Conflict", c.getMessage());
            } else {
                ctx.fail(500, ar.cause());
            }
        });
    }

    private void deleteQueue(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        if (!QUEUE.matcher(name).matches()) {
            Problems.send(ctx, 404, "not-found", "Queue not found", "no queue '" + shorten(name) + "'");
            return;
        }
        Future.fromCompletionStage(core.deleteQueue(name), vertx.getOrCreateContext()).onComplete(ar -> {
            if (ar.succeeded() && ar.result()) ctx.response().setStatusCode(204).end();
            else if (ar.succeeded()) Problems.send(ctx, 404, "not-found", "Queue not found", "no queue '" + name + "'");
            else if (ar.cause() instanceof ConflictException c) Problems.send(ctx, 409, "conflict", "Conflict", c.getMessage());
            else ctx.fail(500, ar.cause());
        });
    }

    private void checkJsonBody(RoutingContext ctx) {
        if (jsonBody(ctx, "queue")) ctx.next();
    }

    private void listJobs(RoutingContext ctx) {
        List<Problem> problems = new ArrayList<>();
        JobState state = null;
        String s = ctx.request().getParam("state");
        if (s != null) {
            try {
                state = JobState.valueOf(s.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem("state", "unknown state '" + shorten(s) + "'; known: " + List.of(JobState.values())));
            }
        }
        String queue = ctx.request().getParam("queue");
        if (queue != null && !QUEUE.matcher(queue).matches()) problems.add(new Problem("queue", "not a queue name"));
        Map<String, String> labels = new LinkedHashMap<>();
        List<String> labelParams = ctx.queryParam("label");
        if (labelParams.size() > 16) problems.add(new Problem("label", "at most 16 label filters"));
        for (String label : labelParams) {
            int eq = label.indexOf('=');
            if (eq <= 0 || label.length() > 400) problems.add(new Problem("label", "expected key=value, got '" + shorten(label) + "'"));
            else labels.put(label.substring(0, eq), label.substring(eq + 1));
        }
        int limit = 50;
        String l = ctx.request().getParam("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
                if (limit < 1 || limit > 500) problems.add(new Problem("limit", "must be between 1 and 500"));
            } catch (NumberFormatException e) {
                problems.add(new Problem("limit", "must be an integer between 1 and 500"));
            }
        }
        String after = ctx.request().getParam("after");
        if (after != null && (after.length() > 300 || !HazelcastStateStore.validCursor(after)))
            problems.add(new Problem("after", "not a cursor returned by a previous page"));
        if (!problems.isEmpty()) {
            Problems.send(ctx, 400, "invalid-query", "Invalid query", "fix the query parameters", problems);
            return;
        }
        JobQuery q = new JobQuery(state, queue, labels, limit, after);
        blocking(ctx, () -> {
            StateStore.Page<Job> page = store.jobs(q);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("jobs", page.items());
            out.put("next", page.next());
            return out;
        });
    }

    private void getJob(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!JOB_ID.matcher(id).matches()) {
            Problems.send(ctx, 404, "not-found", "Job not found", "no job '" + shorten(id) + "'");
            return;
        }
        workers.executeBlocking(() -> detail(id), false).onComplete(ar -> {
            if (ar.failed()) ctx.fail(500, ar.cause());
            else if (ar.result().isEmpty()) Problems.send(ctx, 404, "not-found", "Job not found", "no job '" + id + "'");
            else Responses.json(ctx, 200, ar.result().get());
        });
    }

    private Optional<JobDetail> detail(String id) {
        Optional<Job> job = store.job(id);
        if (job.isEmpty()) return Optional.empty();
        List<JobDetail.RunDetail> runs = new ArrayList<>();
        List<String> pendingTasks = new ArrayList<>();
        for (String runId : job.get().runIds()) {
            Optional<Run> run = store.run(runId);
            if (run.isEmpty()) continue;
            List<Task> tasks = store.tasks(run.get().taskIds());
            for (Task t : tasks) {   // pending, or ended for waiting too long: the reasons say why
                if (t.state() == TaskState.PENDING || t.reason() == io.nightshift.api.state.Reason.UNSCHEDULABLE) pendingTasks.add(t.id());
            }
            runs.add(new JobDetail.RunDetail(run.get(), tasks));
        }
        JobDetail.Pending pending = null;
        if (!pendingTasks.isEmpty()) {
            Set<PendingReason> reasons = new LinkedHashSet<>();
            core.pendingReasons(pendingTasks).values().forEach(reasons::addAll);
            pending = new JobDetail.Pending(pendingTasks, List.copyOf(reasons), core.pendingEta(pendingTasks));
        }
        return Optional.of(new JobDetail(job.get(), runs, pending));
    }

    private void killJob(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!JOB_ID.matcher(id).matches()) {
            Problems.send(ctx, 404, "not-found", "Job not found", "no job '" + shorten(id) + "'");
            return;
        }
        Future.fromCompletionStage(core.kill(id), vertx.getOrCreateContext()).onComplete(ar -> {
            if (ar.failed()) ctx.fail(500, ar.cause());
            else if (ar.result().isEmpty()) Problems.send(ctx, 404, "not-found", "Job not found", "no job '" + id + "'");
            else {
                SchedulerCore.KillResult k = ar.result().get();
                Responses.json(ctx, k.requested() ? 202 : 200, k.job());
            }
        });
    }

    // ------------------------------------------------------------------ logs

    private void logs(RoutingContext ctx) {
        String taskId = ctx.pathParam("taskId");
        String stream = ctx.pathParam("stream");
        if (!stream.equals("stdout") && !stream.equals("stderr")) {
            Problems.send(ctx, 404, "not-found", "No such log", "stream must be stdout or stderr");
            return;
        }
        if (!TASK_ID.matcher(taskId).matches()) {
            Problems.send(ctx, 404, "not-found", "Task not found", "no task '" + shorten(taskId) + "'");
            return;
        }
        List<Problem> problems = new ArrayList<>();
        String offset = ctx.request().getParam("offset");
        String tail = ctx.request().getParam("tail");
        String follow = ctx.request().getParam("follow");
        String attemptParam = ctx.request().getParam("attempt");
        if (offset != null && !offset.matches("\\d{1,18}")) problems.add(new Problem("offset", "must be a byte offset >= 0"));
        if (tail != null && (!tail.matches("\\d{1,6}") || Integer.parseInt(tail) < 1 || Integer.parseInt(tail) > 100_000))
            problems.add(new Problem("tail", "must be a number of lines between 1 and 100000"));
        if (offset != null && tail != null) problems.add(new Problem("tail", "use either offset or tail, not both"));
        if (follow != null && !follow.equals("true") && !follow.equals("false"))
            problems.add(new Problem("follow", "must be true or false"));
        if (attemptParam != null && !attemptParam.matches("\\d{1,4}")) problems.add(new Problem("attempt", "must be an attempt number"));
        if (!problems.isEmpty()) {
            Problems.send(ctx, 400, "invalid-query", "Invalid query", "fix the query parameters", problems);
            return;
        }
        workers.executeBlocking(() -> {
            Optional<Task> task = store.task(taskId);
            if (task.isEmpty()) return null;
            Attempt a = attemptParam == null ? task.get().currentAttempt()
                    : task.get().attempts().stream().filter(x -> x.number() == Integer.parseInt(attemptParam)).findFirst().orElse(null);
            if (a == null) return new LogTarget(task.get(), null, null);
            return new LogTarget(task.get(), a, store.agent(a.agentId()).orElse(null));
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(500, ar.cause());
                return;
            }
            LogTarget t = ar.result();
            if (t == null) Problems.send(ctx, 404, "not-found", "Task not found", "no task '" + taskId + "'");
            else if (t.attempt == null) Problems.send(ctx, 409, "not-started", "Task has not started",
                    "task '" + taskId + "' has no attempt" + (attemptParam == null ? " yet" : " " + attemptParam));
            else if (t.agent == null || t.agent.httpUrl() == null) Problems.send(ctx, 503, "agent-unavailable", "Agent unavailable",
                    "agent '" + t.attempt.agentId() + "' that ran this task is not known");
            else proxyLogs(ctx, t, stream, offset, tail, "true".equals(follow));
        });
    }

    private record LogTarget(Task task, Attempt attempt, AgentInfo agent) {
    }

    private void proxyLogs(RoutingContext ctx, LogTarget t, String stream, String offset, String tail, boolean follow) {
        StringBuilder url = new StringBuilder(t.agent.httpUrl()).append("/v1/sandboxes/")
                .append(URLEncoder.encode(t.attempt.id(), StandardCharsets.UTF_8)).append('/').append(stream).append("?follow=").append(follow);
        if (offset != null) url.append("&offset=").append(offset);
        if (tail != null) url.append("&tail=").append(tail);
        agentClient.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url.toString()))
                .compose(req -> req.send())
                .onSuccess(resp -> {
                    if (resp.statusCode() == 404) {
                        resp.body().onComplete(b -> Problems.send(ctx, 404, "not-found", "Log not found",
                                "agent '" + t.attempt.agentId() + "' has no " + stream + " for attempt " + t.attempt.id()
                                        + " (its sandbox may have been garbage-collected)"));
                        return;
                    }
                    if (resp.statusCode() != 200) {
                        resp.body().onComplete(b -> Problems.send(ctx, 502, "agent-error", "Agent error",
                                "agent '" + t.attempt.agentId() + "' answered " + resp.statusCode()));
                        return;
                    }
                    ctx.response().setStatusCode(200).setChunked(true)
                            .putHeader("Content-Type", "text/plain; charset=utf-8")
                            .putHeader("X-Nightshift-Attempt", t.attempt.id());
                    String state = resp.getHeader("X-Nightshift-Attempt-State");
                    if (state != null) ctx.response().putHeader("X-Nightshift-Attempt-State", state);
                    resp.pipeTo(ctx.response());
                })
                .onFailure(err -> Problems.send(ctx, 503, "agent-unavailable", "Agent unavailable",
                        "cannot reach agent '" + t.attempt.agentId() + "' at " + t.agent.httpUrl() + ": " + err.getMessage()));
    }

    static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    public void close() {
        workers.close();
        agentClient.close();
    }
}
