package io.nightshift.agent.channel;

import io.nightshift.api.json.Json;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.protocol.AgentMessage.StatusUpdate;
import io.nightshift.api.protocol.CoordinatorMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's end of the channel: one WebSocket to {@code <coordinator>/v1/agents/channel}
 * ({@code http→ws}, {@code https→wss}), one JSON text frame per message.
 * <pre>
 *   connect ──open──▶ send Register ──Registered──▶ heartbeat every interval,
 *      ▲                    │                        re-send every unacknowledged StatusUpdate (seq order),
 *      │                    │                        then send new ones as they happen
 *      │               Rejected / close / error
 *      └──── back-off: min(max, initial·2ⁿ), jittered to [½, 1] of that; n resets on Registered
 * </pre>
 * Launch and Kill go to the {@link Handler}; Ack(seq) drops acknowledged updates from the journal.
 * A malformed frame is logged (one line, without its content) and ignored. All state lives on one
 * event-loop context; the public methods are thread-safe.
 */
public final class CoordinatorChannel {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorChannel.class);
    public static final String PATH = "/v1/agents/channel";
    static final long DEFAULT_HEARTBEAT_MS = 2000;
    /** A coordinator that neither registers nor rejects within this time is dropped and retried. */
    static final long REGISTER_TIMEOUT_MS = 10_000;

    /** What the agent does with the coordinator's commands. Called on the channel's event loop: must not block. */
    public interface Handler {
        void launch(CoordinatorMessage.Launch launch);

        void kill(CoordinatorMessage.Kill kill);
    }

    private final Vertx vertx;
    private final Context context;
    private final WebSocketClient client;
    private final WebSocketConnectOptions target;
    private final String agentId;
    private final Supplier<AgentMessage.Register> registration;
    private final Supplier<AgentMessage.Heartbeat> heartbeat;
    private final StatusJournal journal;
    private final Handler handler;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    // confined to context:
    private WebSocket ws;
    private long heartbeatTimer = -1;
    private long reconnectTimer = -1;
    private long registerTimer = -1;
    private int failures;
    private long lastSentSeq;
    private boolean closing;
    private volatile boolean registered;

    public CoordinatorChannel(Vertx vertx, URI coordinator, String agentId, Supplier<AgentMessage.Register> registration,
                              Supplier<AgentMessage.Heartbeat> heartbeat, StatusJournal journal, Handler handler,
                              Duration initialBackoff, Duration maxBackoff) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setConnectTimeout(5000)
                .setMaxFrameSize(1 << 20)
                .setMaxMessageSize(16 << 20));
        this.target = target(coordinator);
        this.agentId = agentId;
        this.registration = registration;
        this.heartbeat = heartbeat;
        this.journal = journal;
        this.handler = handler;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** Where to connect: scheme http/ws → plain, https/wss → TLS; the coordinator URL's path is kept as a prefix. */
    static WebSocketConnectOptions target(URI coordinator) {
        String scheme = coordinator.getScheme() == null ? "" : coordinator.getScheme().toLowerCase(Locale.ROOT);
        boolean tls = switch (scheme) {
            case "http", "ws" -> false;
            case "https", "wss" -> true;
            default -> throw new IllegalArgumentException("coordinator URL must be http(s):// or ws(s)://: " + coordinator);
        };
        if (coordinator.getHost() == null) throw new IllegalArgumentException("coordinator URL has no host: " + coordinator);
        int port = coordinator.getPort() > 0 ? coordinator.getPort() : tls ? 443 : 80;
        String prefix = coordinator.getRawPath() == null ? "" : coordinator.getRawPath().replaceAll("/+$", "");
        String host = coordinator.getHost().replaceAll("^\\[|]$", ""); // [::1] → ::1
        return new WebSocketConnectOptions().setHost(host).setPort(port).setSsl(tls)
                .setURI(prefix + PATH);
    }

    /** Starts connecting (asynchronously) and keeps the channel up until {@link #close()}. */
    public void start() {
        journal.listener(u -> context.runOnContext(v -> sendNew(u)));
        context.runOnContext(v -> connect());
    }

    /** True while registered with a coordinator. */
    public boolean connected() {
        return registered;
    }

    private void connect() {
        reconnectTimer = -1;
        if (closing) return;
        client.connect(new WebSocketConnectOptions(target)).onComplete(ar -> {
            if (ar.failed()) {
                LOG.info("agent {}: cannot reach coordinator at {}:{}: {}", agentId, target.getHost(), target.getPort(),
                        ar.cause().toString());
                scheduleReconnect();
            } else {
                onOpen(ar.result());
            }
        });
    }

    private void onOpen(WebSocket socket) {
        if (closing) {
            socket.close();
            return;
        }
        ws = socket;
        lastSentSeq = 0;
        socket.textMessageHandler(text -> onText(socket, text));
        socket.binaryMessageHandler(b -> LOG.warn("agent {}: binary frame from coordinator ignored ({} bytes)", agentId, b.length()));
        socket.exceptionHandler(e -> LOG.info("agent {}: channel error: {}", agentId, e.toString()));
        socket.closeHandler(v -> onClosed(socket));
        LOG.info("agent {}: channel open to {}:{}, registering", agentId, target.getHost(), target.getPort());
        send(registration.get());
        registerTimer = vertx.setTimer(REGISTER_TIMEOUT_MS, id -> {
            registerTimer = -1;
            if (socket == ws && !registered) {
                LOG.warn("agent {}: no answer to Register within {} ms; reconnecting", agentId, REGISTER_TIMEOUT_MS);
                socket.close();
            }
        });
    }

    private void onText(WebSocket socket, String text) {
        if (socket != ws) return;
        CoordinatorMessage msg;
        try {
            msg = Json.mapper().readValue(text, CoordinatorMessage.class);
        } catch (Exception e) {
            // Only the error's kind and position: a parser message may quote frame content, and a Launch carries env values.
            String where = e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
                    ? " at line " + j.getLocation().getLineNr() + " column " + j.getLocation().getColumnNr() : "";
            LOG.warn("agent {}: malformed frame from coordinator ignored ({} chars): {}{}", agentId, text.length(),
                    e.getClass().getSimpleName(), where);
            return;
        }
        try {
            dispatch(msg);
        } catch (RuntimeException e) {
            LOG.error("agent {}: handling {} failed: {}", agentId, msg.getClass().getSimpleName(), e.toString(), e);
        }
    }

    private void dispatch(CoordinatorMessage msg) {
        if (msg instanceof CoordinatorMessage.Registered r) {
            onRegistered(r);
        } else if (msg instanceof CoordinatorMessage.Rejected r) {
            LOG.warn("agent {}: registration rejected: {}", agentId, r.reason());
            if (ws != null) ws.close();
        } else if (msg instanceof CoordinatorMessage.Ack a) {
            journal.ack(a.seq());
        } else if (msg instanceof CoordinatorMessage.Launch l) {
            handler.launch(l);
        } else if (msg instanceof CoordinatorMessage.Kill k) {
            handler.kill(k);
        }
    }

    private void onRegistered(CoordinatorMessage.Registered r) {
        cancelRegisterTimer();
        registered = true;
        failures = 0;
        long interval = r.heartbeatIntervalMs() > 0 ? r.heartbeatIntervalMs() : DEFAULT_HEARTBEAT_MS;
        if (heartbeatTimer >= 0) vertx.cancelTimer(heartbeatTimer);
        heartbeatTimer = vertx.setPeriodic(interval, id -> send(heartbeat.get()));
        send(heartbeat.get());
        var pending = journal.unacked();
        LOG.info("agent {}: registered; heartbeat every {} ms; re-sending {} unacknowledged update(s)", agentId, interval,
                pending.size());
        for (StatusUpdate u : pending) {
            send(u);
            lastSentSeq = Math.max(lastSentSeq, u.seq());
        }
    }

    private void sendNew(StatusUpdate u) {
        if (!registered || ws == null || u.seq() <= lastSentSeq) return; // re-sent on the next registration
        send(u);
        lastSentSeq = u.seq();
    }

    private void send(AgentMessage m) {
        WebSocket socket = ws;
        if (socket == null) return;
        socket.writeTextMessage(Json.write(m)).onFailure(e ->
                LOG.debug("agent {}: send of {} failed: {}", agentId, m.getClass().getSimpleName(), e.toString()));
    }

    private void onClosed(WebSocket socket) {
        if (socket != ws) return;
        ws = null;
        registered = false;
        cancelRegisterTimer();
        if (heartbeatTimer >= 0) vertx.cancelTimer(heartbeatTimer);
        heartbeatTimer = -1;
        LOG.info("agent {}: channel closed", agentId);
        scheduleReconnect();
    }

    private void cancelRegisterTimer() {
        if (registerTimer >= 0) vertx.cancelTimer(registerTimer);
        registerTimer = -1;
    }

    private void scheduleReconnect() {
        if (closing || reconnectTimer >= 0) return;
        long delay = backoffMillis(failures++, initialBackoff, maxBackoff, ThreadLocalRandom.current());
        LOG.info("agent {}: reconnecting in {} ms", agentId, delay);
        reconnectTimer = vertx.setTimer(delay, id -> connect());
    }

    /** Delay before reconnect attempt {@code n} (0-based): min(max, initial·2ⁿ), jittered uniformly to [½, 1] of that. */
    static long backoffMillis(int n, Duration initial, Duration max, Random random) {
        long base = Math.min(max.toMillis(), initial.toMillis() << Math.min(n, 30));
        if (base <= 1) return Math.max(1, base);
        long half = base / 2;
        return half + (long) (random.nextDouble() * (base - half + 1));
    }

    /**
     * Completes when every status update has been acknowledged, or the channel is down, or
     * {@code timeout} passed (used at shutdown to report what it can).
     */
    public Future<Void> awaitAcknowledged(Duration timeout) {
        Promise<Void> p = Promise.promise();
        long until = System.nanoTime() + timeout.toNanos();
        context.runOnContext(v -> pollAcked(p, until));
        return p.future();
    }

    private void pollAcked(Promise<Void> p, long until) {
        if (journal.unacked().isEmpty() || !registered || System.nanoTime() - until >= 0) p.tryComplete();
        else vertx.setTimer(20, id -> pollAcked(p, until));
    }

    /** Stops reconnecting and closes the socket after what is queued has been written. */
    public Future<Void> close() {
        Promise<Void> p = Promise.promise();
        context.runOnContext(v -> {
            closing = true;
            registered = false;
            if (reconnectTimer >= 0) vertx.cancelTimer(reconnectTimer);
            if (heartbeatTimer >= 0) vertx.cancelTimer(heartbeatTimer);
            cancelRegisterTimer();
            WebSocket socket = ws;
            ws = null;
            Future<Void> closed = socket == null ? Future.succeededFuture() : socket.close();
            closed.eventually(() -> client.close()).onComplete(ar -> p.tryComplete());
        });
        return p.future();
    }

    /** For logs and tests. */
    public String targetUri() {
        return (Boolean.TRUE.equals(target.isSsl()) ? "wss://" : "ws://") + target.getHost() + ":" + target.getPort() + target.getURI();
    }
}
