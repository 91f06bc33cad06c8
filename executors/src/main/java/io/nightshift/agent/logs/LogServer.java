package io.nightshift.agent.logs;

import io.nightshift.agent.sandbox.Sandbox;
import io.nightshift.api.json.Json;
import io.nightshift.api.protocol.AgentTicket;
import io.nightshift.api.state.TaskState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves sandbox logs over HTTP:
 * <pre>
 *   GET /v1/sandboxes/{attemptId}/{stdout|stderr}[?offset=N | ?tail=N][&amp;follow=true]
 *   GET /health
 *   GET /metrics      Prometheus text format (the agent's cache and fetch metrics), when set up
 * </pre>
 * <ul>
 *   <li>{@code offset}: start at this byte (≥ 0); {@code tail}: the last N lines (1..100000); neither:
 *       from the start. Both at once: 400.</li>
 *   <li>{@code follow=true}: the (chunked) response stays open and streams appended bytes, polling the
 *       file every 200 ms, until the attempt has ended and everything is sent, or the client goes away.</li>
 *   <li>Headers: {@code X-Nightshift-Attempt-State} (when this agent knows the attempt) and
 *       {@code X-Nightshift-Log-Offset} (the byte offset of the first byte returned).</li>
 *   <li>Errors are problem JSON ({@code {"title","status","detail"}}): 404 for an unknown attempt or
 *       stream, 400 for bad parameters or an attempt id that is not one safe path component.</li>
 *   <li>Once the agent holds a credential (see {@link #tickets}), logs and metrics need an
 *       {@link AgentTicket} the coordinator signed with it: none, a forged or an expired one → 401, one
 *       for another attempt → 403. {@code /health} stays open.</li>
 * </ul>
 * Only regular files directly inside a sandbox are served; symbolic links are refused, so nothing
 * outside the sandbox directory can be read.
 */
public final class LogServer {
    private static final Logger LOG = LoggerFactory.getLogger(LogServer.class);
    private static final String PREFIX = "/v1/sandboxes/";
    private static final Set<String> STREAMS = Set.of(Sandbox.STDOUT, Sandbox.STDERR);
    public static final String STATE_HEADER = "X-Nightshift-Attempt-State";
    public static final String OFFSET_HEADER = "X-Nightshift-Log-Offset";
    static final int MAX_TAIL = 100_000;
    static final long FOLLOW_POLL_MS = 200;
    private static final int CHUNK = 64 * 1024;

    private final Vertx vertx;
    private final Path sandboxesRoot;
    private final Function<String, Optional<TaskState>> stateOf;
    private final Supplier<Map<String, Object>> health;
    private HttpServer server;
    private volatile Supplier<String> metrics;
    private String agentId;
    private Supplier<String> credential = () -> null;
    private boolean metricsOpen;
    private Clock clock = Clock.systemUTC();

    /**
     * @param stateOf the attempt's state if this agent knows it; an unknown attempt (e.g. from before a
     *                restart) counts as ended
     * @param health  fields added to {@code GET /health} besides {@code "status":"UP"}
     */
    public LogServer(Vertx vertx, Path sandboxesRoot, Function<String, Optional<TaskState>> stateOf,
                     Supplier<Map<String, Object>> health) {
        this.vertx = vertx;
        this.sandboxesRoot = sandboxesRoot.toAbsolutePath().normalize();
        this.stateOf = stateOf;
        this.health = health;
    }

    /** Serves {@code GET /metrics} from {@code scrape} (called on a worker thread). Call before {@link #listen}. */
    public LogServer metrics(Supplier<String> scrape) {
        this.metrics = scrape;
        return this;
    }

    /**
     * Requires tickets signed with {@code credential} (the agent's, null while it has none: then
     * nothing is required, as with auth off) for logs, and for metrics unless {@code metricsOpen}.
     * Call before {@link #listen}.
     */
    public LogServer tickets(String agentId, Supplier<String> credential, boolean metricsOpen, Clock clock) {
        this.agentId = agentId;
        this.credential = credential;
        this.metricsOpen = metricsOpen;
        this.clock = clock;
        return this;
    }

    /** False (and the answer sent) when the request lacks a ticket for {@code scope}. */
    private boolean admitted(HttpServerRequest req, String scope) {
        String key = credential.get();
        if (key == null) return true;
        AgentTicket.Check c = AgentTicket.check(req.getHeader(AgentTicket.HEADER), key, agentId, scope, clock.instant());
        if (c == AgentTicket.Check.VALID) return true;
        if (c == AgentTicket.Check.WRONG_SCOPE) {
            problem(req.response(), 403, "Forbidden", "the ticket is for another resource than " + scope);
        } else {
            LOG.info("agent {}: refused {} {} from {}: no valid ticket", agentId, req.method(), req.path(), req.remoteAddress());
            req.response().putHeader("WWW-Authenticate", "Nightshift-Ticket");
            problem(req.response(), 401, "Unauthorized",
                    "logs and metrics on an agent are read through the coordinator (GET /v1/tasks/{id}/logs/{stream})");
        }
        return false;
    }

    private Path tlsCert;
    private Path tlsKey;

    /** Serves https with this PEM pair. Call before {@link #listen}. */
    public LogServer tls(Path cert, Path key) {
        this.tlsCert = cert;
        this.tlsKey = key;
        return this;
    }

    /** Binds; completes with the actual port. */
    public Future<Integer> listen(String host, int port) {
        HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port);
        if (tlsCert != null) options.setSsl(true).setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
                .setCertPath(tlsCert.toString()).setKeyPath(tlsKey.toString()));
        server = vertx.createHttpServer(options);
        server.requestHandler(this::handle);
        return server.listen().map(HttpServer::actualPort);
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void handle(HttpServerRequest req) {
        String path = req.path();
        if (path.equals("/health")) {
            if (req.method() != HttpMethod.GET) {
                problem(req.response(), 405, "Method Not Allowed", "only GET is supported");
                return;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "UP");
            body.putAll(health.get());
            req.response().putHeader("Content-Type", "application/json").end(Json.write(body));
            return;
        }
        if (path.equals("/metrics") && metrics != null) {
            if (req.method() != HttpMethod.GET) {
                problem(req.response(), 405, "Method Not Allowed", "only GET is supported");
                return;
            }
            if (!metricsOpen && !admitted(req, AgentTicket.METRICS)) return;
            Supplier<String> scrape = metrics;
            vertx.executeBlocking(scrape::get, false).onComplete(ar -> {
                if (ar.failed()) {
                    LOG.warn("metrics scrape failed: {}", ar.cause().toString());
                    problem(req.response(), 500, "Internal Server Error", "cannot collect the metrics");
                } else {
                    req.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
                }
            });
            return;
        }
        if (!path.startsWith(PREFIX)) {
            problem(req.response(), 404, "Not Found", "no such resource");
            return;
        }
        if (req.method() != HttpMethod.GET) {
            problem(req.response(), 405, "Method Not Allowed", "only GET is supported");
            return;
        }
        String[] parts = path.substring(PREFIX.length()).split("/", -1);
        if (parts.length != 2) {
            problem(req.response(), 404, "Not Found", "expected /v1/sandboxes/{attemptId}/{stdout|stderr}");
            return;
        }
        String attemptId = decode(parts[0]);
        String stream = decode(parts[1]);
        if (attemptId == null || !Sandbox.isValidAttemptId(attemptId)) {
            problem(req.response(), 400, "Bad Request", "invalid attempt id: must match " + Sandbox.ATTEMPT_ID.pattern());
            return;
        }
        if (stream == null || !STREAMS.contains(stream)) {
            problem(req.response(), 404, "Not Found", "no such log stream; use stdout or stderr");
            return;
        }
        if (!admitted(req, AgentTicket.logs(attemptId))) return;
        Params params;
        try {
            params = Params.parse(req.getParam("offset"), req.getParam("tail"), req.getParam("follow"));
        } catch (IllegalArgumentException e) {
            problem(req.response(), 400, "Bad Request", e.getMessage());
            return;
        }
        req.pause();
        vertx.executeBlocking(() -> open(attemptId, stream, params), false).onComplete(ar -> {
            req.resume();
            if (ar.failed()) {
                LOG.warn("attempt {}: cannot open {}: {}", attemptId, stream, ar.cause().toString());
                problem(req.response(), 500, "Internal Server Error", "cannot read the log");
            } else if (ar.result() == null) {
                problem(req.response(), 404, "Not Found", "unknown attempt '" + attemptId + "' on this agent");
            } else {
                new Pump(req.response(), attemptId, ar.result(), params.follow()).begin();
            }
        });
    }

    /** Query parameters, checked. */
    record Params(Long offset, Integer tail, boolean follow) {
        static Params parse(String offset, String tail, String follow) {
            if (offset != null && tail != null) throw new IllegalArgumentException("give either offset or tail, not both");
            Long off = null;
            Integer t = null;
            if (offset != null) {
                try {
                    off = Long.parseLong(offset);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("offset must be a byte offset ≥ 0");
                }
                if (off < 0) throw new IllegalArgumentException("offset must be a byte offset ≥ 0");
            }
            if (tail != null) {
                try {
                    t = Integer.parseInt(tail);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("tail must be a line count between 1 and " + MAX_TAIL);
                }
                if (t < 1 || t > MAX_TAIL)
                    throw new IllegalArgumentException("tail must be a line count between 1 and " + MAX_TAIL);
            }
            boolean f;
            if (follow == null || follow.equals("false")) f = false;
            else if (follow.equals("true")) f = true;
            else throw new IllegalArgumentException("follow must be true or false");
            return new Params(off, t, f);
        }
    }

    /** An open log file and where to start reading it. */
    private record Opened(FileChannel channel, long start, Optional<TaskState> state) {
    }

    /** Runs on a worker: resolve safely, open, find the start. Null when there is no such sandbox or file. */
    private Opened open(String attemptId, String stream, Params params) throws IOException {
        Path dir = Sandbox.dirOf(sandboxesRoot, attemptId);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return null;
        Path file = dir.resolve(stream);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return null;
        if (!file.toRealPath().startsWith(sandboxesRoot.toRealPath())) return null;
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        try {
            long size = ch.size();
            long start = params.tail() != null ? LogFiles.tailStart(ch, size, params.tail())
                    : params.offset() != null ? params.offset() : 0;
            return new Opened(ch, start, stateOf.apply(attemptId));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Copies the file to the response chunk by chunk, respecting back-pressure; in follow mode polls for more. */
    private final class Pump {
        private final HttpServerResponse resp;
        private final String attemptId;
        private final FileChannel ch;
        private final boolean follow;
        private long pos;
        private long timer = -1;
        private boolean closed;

        Pump(HttpServerResponse resp, String attemptId, Opened opened, boolean follow) {
            this.resp = resp;
            this.attemptId = attemptId;
            this.ch = opened.channel();
            this.pos = opened.start();
            this.follow = follow;
            resp.setStatusCode(200).setChunked(true)
                    .putHeader("Content-Type", "text/plain; charset=utf-8")
                    .putHeader(OFFSET_HEADER, Long.toString(pos));
            opened.state().ifPresent(s -> resp.putHeader(STATE_HEADER, s.name()));
            resp.closeHandler(v -> stop());
        }

        void begin() {
            step();
        }

        private void step() {
            timer = -1;
            if (closed) return;
            vertx.executeBlocking(this::read, false).onComplete(ar -> {
                if (closed) return;
                if (ar.failed()) {
                    LOG.warn("attempt {}: log read failed: {}", attemptId, ar.cause().toString());
                    finish();
                    return;
                }
                Chunk c = ar.result();
                if (c.data().length() > 0) {
                    pos += c.data().length();
                    resp.write(c.data());
                    if (resp.writeQueueFull()) resp.drainHandler(v -> step());
                    else step();
                } else if (!follow || c.endedBeforeRead()) {
                    finish();
                } else {
                    timer = vertx.setTimer(FOLLOW_POLL_MS, id -> step());
                }
            });
        }

        /** Worker: note whether the attempt had ended, then read; if it had and nothing is left, we are done. */
        private Chunk read() throws IOException {
            boolean ended = stateOf.apply(attemptId).map(TaskState::isTerminal).orElse(true);
            ByteBuffer buf = ByteBuffer.allocate(CHUNK);
            int n = ch.read(buf, pos);
            if (n <= 0) return new Chunk(Buffer.buffer(), ended);
            buf.flip();
            byte[] bytes = new byte[buf.remaining()];
            buf.get(bytes);
            return new Chunk(Buffer.buffer(bytes), ended);
        }

        private void finish() {
            if (!closed) resp.end();
            stop();
        }

        private void stop() {
            if (closed) return;
            closed = true;
            if (timer >= 0) vertx.cancelTimer(timer);
            try {
                ch.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    private record Chunk(Buffer data, boolean endedBeforeRead) {
    }

    private static void problem(HttpServerResponse resp, int status, String title, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        resp.setStatusCode(status).putHeader("Content-Type", "application/problem+json").end(Json.write(body));
    }

    /** Strict percent-decoding of one path segment ('+' stays '+'); null when malformed. */
    static String decode(String segment) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) return null;
                int hi = Character.digit(segment.charAt(i + 1), 16);
                int lo = Character.digit(segment.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) return null;
                out.write(hi * 16 + lo);
                i += 2;
            } else if (c < 0x80) {
                out.write(c);
            } else {
                return null;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
