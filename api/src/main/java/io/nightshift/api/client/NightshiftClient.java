package io.nightshift.api.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.Event;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.model.Task;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Java client for the coordinator's REST API ({@code /v1}). Thread-safe; one instance per
 * coordinator is enough. Every call either returns the decoded answer or throws a
 * {@link NightshiftException} (unchecked) that carries the HTTP status and the problem document,
 * or, when nothing answered, a one-line message such as
 * {@code cannot reach coordinator at http://127.0.0.1:7070 (connection refused)}.
 *
 * <pre>{@code
 * var client = NightshiftClient.connect(URI.create("http://127.0.0.1:7070"));
 * Job job = client.submit(JobSpec.command("echo", "hi").build());
 * JobDetail done = client.await(job.id(), Duration.ofMinutes(5));
 * String out = client.logs(job.id(), NightshiftClient.Stream.STDOUT);
 * }</pre>
 *
 * Answers are read leniently (fields this client does not know are ignored), so a newer
 * coordinator can add fields without breaking older clients.
 */
public final class NightshiftClient implements AutoCloseable {

    /** Which of a task's two logs. */
    public enum Stream {
        STDOUT, STDERR;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How long establishing a TCP connection may take. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long a non-streaming call may take by default. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Page size asked of {@code GET /v1/jobs} while {@link #list} follows the cursor. */
    static final int PAGE_SIZE = 50;
    /** {@link #await} keeps polling through transient failures (coordinator restarting) for this long. */
    static final Duration AWAIT_TRANSIENT_TOLERANCE = Duration.ofSeconds(30);

    private static final ObjectReader LENIENT = Json.mapper().reader()
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final URI base;
    private final String display;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final String token;

    private NightshiftClient(URI base, HttpClient http, Duration requestTimeout, String token) {
        this.base = base;
        this.display = base.toString();
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.token = token;
    }

    /** Environment variable holding the bearer token the client sends when none is given. */
    public static final String TOKEN_ENV = "NIGHTSHIFT_TOKEN";
    /** Where {@code nightshift local|demo} write the admin token, relative to the working directory. */
    public static final java.nio.file.Path LOCAL_TOKEN_FILE = java.nio.file.Path.of("nightshift-data", "coordinator", "admin.token");

    /**
     * A client for the coordinator at {@code baseUrl} (e.g. {@code http://127.0.0.1:7070}). Connects
     * lazily. Sends the token found by {@link #discoverToken}: {@code NIGHTSHIFT_TOKEN}, else, for a
     * coordinator on this machine, the admin token a local cluster wrote under {@code ./nightshift-data}.
     */
    public static NightshiftClient connect(URI baseUrl) {
        return connect(baseUrl, DEFAULT_REQUEST_TIMEOUT, discoverToken(baseUrl, System.getenv(), LOCAL_TOKEN_FILE),
                discoverCa(baseUrl, System.getenv(), LOCAL_CA_FILE));
    }

    /** Environment variable naming a PEM bundle of the CAs an https coordinator's certificate must chain to. */
    public static final String CA_FILE_ENV = "NIGHTSHIFT_CA_FILE";
    /** The certificate {@code nightshift local --tls} makes, relative to the working directory. */
    public static final java.nio.file.Path LOCAL_CA_FILE = java.nio.file.Path.of("nightshift-data", "coordinator", "tls", "cert.pem");

    /**
     * The CA bundle to trust for an https {@code coordinator}: {@code env[NIGHTSHIFT_CA_FILE]}, else
     * {@code localFile} when the coordinator is on a loopback address and the file exists (a local
     * cluster's self-signed certificate), else null (the JDK's CAs). Null for http.
     */
    public static java.nio.file.Path discoverCa(URI coordinator, Map<String, String> env, java.nio.file.Path localFile) {
        if (!"https".equalsIgnoreCase(coordinator.getScheme())) return null;
        String f = env.get(CA_FILE_ENV);
        if (f != null && !f.isBlank()) return java.nio.file.Path.of(f.strip());
        return loopback(coordinator) && localFile != null && java.nio.file.Files.isRegularFile(localFile) ? localFile : null;
    }

    private static boolean loopback(URI coordinator) {
        String host = coordinator.getHost() == null ? "" : coordinator.getHost().toLowerCase(Locale.ROOT);
        return host.equals("localhost") || host.equals("[::1]") || host.equals("::1") || host.matches("127(\\.\\d{1,3}){3}");
    }

    /**
     * An SSL context trusting exactly the certificates in {@code pem} (one or more PEM certificates):
     * the coordinator's certificate must chain to one of them and name its host.
     */
    public static javax.net.ssl.SSLContext trusting(java.nio.file.Path pem) {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(pem)) {
            var certs = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) throw new IllegalArgumentException("no certificate in " + pem);
            java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (var c : certs) ks.setCertificateEntry("ca-" + i++, c);
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the CA bundle " + pem + ": " + e.getMessage(), e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PEM certificate bundle: " + pem + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The token to use with {@code coordinator} when none was given: {@code env[NIGHTSHIFT_TOKEN]},
     * else the first line of {@code localFile} when the coordinator is on a loopback address (a local
     * admin token is never sent to another machine), else null.
     */
    public static String discoverToken(URI coordinator, Map<String, String> env, java.nio.file.Path localFile) {
        String t = env.get(TOKEN_ENV);
        if (t != null && !t.isBlank()) return t.strip();
        String host = coordinator.getHost() == null ? "" : coordinator.getHost().toLowerCase(Locale.ROOT);
        boolean loopback = host.equals("localhost") || host.equals("[::1]") || host.equals("::1") || host.matches("127(\\.\\d{1,3}){3}");
        if (!loopback || localFile == null || !java.nio.file.Files.isRegularFile(localFile)) return null;
        try {
            String s = java.nio.file.Files.readString(localFile, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? null : s.lines().findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A client with a per-call timeout (streaming calls have none) and, when not {@code null}, a
     * bearer token sent with every call.
     */
    public static NightshiftClient connect(URI baseUrl, Duration requestTimeout, String token) {
        return connect(baseUrl, requestTimeout, token, null);
    }

    /** As {@link #connect(URI, Duration, String)}, trusting only the CAs in {@code caFile} (PEM) for https; null: the JDK's. */
    public static NightshiftClient connect(URI baseUrl, Duration requestTimeout, String token, java.nio.file.Path caFile) {
        URI base = normalize(baseUrl);
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (caFile != null) builder.sslContext(trusting(caFile));
        HttpClient http = builder.build();
        return new NightshiftClient(base, http, Objects.requireNonNull(requestTimeout), token);
    }

    static URI normalize(URI u) {
        Objects.requireNonNull(u, "coordinator URL");
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null)
            throw new IllegalArgumentException("coordinator URL must look like http://host:port, got '" + u + "'");
        String s = u.toString();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return URI.create(s);
    }

    /** The coordinator's base URL, without a trailing slash. */
    public URI baseUrl() {
        return base;
    }

    // ---------------------------------------------------------------- jobs

    /** Submits a job. Returns the stored job (new, or the existing one when the same spec was sent before). */
    public Job submit(JobSpec spec) {
        return submit(spec, null);
    }

    /** Submits a job; a resend with the same {@code idempotencyKey} and body returns the first job. */
    public Job submit(JobSpec spec, String idempotencyKey) {
        return submitRaw(json(spec, "job spec"), "application/json", idempotencyKey);
    }

    /** Submits a spec that is already JSON (the CLI's path). The coordinator validates it. */
    public Job submitRaw(byte[] json, String contentType) {
        return submitRaw(json, contentType, null);
    }

    public Job submitRaw(byte[] json, String contentType, String idempotencyKey) {
        HttpRequest.Builder b = request("/v1/jobs")
                .header("Content-Type", contentType == null ? "application/json" : contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(json));
        if (idempotencyKey != null && !idempotencyKey.isBlank()) b.header("Idempotency-Key", idempotencyKey);
        return decode(expect(send(b), 200, 201), Job.class);
    }

    /** The job with its runs, tasks, attempts and (while pending) why it waits. */
    public JobDetail get(String jobId) {
        return decode(expect(send(request("/v1/jobs/" + segment(jobId)).GET()), 200), JobDetail.class);
    }

    /** One page of jobs matching {@code query}, starting after the job id {@code after} ({@code null}: from the start). */
    public JobPage page(JobQuery query, String after, int pageSize) {
        StringBuilder q = new StringBuilder("/v1/jobs?limit=").append(pageSize);
        if (query.state() != null) q.append("&state=").append(query.state().name());
        if (query.queue() != null) q.append("&queue=").append(param(query.queue()));
        for (Map.Entry<String, String> l : query.labels().entrySet())
            q.append("&label=").append(param(l.getKey() + "=" + l.getValue()));
        if (after != null) q.append("&after=").append(param(after));
        JsonNode tree = tree(expect(send(request(q.toString()).GET()), 200));
        List<Job> jobs = convertList(tree.path("jobs"), Job.class, "jobs");
        JsonNode next = tree.path("next");
        return new JobPage(jobs, next.isTextual() && !next.asText().isEmpty() ? next.asText() : null);
    }

    /** Every job matching {@code query} (following the server's cursor), at most {@code query.limit()}. */
    public List<Job> list(JobQuery query) {
        List<Job> out = new ArrayList<>();
        String after = null;
        do {
            int want = query.limit() == 0 ? PAGE_SIZE : Math.min(PAGE_SIZE, query.limit() - out.size());
            JobPage p = page(query, after, want);
            out.addAll(p.jobs());
            after = p.next();
            if (p.jobs().isEmpty()) break;
        } while (after != null && (query.limit() == 0 || out.size() < query.limit()));
        return query.limit() > 0 && out.size() > query.limit() ? List.copyOf(out.subList(0, query.limit())) : out;
    }

    /** Every job. */
    public List<Job> list() {
        return list(JobQuery.all());
    }

    /** Asks for the job to be killed (running tasks get SIGTERM, then SIGKILL after the grace period). */
    public Job kill(String jobId) {
        return decode(expect(send(request("/v1/jobs/" + segment(jobId)).DELETE()), 200, 202), Job.class);
    }

    /**
     * Sets the instances of a running stream job ({@code PATCH /v1/jobs/{id}}): new instances start, the highest
     * ones above {@code instances} are stopped cleanly. 409 when the job cannot be scaled.
     */
    public Job scale(String jobId, int instances) {
        HttpRequest.Builder b = request("/v1/jobs/" + segment(jobId))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"instances\":" + instances + "}"));
        return decode(expect(send(b), 200), Job.class);
    }

    /** Pauses ({@code true}) or resumes a scheduled job; the job as it now stands. */
    public Job pause(String jobId, boolean pause) {
        return decode(expect(send(request("/v1/jobs/" + segment(jobId) + (pause ? "/pause" : "/resume"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody())), 200), Job.class);
    }

    /** Waits until the job is SUCCEEDED, FAILED or KILLED and returns its final detail. */
    public JobDetail await(String jobId, Duration timeout) {
        return await(jobId, timeout, d -> { });
    }

    /**
     * Polls the job (50 ms, doubling to 1 s) until it is terminal, handing every snapshot read to
     * {@code onPoll} (for progress output). Transient failures (coordinator restarting) are polled
     * through for up to 30 s. Throws {@link AwaitTimeoutException} when {@code timeout} passes first.
     */
    public JobDetail await(String jobId, Duration timeout, Consumer<JobDetail> onPoll) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long delayMs = 50;
        long failingSince = 0;
        JobDetail last = null;
        while (true) {
            try {
                last = get(jobId);
                failingSince = 0;
                onPoll.accept(last);
                if (last.job().state() != null && last.job().state().isTerminal()) return last;
            } catch (NightshiftException e) {
                if (!e.isRetriable()) throw e;
                long now = System.nanoTime();
                if (failingSince == 0) failingSince = now;
                else if (now - failingSince > AWAIT_TRANSIENT_TOLERANCE.toNanos()) throw e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new AwaitTimeoutException(jobId, timeout, last);
            sleep(Math.min(delayMs, Math.max(1, left / 1_000_000)));
            delayMs = Math.min(delayMs * 2, 1_000);
        }
    }

    // ---------------------------------------------------------------- logs

    /**
     * The whole log of the job's first task in its latest run (its current attempt), or "" when
     * no attempt has started yet.
     */
    public String logs(String jobId, Stream stream) {
        return logs(jobId, stream, null);
    }

    /** The same, with {@code tail} only the last {@code tail} lines ({@code null}: all). */
    public String logs(String jobId, Stream stream, Integer tail) {
        String taskId = startedTaskId(get(jobId));
        return taskId == null ? "" : taskLogs(taskId, stream, tail);
    }

    /** A task's log: all of it, or with {@code tail} only its last {@code tail} lines. */
    public String taskLogs(String taskId, Stream stream, Integer tail) {
        String path = "/v1/tasks/" + segment(taskId) + "/logs/" + stream.wire() + (tail == null ? "" : "?tail=" + tail);
        HttpResponse<byte[]> r = expect(send(request(path).GET()), 200);
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /**
     * Streams the job's first task's log line by line as it grows, until the task ends. Waits
     * (polling) for the first attempt to start when the job is still pending.
     */
    public void followLogs(String jobId, Stream stream, Consumer<String> lines) {
        long delayMs = 100;
        while (true) {
            JobDetail d = get(jobId);
            String taskId = startedTaskId(d);
            if (taskId != null) {
                followTaskLogs(taskId, stream, lines);
                return;
            }
            if (d.job().state() != null && d.job().state().isTerminal()) return;
            sleep(delayMs);
            delayMs = Math.min(delayMs * 2, 1_000);
        }
    }

    /** Streams one task's log ({@code follow=true}) from the beginning until the task ends. */
    public void followTaskLogs(String taskId, Stream stream, Consumer<String> lines) {
        String path = "/v1/tasks/" + segment(taskId) + "/logs/" + stream.wire() + "?offset=0&follow=true";
        HttpRequest req = streamingRequest(path).header("Accept", "text/plain").GET().build();
        HttpResponse<java.util.stream.Stream<String>> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NightshiftException("interrupted while calling coordinator at " + display, e);
        }
        try (java.util.stream.Stream<String> body = r.body()) {
            if (r.statusCode() != 200) {
                byte[] text = body.collect(Collectors.joining("\n")).getBytes(StandardCharsets.UTF_8);
                throw error(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), text);
            }
            body.forEach(lines);
        } catch (java.io.UncheckedIOException e) {
            throw unreachable(e.getCause());
        }
    }

    /** The id of the first task of the job's latest run, if that task has an attempt; else null. */
    static String startedTaskId(JobDetail d) {
        if (d.runs() == null || d.runs().isEmpty()) return null;
        JobDetail.RunDetail run = d.runs().get(d.runs().size() - 1);
        if (run.tasks() == null || run.tasks().isEmpty()) return null;
        Task first = run.tasks().stream().filter(t -> t.instance() == 0).findFirst().orElse(run.tasks().get(0));
        Attempt a = first.currentAttempt();
        return a == null ? null : first.id();
    }

    // ---------------------------------------------------------------- queues

    /** Every queue with its share of the cluster ({@code GET /v1/queues}), as the coordinator orders them. */
    public List<QueueView> queues() {
        JsonNode tree = tree(expect(send(request("/v1/queues").GET()), 200));
        return convertList(tree.path("queues"), QueueView.class, "queues");
    }

    /** One queue with its share; a {@link NightshiftException} with status 404 when there is no such queue. */
    public QueueView queue(String name) {
        return decode(expect(send(request("/v1/queues/" + segment(name)).GET()), 200), QueueView.class);
    }

    /**
     * Creates or replaces the queue {@code spec.name()} ({@code PUT /v1/queues/{name}}). Returns true when
     * it was created, false when an existing queue was updated. Invalid definitions fail with status 400
     * and every problem by JSON Pointer.
     */
    public boolean putQueue(QueueSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return putQueueRaw(spec.name(), json(spec, "queue spec"));
    }

    /** The same with a definition that is already JSON (the CLI's path); {@code name} in the body may be absent. */
    public boolean putQueueRaw(String name, byte[] json) {
        HttpRequest.Builder b = request("/v1/queues/" + segment(name))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(json));
        return expect(send(b), 200, 201).statusCode() == 201;
    }

    /**
     * Creates or replaces a pool ({@code PUT /v1/pools/{name}}, admin) from its JSON definition; true when it was
     * created. An invalid definition fails with status 400 naming each field.
     */
    public boolean putPoolRaw(String name, byte[] json) {
        HttpRequest.Builder b = request("/v1/pools/" + segment(name))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(json));
        return expect(send(b), 200, 201).statusCode() == 201;
    }

    /** Creates a queue that must not exist yet ({@code POST /v1/queues}); status 409 when it does. */
    public void createQueue(QueueSpec spec) {
        Objects.requireNonNull(spec, "spec");
        HttpRequest.Builder b = request("/v1/queues")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json(spec, "queue spec")));
        expect(send(b), 201);
    }

    /**
     * Deletes a queue ({@code DELETE /v1/queues/{name}}). Status 404 when there is no such queue; 409
     * when it still has jobs that have not ended, or it is {@code default}.
     */
    public void deleteQueue(String name) {
        expect(send(request("/v1/queues/" + segment(name)).DELETE()), 204, 200);
    }

    // ---------------------------------------------------------------- cluster

    public List<AgentInfo> agents() {
        JsonNode tree = tree(expect(send(request("/v1/agents").GET()), 200));
        return convertList(tree.path("agents"), AgentInfo.class, "agents");
    }

    /** The offers currently outstanding, as the coordinator describes them ({@code {"offers":[...]}}). */
    public JsonNode offers() {
        return getJson("/v1/offers");
    }

    // ---------------------------------------------------------------- identity and tokens

    /** Who the client's token belongs to ({@code GET /v1/whoami}: {@code subject}, {@code roles}). */
    public JsonNode whoami() {
        return getJson("/v1/whoami");
    }

    /** Every token (admin): ids, subjects, roles, never a token itself ({@code {"tokens":[...]}}). */
    public JsonNode tokens() {
        return getJson("/v1/tokens");
    }

    /** Creates a token (admin); the answer ({@code token}, {@code info}) is the only place the token appears. */
    public JsonNode createToken(String subject, List<String> roles) {
        byte[] body = json(Map.of("subject", subject, "roles", roles), "token request");
        HttpRequest.Builder b = request("/v1/tokens").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        return tree(expect(send(b), 201));
    }

    /** Revokes a token by id (admin); status 404 when there is no such token. */
    public void revokeToken(String id) {
        expect(send(request("/v1/tokens/" + segment(id)).DELETE()), 204);
    }

    // ---------------------------------------------------------------- secrets

    /** Every stored secret (admin): names, queues, who and when, never a value ({@code {"secrets":[...]}}). */
    public JsonNode secrets() {
        return getJson("/v1/secrets");
    }

    /**
     * Stores or replaces secret {@code name} (admin) for the jobs of {@code queues}; the answer describes it
     * without its value. {@code value} is sent once, in the request body, and never kept by the client.
     */
    public JsonNode putSecret(String name, String value, List<String> queues) {
        byte[] body = json(Map.of("value", value, "queues", queues), "secret");
        HttpRequest.Builder b = request("/v1/secrets/" + segment(name)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        return tree(expect(send(b), 200, 201));
    }

    /** Deletes secret {@code name} (admin); status 404 when there is no such secret. */
    public void deleteSecret(String name) {
        expect(send(request("/v1/secrets/" + segment(name)).DELETE()), 204);
    }

    /** The coordinator's version document ({@code GET /v1/version}). */
    public JsonNode version() {
        return getJson("/v1/version");
    }

    /** Any JSON resource of the API, as the coordinator sent it ({@code path} starts with '/'). */
    public JsonNode getJson(String path) {
        if (!path.startsWith("/")) throw new IllegalArgumentException("path must start with '/': " + path);
        return tree(expect(send(request(path).GET()), 200));
    }

    /** Any text resource of the API, e.g. {@code /metrics}. */
    public String getText(String path) {
        if (!path.startsWith("/")) throw new IllegalArgumentException("path must start with '/': " + path);
        return new String(expect(send(request(path).GET()), 200).body(), StandardCharsets.UTF_8);
    }

    /**
     * Subscribes to state-change events. {@code lastEventId} = {@code null} means "from now on";
     * otherwise events after that sequence number are replayed first. Close the subscription to stop.
     */
    public EventSubscription events(Long lastEventId, Consumer<Event> listener) {
        EventSubscription.Connector connector = after -> {
            HttpRequest.Builder b = streamingRequest("/v1/events").header("Accept", "text/event-stream").GET();
            if (after != null) b.header("Last-Event-ID", Long.toString(after));
            HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            return new EventSubscription.Opened(r.statusCode(), r.body());
        };
        return new EventSubscription(connector, lastEventId, listener, LENIENT.forType(Event.class)).start();
    }

    @Override
    public void close() {
        // java.net.http.HttpClient (Java 17) holds no resources that need closing; subscriptions close themselves.
    }

    // ---------------------------------------------------------------- HTTP plumbing

    private HttpRequest.Builder request(String pathAndQuery) {
        return streamingRequest(pathAndQuery).timeout(requestTimeout);
    }

    private HttpRequest.Builder streamingRequest(String pathAndQuery) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(display + pathAndQuery))
                .header("Accept", "application/json, application/problem+json;q=0.9, */*;q=0.1")
                .header("User-Agent", "nightshift-client");
        if (token != null && !token.isBlank()) b.header("Authorization", "Bearer " + token);
        return b;
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder b) {
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NightshiftException("interrupted while calling coordinator at " + display, e);
        }
    }

    /** Maps a transport failure to one line a person can act on. */
    NightshiftException unreachable(Throwable e) {
        if (e instanceof HttpConnectTimeoutException)
            return new NightshiftException("cannot reach coordinator at " + display + " (connect timed out after "
                    + CONNECT_TIMEOUT.toSeconds() + "s)", e);
        if (e instanceof HttpTimeoutException)
            return new NightshiftException("coordinator at " + display + " did not answer within "
                    + AwaitTimeoutException.human(requestTimeout), e);
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException)
                return new NightshiftException("cannot reach coordinator at " + display + " (unknown host "
                        + base.getHost() + ")", e);
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                String m = c.getMessage();
                String why = m == null || m.isBlank() || m.toLowerCase(Locale.ROOT).contains("refused")
                        ? "connection refused" : m.toLowerCase(Locale.ROOT);
                return new NightshiftException("cannot reach coordinator at " + display + " (" + why + ")", e);
            }
        }
        String m = null;
        for (Throwable c = e; c != null && m == null; c = c.getCause()) m = c.getMessage();
        return new NightshiftException("lost connection to coordinator at " + display + " ("
                + (m == null ? e.getClass().getSimpleName() : m) + ")", e);
    }

    private HttpResponse<byte[]> expect(HttpResponse<byte[]> r, int... ok) {
        for (int s : ok) if (r.statusCode() == s) return r;
        throw error(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    /** Decodes an error answer: an RFC 9457 problem document when there is one, else the status and the body's first line. */
    static NightshiftException error(int status, String contentType, byte[] body) {
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8).strip();
        boolean looksJson = contentType.toLowerCase(Locale.ROOT).contains("json") || text.startsWith("{");
        if (looksJson) {
            try {
                JsonNode p = Json.mapper().readTree(text);
                if (p != null && p.isObject()) {
                    List<Problem> problems = new ArrayList<>();
                    for (JsonNode n : p.path("problems"))
                        problems.add(new Problem(textOrNull(n, "path"), textOrNull(n, "message")));
                    String title = textOrNull(p, "title");
                    return new NightshiftException(status, textOrNull(p, "type"),
                            title == null ? reasonPhrase(status) : title, textOrNull(p, "detail"), problems);
                }
            } catch (IOException ignored) {
                // not JSON after all; fall through to plain text
            }
        }
        String firstLine = text.isEmpty() ? null : text.lines().findFirst().orElse("");
        if (firstLine != null && firstLine.length() > 200) firstLine = firstLine.substring(0, 200) + "…";
        return new NightshiftException(status, null, reasonPhrase(status), firstLine, List.of());
    }

    private static String textOrNull(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static String reasonPhrase(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "HTTP " + status;
        };
    }

    private JsonNode tree(HttpResponse<byte[]> r) {
        try {
            JsonNode n = Json.mapper().readTree(r.body());
            if (n == null || n.isMissingNode()) throw new IOException("empty body");
            return n;
        } catch (IOException e) {
            throw unreadable(r.statusCode(), r.request().uri(), e);
        }
    }

    private <T> T decode(HttpResponse<byte[]> r, Class<T> type) {
        try {
            return LENIENT.forType(type).readValue(r.body());
        } catch (IOException | RuntimeException e) {
            throw unreadable(r.statusCode(), r.request().uri(), e);
        }
    }

    private static <T> List<T> convertList(JsonNode array, Class<T> type, String field) {
        if (!(array instanceof ArrayNode)) {
            throw new NightshiftException(200, null, "unreadable response",
                    "coordinator answered without a '" + field + "' list", List.of());
        }
        List<T> out = new ArrayList<>(array.size());
        ObjectReader r = LENIENT.forType(type);
        for (JsonNode n : array) {
            try {
                out.add(r.readValue(n));
            } catch (IOException | RuntimeException e) {
                throw new NightshiftException(200, null, "unreadable response",
                        "cannot read an entry of '" + field + "': " + e.getMessage(), List.of());
            }
        }
        return out;
    }

    private static NightshiftException unreadable(int status, URI uri, Exception e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return new NightshiftException(status, null, "unreadable response",
                "cannot read the coordinator's answer to " + uri.getPath() + ": " + m, List.of());
    }

    private static byte[] json(Object value, String what) {
        try {
            return Json.mapper().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + what + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String segment(String s) {
        if (s == null || s.isEmpty()) throw new IllegalArgumentException("id must not be empty");
        return param(s);
    }

    private static String param(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NightshiftException("interrupted while waiting", e);
        }
    }

    @Override
    public String toString() {
        return "NightshiftClient[" + display + "]";
    }
}
