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
import io.nightshift.api.protocol.AgentTicket;
import io.nightshift.coordinator.auth.Authenticator;
import io.nightshift.coordinator.auth.Principal;
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
    /** Running tasks' latest progress reports (kafka consumption), shown in job details and metrics. */
    private final io.nightshift.coordinator.progress.ProgressBoard progress;
    private final WorkerExecutor workers;
    private final WorkerExecutor replayWorkers;
    private SseHandler sse;
    private HttpClient agentClient;
    /** The log proxy's own client: bounded pool and wait queue, so log reads never starve the leader forwarding. */
    private HttpClient logClient;
    private final AgentChannel channel;
    private final String version;

    /** Who leads: this coordinator serves writes only while it leads, and forwards them to the leader otherwise. */
    public interface LeaderView {
        boolean isLeader();

        /** The leader's base URL, null when unknown. */
        String leaderUrl();

        /** False while this coordinator cannot reach the durable store: it refuses writes (503) rather than lose them. */
        default boolean storeReachable() {
            return true;
        }

        /** Why this coordinator stepped down (it serves nothing but 503 until restarted), or null. */
        default String steppedDown() {
            return null;
        }
    }

    private final LeaderView leader;
    private io.nightshift.coordinator.utilization.UtilizationHistory utilization;
    private java.time.Duration utilizationInterval;

    private io.nightshift.coordinator.utilization.PoolUtilizationHistory poolUtilization;
    private java.time.Duration poolUtilizationStep = java.time.Duration.ofSeconds(10);

    /** Serves {@code GET /v1/pools/{name}/utilization} from {@code history}, sampled every {@code step}; call before {@link #router()}. */
    public void poolUtilization(io.nightshift.coordinator.utilization.PoolUtilizationHistory history, java.time.Duration step) {
        this.poolUtilization = history;
        this.poolUtilizationStep = step;
    }

    /** Serves {@code GET /v1/cluster/utilization} from {@code history}; call before {@link #router()}. */
    public void utilization(io.nightshift.coordinator.utilization.UtilizationHistory history, java.time.Duration interval) {
        this.utilization = history;
        this.utilizationInterval = interval;
    }
    private final Authenticator auth;
    private final Guard guard;
    private final boolean metricsOpen;
    /** "METHOD /path/{param}" → what the route needs; every route is declared here (a test checks them all). */
    private final Map<String, Need> needs = new LinkedHashMap<>();

    public HttpApi(Vertx vertx, StateStore store, SchedulerCore core, EventLog events, PrometheusMeterRegistry prometheus,
                   int workerThreads, String version, LeaderView leader) {
        this(vertx, store, core, events, prometheus, workerThreads, version, leader, null, true);
    }

    /** {@code auth} null turns authentication off (every caller is admin); {@code metricsOpen}: /metrics needs no token. */
    public HttpApi(Vertx vertx, StateStore store, SchedulerCore core, EventLog events, PrometheusMeterRegistry prometheus,
                   int workerThreads, String version, LeaderView leader, Authenticator auth, boolean metricsOpen) {
        this.leader = leader;
        this.auth = auth;
        this.metricsOpen = metricsOpen;
        this.vertx = vertx;
        this.store = store;
        this.core = core;
        this.events = events;
        this.prometheus = prometheus;
        this.workers = vertx.createSharedWorkerExecutor("nightshift-api", workerThreads);
        // Event replays have workers of their own: thousands of resuming streams must not queue ahead of API reads
        // and agent registrations on the API's pool.
        this.replayWorkers = vertx.createSharedWorkerExecutor("nightshift-replay", 2);
        this.progress = new io.nightshift.coordinator.progress.ProgressBoard(prometheus);
        clients(null);
        this.channel = new AgentChannel(core, () -> leader.isLeader() ? null
                : (leader.leaderUrl() == null ? "" : leader.leaderUrl()), progress, auth == null ? null : auth.agents(), workers);
        this.version = version;
        this.guard = new Guard(auth, workers, core::queues);
    }

    /** The client forwarding writes to the leader, and the log proxy's own bounded one; {@code trust} null: the JDK's CAs. */
    private void clients(io.vertx.core.net.TrustOptions trust) {
        HttpClientOptions forward = new HttpClientOptions().setIdleTimeout(0).setConnectTimeout(5000);
        HttpClientOptions logs = new HttpClientOptions().setIdleTimeout(0).setConnectTimeout(5000);
        if (trust != null) {
            forward.setTrustOptions(trust);
            logs.setTrustOptions(trust);
        }
        this.agentClient = vertx.createHttpClient(forward);
        this.logClient = vertx.createHttpClient(logs, new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64).setMaxWaitQueueSize(1024));
    }

    /** https calls to agents and other coordinators trust the CAs in {@code caFile} (PEM) only. Call before serving. */
    public HttpApi trust(java.nio.file.Path caFile) {
        agentClient.close();
        logClient.close();
        clients(new io.vertx.core.net.PemTrustOptions().addCertPath(caFile.toString()));
        return this;
    }

    /** What each route needs of the caller's token: "GET /v1/jobs/{id}" → {@link Need}. Filled by {@link #router()}. */
    public Map<String, Need> needs() {
        return Map.copyOf(needs);
    }

    private io.vertx.ext.web.Route route(Router r, HttpMethod method, String path, Need need) {
        String key = method.name() + " " + path.replaceAll(":([A-Za-z]+)", "{$1}");
        if (needs.putIfAbsent(key, need) != null) throw new IllegalStateException("route " + key + " declared twice");
        return r.route(method, path).handler(guard.need(need));
    }

    /** Body routes: a request without any Authorization header is refused before its body is read. */
    private io.vertx.ext.web.Route bodyRoute(Router r, HttpMethod method, String path, Need need, int bodyLimit) {
        String key = method.name() + " " + path.replaceAll(":([A-Za-z]+)", "{$1}");
        if (needs.putIfAbsent(key, need) != null) throw new IllegalStateException("route " + key + " declared twice");
        io.vertx.ext.web.handler.SecurityPolicyHandler noTokenNoBody = ctx -> {
            if (auth != null && Guard.bearer(ctx.request()) == null) guard.need(need).handle(ctx); // answers 401
            else ctx.next();
        };
        return r.route(method, path).handler(noTokenNoBody).handler(BodyHandler.create(false).setBodyLimit(bodyLimit).setHandleFileUploads(false)).handler(guard.need(need));
    }

    private Hardening hardening = new Hardening("127.0.0.1", "");

    /** The names this coordinator answers to besides IP addresses and this machine's names (see {@link Hardening}). */
    public HttpApi hosts(String bindHost, String allowedHosts) {
        this.hardening = new Hardening(bindHost, allowedHosts);
        return this;
    }

    private io.nightshift.coordinator.auth.SecretStore secrets;

    /** Serves {@code /v1/secrets} from {@code store} and checks the secrets a spec names; call before {@link #router()}. */
    public HttpApi secrets(io.nightshift.coordinator.auth.SecretStore store) {
        this.secrets = store;
        return this;
    }

    private SubmitRate submitRate = new SubmitRate(100, 1_000);

    /** Per-token submit rate limit: {@code burst} at once, then {@code perSecond}. */
    public HttpApi submitRate(double perSecond, int burst) {
        this.submitRate = new SubmitRate(perSecond, burst);
        return this;
    }

    private void submitRate(RoutingContext ctx) {
        long wait = submitRate.take(streamKey(Guard.principal(ctx)), System.nanoTime());
        if (wait == 0) {
            ctx.next();
            return;
        }
        ctx.response().putHeader("Retry-After", Long.toString(wait));
        Problems.send(ctx, 429, "rate-limited", "Too many submissions",
                "this token may submit %s jobs per second (bursts of %d); retry in %d s".formatted(
                        java.math.BigDecimal.valueOf(submitRate.perSecond()).stripTrailingZeros().toPlainString(),
                        submitRate.burst(), wait));
    }

    private StreamLimits eventStreams = new StreamLimits("event streams", 2_000, 16);
    private StreamLimits logFollows = new StreamLimits("log follows", 500, 32);

    /** Caps on concurrent event streams and log follows, per coordinator and per token. */
    public HttpApi streamCaps(int events, int eventsPerToken, int follows, int followsPerToken) {
        this.eventStreams = new StreamLimits("event streams", events, eventsPerToken);
        this.logFollows = new StreamLimits("log follows", follows, followsPerToken);
        return this;
    }

    /** The key a token's streams are counted under. */
    static String streamKey(Principal p) {
        return p.tokenId() == null ? p.subject() : p.tokenId();
    }

    public Router router() {
        Router r = Router.router(vertx);
        Hardening h = hardening;
        r.route().handler(h::handle);
        r.route("/v1/*").handler(this::forwardUnlessLeading);
        route(r, HttpMethod.GET, "/health", Need.OPEN).handler(this::health);
        route(r, HttpMethod.GET, "/metrics", metricsOpen ? Need.OPEN : Need.READ)
                .handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(prometheus.scrape()));
        route(r, HttpMethod.GET, "/v1/openapi", Need.TOKEN).handler(this::openapi);
        route(r, HttpMethod.GET, "/v1/version", Need.TOKEN).handler(ctx -> Responses.json(ctx, 200, Map.of("version", version)));
        route(r, HttpMethod.GET, "/v1/whoami", Need.TOKEN).handler(this::whoami);
        bodyRoute(r, HttpMethod.POST, "/v1/jobs", Need.SOME_SUBMIT, MAX_BODY_BYTES)
                .handler(this::checkSubmitHeaders)
                .handler(this::submitRate)
                .handler(this::submit);
        route(r, HttpMethod.GET, "/v1/jobs", Need.SOME_READ).handler(this::listJobs);
        route(r, HttpMethod.GET, "/v1/jobs/:id", Need.SOME_READ).handler(this::getJob);
        route(r, HttpMethod.DELETE, "/v1/jobs/:id", Need.SOME_READ).handler(this::killJob);
        bodyRoute(r, HttpMethod.PATCH, "/v1/jobs/:id", Need.SOME_READ, io.nightshift.api.spec.JobPatch.MAX_BODY_BYTES)
                .handler(this::patchJob);
        route(r, HttpMethod.POST, "/v1/jobs/:id/pause", Need.SOME_READ).handler(ctx -> pauseJob(ctx, true));
        route(r, HttpMethod.POST, "/v1/jobs/:id/resume", Need.SOME_READ).handler(ctx -> pauseJob(ctx, false));
        route(r, HttpMethod.GET, "/v1/tasks/:taskId/logs/:stream", Need.SOME_READ).handler(this::logs);
        route(r, HttpMethod.GET, "/v1/agents", Need.READ).handler(ctx -> blocking(ctx, () -> Map.of("agents", store.agents())));
        route(r, HttpMethod.GET, "/v1/queues", Need.SOME_READ).handler(this::listQueues);
        bodyRoute(r, HttpMethod.POST, "/v1/queues", Need.ADMIN, io.nightshift.api.queue.QueueSpecParser.MAX_BODY_BYTES)
                .handler(this::checkJsonBody).handler(ctx -> putQueue(ctx, true));
        route(r, HttpMethod.GET, "/v1/queues/:name", Need.SOME_READ).handler(this::getQueue);
        bodyRoute(r, HttpMethod.PUT, "/v1/queues/:name", Need.ADMIN, io.nightshift.api.queue.QueueSpecParser.MAX_BODY_BYTES)
                .handler(this::checkJsonBody).handler(ctx -> putQueue(ctx, false));
        route(r, HttpMethod.DELETE, "/v1/queues/:name", Need.ADMIN).handler(this::deleteQueue);
        PoolsApi pools = new PoolsApi(core, store::agents, workers, vertx, core.clock(), poolUtilization, poolUtilizationStep);
        route(r, HttpMethod.GET, "/v1/pools", Need.READ).handler(pools::list);
        bodyRoute(r, HttpMethod.POST, "/v1/pools", Need.ADMIN, io.nightshift.api.pool.PoolSpecParser.MAX_BODY_BYTES)
                .handler(ctx -> { if (jsonBody(ctx, "pool")) ctx.next(); }).handler(ctx -> pools.put(ctx, true));
        route(r, HttpMethod.GET, "/v1/pools/:name", Need.READ).handler(pools::get);
        bodyRoute(r, HttpMethod.PUT, "/v1/pools/:name", Need.ADMIN, io.nightshift.api.pool.PoolSpecParser.MAX_BODY_BYTES)
                .handler(ctx -> { if (jsonBody(ctx, "pool")) ctx.next(); }).handler(ctx -> pools.put(ctx, false));
        route(r, HttpMethod.DELETE, "/v1/pools/:name", Need.ADMIN).handler(pools::delete);
        route(r, HttpMethod.GET, "/v1/pools/:name/utilization", Need.READ).handler(pools::utilization);
        if (utilization != null)
            route(r, HttpMethod.GET, "/v1/cluster/utilization", Need.READ)
                    .handler(ctx -> new UtilizationHandler(utilization, utilizationInterval).handle(ctx));
        route(r, HttpMethod.GET, "/v1/offers", Need.READ).handler(ctx -> Responses.json(ctx, 200, Map.of("offers", core.lastPlan().offers())));
        if (sse != null) sse.close();
        sse = new SseHandler(events, eventStreams, progress, replayWorkers);
        route(r, HttpMethod.GET, "/v1/events", Need.READ).handler(sse);
        route(r, HttpMethod.GET, "/v1/agents/channel", Need.AGENT).handler(channel::accept);
        route(r, HttpMethod.DELETE, "/v1/agents/:id/credential", Need.ADMIN).handler(this::releaseAgent);
        route(r, HttpMethod.GET, "/v1/agents/:id/metrics", Need.READ).handler(this::agentMetrics);
        TokensApi tokens = new TokensApi(auth, workers);
        route(r, HttpMethod.GET, "/v1/tokens", Need.ADMIN).handler(tokens::list);
        bodyRoute(r, HttpMethod.POST, "/v1/tokens", Need.ADMIN, TokensApi.MAX_BODY_BYTES).handler(tokens::create);
        route(r, HttpMethod.DELETE, "/v1/tokens/:id", Need.ADMIN).handler(tokens::revoke);
        SecretsApi secretsApi = new SecretsApi(secrets, workers);
        route(r, HttpMethod.GET, "/v1/secrets", Need.ADMIN).handler(secretsApi::list);
        bodyRoute(r, HttpMethod.PUT, "/v1/secrets/:name", Need.ADMIN, SecretsApi.MAX_BODY_BYTES).handler(secretsApi::put);
        route(r, HttpMethod.DELETE, "/v1/secrets/:name", Need.ADMIN).handler(secretsApi::delete);
        route(r, HttpMethod.GET, "/", Need.OPEN).handler(ctx -> ctx.reroute("/index.html"));
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
        String down = leader.steppedDown();
        if (down != null) {
            ctx.response().putHeader("Retry-After", "5");
            Problems.send(ctx, 503, "stepped-down", "Coordinator stepped down",
                    "this coordinator stepped down (" + down + ") and is restarting; retry, or ask another coordinator");
            return;
        }
        if (!get && !leader.storeReachable()) {
            ctx.response().putHeader("Retry-After", "5");
            Problems.send(ctx, 503, "store-unavailable", "Durable store unavailable",
                    "this coordinator cannot reach its durable store, so it cannot make this change durable; nothing was changed, retry later");
            return;
        }
        boolean local = leader.isLeader() || path.equals("/v1/agents/channel")
                || (get && (path.equals("/v1/jobs") || path.equals("/v1/agents") || path.equals("/v1/openapi")
                || path.equals("/v1/version") || path.equals("/v1/cluster/utilization")));
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
            relay(resp, ctx.response());
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
        body.put("role", leader.steppedDown() != null ? "stepped-down" : leader.isLeader() ? "leader" : "follower");
        body.put("store", leader.storeReachable() ? "reachable" : "unreachable");
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

    private void whoami(RoutingContext ctx) {
        Principal p = Guard.principal(ctx);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subject", p.subject());
        body.put("roles", p.sortedRoles());
        if (auth == null) body.put("auth", "off");
        Responses.json(ctx, 200, body);
    }

    /** Forgets an agent id's credential, so a rebuilt machine may register with that id again. */
    /** An agent's Prometheus metrics, read from its HTTP port with a metrics ticket (the agent port needs one). */
    private void agentMetrics(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        workers.executeBlocking(() -> {
            AgentInfo agent = store.agent(id).orElse(null);
            if (agent == null || agent.httpUrl() == null) return null;
            String ticket = auth == null ? null : auth.agents().secret(id)
                    .map(c -> AgentTicket.sign(c, id, AgentTicket.METRICS, java.time.Instant.now().plus(LOG_TICKET_TTL))).orElse(null);
            return new String[]{agent.httpUrl(), ticket};
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(500, ar.cause());
                return;
            }
            if (ar.result() == null) {
                Problems.send(ctx, 404, "not-found", "Agent not found", "no agent '" + shorten(id) + "'");
                return;
            }
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(ar.result()[0] + "/metrics")
                    .setTimeout(10_000);
            if (ar.result()[1] != null) options.putHeader(AgentTicket.HEADER, ar.result()[1]);
            logClient.request(options).compose(req -> req.send().compose(resp -> resp.body().map(b -> Map.entry(resp.statusCode(), b))))
                    .onSuccess(answer -> {
                        if (answer.getKey() != 200) Problems.send(ctx, 502, "agent-error", "Agent error",
                                "agent '" + id + "' answered " + answer.getKey() + " for its metrics");
                        else ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(answer.getValue());
                    })
                    .onFailure(err -> Problems.send(ctx, 503, "agent-unavailable", "Agent unavailable",
                            "cannot reach agent '" + id + "' at " + ar.result()[0] + ": " + err.getMessage()));
        });
    }

    private void releaseAgent(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (auth == null) {
            Problems.send(ctx, 409, "auth-off", "Authentication is off", "agents have no credentials while auth is off");
            return;
        }
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
            Problems.send(ctx, 404, "not-found", "Agent not found", "no agent '" + shorten(id) + "'");
            return;
        }
        String who = Guard.principal(ctx).subject();
        workers.executeBlocking(() -> auth.agents().release(id), false).onComplete(ar -> {
            if (ar.failed()) ctx.fail(500, ar.cause());
            else if (!ar.result()) Problems.send(ctx, 404, "not-found", "No credential", "agent '" + id + "' has no credential");
            else {
                log.info("agent {}: credential released by '{}'; the next agent registering with this id gets a new one", id, who);
                ctx.response().setStatusCode(204).end();
            }
        });
    }

    /** The queue named {@code name} as the core knows it; a queue deleted since has no ACL. */
    private io.nightshift.api.queue.QueueSpec queue(String name) {
        for (io.nightshift.api.queue.QueueSpec q : core.queues()) if (q.name().equals(name)) return q;
        return io.nightshift.api.queue.QueueSpec.of(name == null ? io.nightshift.api.queue.QueueSpec.DEFAULT_NAME : name, 1);
    }

    /** True when the caller may read {@code job}; else answers 403 naming the queue. */
    private boolean mayRead(RoutingContext ctx, Job job) {
        Principal p = Guard.principal(ctx);
        if (p.canRead(queue(job.spec().queue()))) return true;
        Guard.forbidden(ctx, p, "read on queue '" + job.spec().queue() + "'");
        return false;
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
        Principal caller = Guard.principal(ctx);
        if (!caller.canSubmit(queue(spec.queue()))) {
            Guard.forbidden(ctx, caller, "submit on queue '" + spec.queue() + "'");
            return;
        }
        if (!spec.secrets().isEmpty()) {
            JobSpec checked = spec;
            workers.executeBlocking(() -> SecretsApi.check(secrets, checked.secrets(), checked.queue()), false).onComplete(ar -> {
                if (ar.failed()) ctx.fail(500, ar.cause());
                else if (!ar.result().isEmpty()) Problems.send(ctx, 400, "invalid-spec", "Invalid job spec",
                        ar.result().size() + " problem(s) in the job spec", ar.result());
                else submitChecked(ctx, checked, caller);
            });
            return;
        }
        submitChecked(ctx, spec, caller);
    }

    private void submitChecked(RoutingContext ctx, JobSpec spec, Principal caller) {
        String key = ctx.request().getHeader("Idempotency-Key");
        Future.fromCompletionStage(core.submit(spec, key, caller.subject()), vertx.getOrCreateContext()).onComplete(ar -> {
            if (ar.succeeded()) {
                Job job = ar.result().job();
                if (!ar.result().created() && !caller.subject().equals(job.owner()) && !caller.canRead(queue(job.spec().queue()))) {
                    Problems.send(ctx, 409, "conflict", "Conflict", "this job id or Idempotency-Key is taken by another job");
                    return;
                }
                ctx.response().putHeader("Location", "/v1/jobs/" + job.id());
                Responses.json(ctx, ar.result().created() ? 201 : 200, job);
            } else if (ar.cause() instanceof ConflictException c) {
                Problems.send(ctx, 409, "conflict", "Conflict", c.getMessage());
            } else if (ar.cause() instanceof SchedulerCore.DeadlineRefusedException refused) {
                Problems.send(ctx, 409, "deadline-refused", "Deadline refused", refused.getMessage(),
                        List.of(new io.nightshift.api.spec.Problem("/deadline", refused.getMessage())),
                        java.util.Map.of("admission", refused.admission()));
            } else if (ar.cause() instanceof SchedulerCore.QueueFullException full) {
                ctx.response().putHeader("Retry-After", "30");
                Problems.send(ctx, 429, "queue-full", "Queue full", full.getMessage());
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
        Principal p = Guard.principal(ctx);
        List<Object> out = new ArrayList<>();
        for (io.nightshift.api.queue.QueueSpec q : core.queues()) if (p.canRead(q)) out.add(queueView(q));
        Responses.json(ctx, 200, Map.of("queues", out));
    }

    private void getQueue(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        Principal p = Guard.principal(ctx);
        core.queues().stream().filter(q -> q.name().equals(name)).findFirst().ifPresentOrElse(
                q -> {
                    if (p.canRead(q)) Responses.json(ctx, 200, queueView(q));
                    else Guard.forbidden(ctx, p, "read on queue '" + q.name() + "'");
                },
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
        Principal p = Guard.principal(ctx);
        if (queue != null && !p.canRead(queue(queue))) {
            Guard.forbidden(ctx, p, "read on queue '" + queue + "'");
            return;
        }
        JobQuery q = new JobQuery(state, queue, labels, limit, after);
        blocking(ctx, () -> {
            StateStore.Page<Job> page = store.jobs(q);
            Map<String, Object> out = new LinkedHashMap<>();
            // A token that reads only some queues sees only their jobs; a page may then hold fewer than asked.
            out.put("jobs", p.readsAll() ? page.items() : page.items().stream().filter(j -> p.canRead(queue(j.spec().queue()))).toList());
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
            else if (mayRead(ctx, ar.result().get().job())) Responses.json(ctx, 200, ar.result().get());
        });
    }

    private Optional<JobDetail> detail(String id) {
        Optional<Job> job = store.job(id);
        if (job.isEmpty()) return Optional.empty();
        List<JobDetail.RunDetail> runs = new ArrayList<>();
        List<String> pendingTasks = new ArrayList<>();
        List<String> taskIds = new ArrayList<>();
        for (String runId : job.get().runIds()) {
            Optional<Run> run = store.run(runId);
            if (run.isEmpty()) continue;
            List<Task> tasks = store.tasks(run.get().taskIds());
            for (Task t : tasks) {   // pending, or ended for waiting too long: the reasons say why
                if (t.state() == TaskState.PENDING || t.reason() == io.nightshift.api.state.Reason.UNSCHEDULABLE) pendingTasks.add(t.id());
            }
            for (Task t : tasks) taskIds.add(t.id());
            runs.add(new JobDetail.RunDetail(run.get(), tasks));
        }
        JobDetail.Pending pending = null;
        if (!pendingTasks.isEmpty()) {
            Set<PendingReason> reasons = new LinkedHashSet<>();
            String upstream = core.upstreamWhy(id);
            if (upstream != null) reasons.add(PendingReason.waiting("upstream", upstream));
            List<String> waiting = new ArrayList<>();
            for (JobDetail.RunDetail rd : runs) {
                for (Task t : rd.tasks()) {
                    reasons.addAll(t.unschedulableReasons());   // ended UNSCHEDULABLE: why it waited, as stored
                    if (t.state() == TaskState.PENDING) waiting.add(t.id());
                }
            }
            core.pendingReasons(waiting).values().forEach(reasons::addAll);
            pending = new JobDetail.Pending(pendingTasks, List.copyOf(reasons), core.pendingEta(pendingTasks),
                    core.reservation(job.get().runIds()));
        }
        return Optional.of(new JobDetail(job.get(), runs, pending, progress.of(taskIds)));
    }

    private void killJob(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!JOB_ID.matcher(id).matches()) {
            Problems.send(ctx, 404, "not-found", "Job not found", "no job '" + shorten(id) + "'");
            return;
        }
        Principal p = Guard.principal(ctx);
        workers.executeBlocking(() -> store.job(id), false).onComplete(found -> {
            if (found.failed()) ctx.fail(500, found.cause());
            else if (found.result().isEmpty()) Problems.send(ctx, 404, "not-found", "Job not found", "no job '" + id + "'");
            else if (!p.canManage(found.result().get(), queue(found.result().get().spec().queue())))
                Guard.forbidden(ctx, p, "the right to kill job '" + id + "' (only its owner, an admin of queue '"
                        + found.result().get().spec().queue() + "' or an admin may)");
            else kill(ctx, id);
        });
    }

    /** Pauses or resumes a scheduled job: the job's owner, an admin of its queue or an admin. */
    private void pauseJob(RoutingContext ctx, boolean pause) {
        String id = ctx.pathParam("id");
        if (!JOB_ID.matcher(id).matches()) {
            Problems.send(ctx, 404, "not-found", "Job not found", "no job '" + shorten(id) + "'");
            return;
        }
        Principal p = Guard.principal(ctx);
        String verb = pause ? "pause" : "resume";
        workers.executeBlocking(() -> store.job(id), false).onComplete(found -> {
            if (found.failed()) {
                ctx.fail(500, found.cause());
                return;
            }
            Optional<Job> job = found.result();
            if (job.isEmpty()) Problems.send(ctx, 404, "not-found", "Job not found", "no job '" + id + "'");
            else if (!p.canManage(job.get(), queue(job.get().spec().queue())))
                Guard.forbidden(ctx, p, "the right to " + verb + " job '" + id + "' (only its owner, an admin of queue '"
                        + job.get().spec().queue() + "' or an admin may)");
            else if (job.get().spec().schedule() == null)
                Problems.send(ctx, 409, "conflict", "Job has no schedule", "job '" + id + "' has no schedule to " + verb);
            else Future.fromCompletionStage(core.pause(id, pause), vertx.getOrCreateContext()).onComplete(ar -> {
                if (ar.failed()) ctx.fail(500, ar.cause());
                else if (ar.result().isEmpty())
                    Problems.send(ctx, 409, "conflict", "Job has ended", "job '" + id + "' has ended; there is nothing to " + verb);
                else Responses.json(ctx, 200, ar.result().get());
            });
        });
    }

    /** {@code PATCH /v1/jobs/{id}} {@code {"instances": N}}: scales a running stream job (owner, queue admin, admin). */
    private void patchJob(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!JOB_ID.matcher(id).matches()) {
            Problems.send(ctx, 404, "not-found", "Job not found", "no job '" + shorten(id) + "'");
            return;
        }
        io.nightshift.api.spec.JobPatch patch;
        try {
            Buffer body = ctx.body().buffer();
            patch = io.nightshift.api.spec.JobPatch.parse(body == null ? new byte[0] : body.getBytes());
        } catch (InvalidSpecException e) {
            Problems.send(ctx, 400, "invalid-patch", "Invalid job patch", e.problems().size() + " problem(s) in the patch",
                    e.problems());
            return;
        }
        Principal p = Guard.principal(ctx);
        workers.executeBlocking(() -> store.job(id), false).onComplete(found -> {
            if (found.failed()) ctx.fail(500, found.cause());
            else if (found.result().isEmpty()) Problems.send(ctx, 404, "not-found", "Job not found", "no job '" + id + "'");
            else if (!p.canManage(found.result().get(), queue(found.result().get().spec().queue())))
                Guard.forbidden(ctx, p, "the right to change job '" + id + "' (only its owner, an admin of queue '"
                        + found.result().get().spec().queue() + "' or an admin may)");
            else Future.fromCompletionStage(core.scale(id, patch.instances()), vertx.getOrCreateContext()).onComplete(ar -> {
                if (ar.succeeded() && ar.result().isPresent()) Responses.json(ctx, 200, ar.result().get());
                else if (ar.succeeded()) Problems.send(ctx, 404, "not-found", "Job not found", "no job '" + id + "'");
                else if (ar.cause() instanceof ConflictException c) Problems.send(ctx, 409, "conflict", "Conflict", c.getMessage());
                else ctx.fail(500, ar.cause());
            });
        });
    }

    private void kill(RoutingContext ctx, String id) {
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
            Optional<Job> job = store.job(task.get().jobId());
            if (job.isEmpty()) return null;
            Attempt a = attemptParam == null ? task.get().currentAttempt()
                    : task.get().attempts().stream().filter(x -> x.number() == Integer.parseInt(attemptParam)).findFirst().orElse(null);
            if (a == null) return new LogTarget(job.get(), task.get(), null, null, null);
            // the agent serves a log only with a ticket signed by its credential (none while auth is off)
            String ticket = auth == null ? null : auth.agents().secret(a.agentId())
                    .map(c -> AgentTicket.sign(c, a.agentId(), AgentTicket.logs(a.id()), java.time.Instant.now().plus(LOG_TICKET_TTL)))
                    .orElse(null);
            return new LogTarget(job.get(), task.get(), a, store.agent(a.agentId()).orElse(null), ticket);
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(500, ar.cause());
                return;
            }
            LogTarget t = ar.result();
            if (t == null) Problems.send(ctx, 404, "not-found", "Task not found", "no task '" + taskId + "'");
            else if (!mayRead(ctx, t.job)) return;
            else if (t.attempt == null) Problems.send(ctx, 409, "not-started", "Task has not started",
                    "task '" + taskId + "' has no attempt" + (attemptParam == null ? " yet" : " " + attemptParam));
            else if (t.agent == null || t.agent.httpUrl() == null) Problems.send(ctx, 503, "agent-unavailable", "Agent unavailable",
                    "agent '" + t.attempt.agentId() + "' that ran this task is not known");
            else proxyLogs(ctx, t, stream, offset, tail, "true".equals(follow));
        });
    }

    private record LogTarget(Job job, Task task, Attempt attempt, AgentInfo agent, String ticket) {
    }

    /** How long a ticket for an agent's log is valid: checked when the agent opens the log, so a follow outlives it. */
    static final java.time.Duration LOG_TICKET_TTL = java.time.Duration.ofMinutes(2);

    private void proxyLogs(RoutingContext ctx, LogTarget t, String stream, String offset, String tail, boolean follow) {
        StreamLimits.Slot slot = null;
        if (follow) {
            slot = logFollows.acquire(streamKey(Guard.principal(ctx)));
            if (slot == null) {
                logFollows.refuse(ctx, logFollows.open() >= logFollows.max());
                return;
            }
            StreamLimits.Slot held = slot;
            ctx.response().endHandler(v -> held.release());
            ctx.response().closeHandler(v -> held.release()); // replaced once the agent answers (see below)
        }
        StreamLimits.Slot followSlot = slot;
        StringBuilder url = new StringBuilder(t.agent.httpUrl()).append("/v1/sandboxes/")
                .append(URLEncoder.encode(t.attempt.id(), StandardCharsets.UTF_8)).append('/').append(stream).append("?follow=").append(follow);
        if (offset != null) url.append("&offset=").append(offset);
        if (tail != null) url.append("&tail=").append(tail);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url.toString());
        if (t.ticket != null) options.putHeader(AgentTicket.HEADER, t.ticket);
        logClient.request(options)
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
                                "agent '" + t.attempt.agentId() + "' answered " + resp.statusCode()
                                        + (resp.statusCode() == 401 ? " (it does not accept this coordinator's ticket: was its credential released?)" : "")));
                        return;
                    }
                    ctx.response().closeHandler(v -> { // the client went away: free the slot, stop reading the agent
                        if (followSlot != null) followSlot.release();
                        resp.request().reset();
                    });
                    ctx.response().setStatusCode(200).setChunked(true)
                            .putHeader("Content-Type", "text/plain; charset=utf-8")
                            .putHeader("X-Nightshift-Attempt", t.attempt.id());
                    String state = resp.getHeader("X-Nightshift-Attempt-State");
                    if (state != null) ctx.response().putHeader("X-Nightshift-Attempt-State", state);
                    relay(resp, ctx.response());
                })
                .onFailure(err -> {
                    if (followSlot != null) followSlot.release();
                    Problems.send(ctx, 503, "agent-unavailable", "Agent unavailable",
                            "cannot reach agent '" + t.attempt.agentId() + "' at " + t.agent.httpUrl() + ": " + err.getMessage());
                });
    }

    /**
     * Copies an upstream answer (the leader's, an agent's log) to our client with back-pressure, and stops quietly
     * when the client has gone: {@code pipeTo} would write to (or ask the write queue of) a closed response and log
     * "Response has already been written" for every follow a client closes.
     */
    static void relay(io.vertx.core.http.HttpClientResponse from, io.vertx.core.http.HttpServerResponse to) {
        from.handler(chunk -> {
            if (to.closed() || to.ended()) return;
            to.write(chunk);
            if (to.writeQueueFull()) {
                from.pause();
                to.drainHandler(v -> from.resume());
            }
        });
        from.exceptionHandler(err -> {
            if (!to.closed() && !to.ended()) to.reset();
        });
        from.endHandler(v -> {
            if (!to.closed() && !to.ended()) to.end();
        });
        from.resume();
    }

    static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    public void close() {
        if (sse != null) sse.close();
        workers.close();
        replayWorkers.close();
        agentClient.close();
        logClient.close();
    }
}
