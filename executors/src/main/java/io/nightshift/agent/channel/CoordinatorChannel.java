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
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's end of the channel: one WebSocket to {@code <coordinator>/v1/agents/channel}
 * ({@code http→ws}, {@code https→wss}), one JSON text frame per message.
 * <pre>
 *   connect ──open──▶ send Register ──Registered(epoch ≥ highest seen)──▶ heartbeat every interval,
 *      ▲                    │                        re-send every unacknowledged StatusUpdate (seq order),
 *      │                    │                        then send new ones as they happen; an update still
 *      │                    │                        unacknowledged {@value #RESEND_AFTER_MS} ms after it
 *      │                    │                        was sent is sent again
 *      │      Rejected / close / error / register timeout / Registered with an older epoch
 *      └──── next coordinator: Rejected.leaderUrl if it named an http(s) URL, else the next one of the
 *            configured list (in turn); after a drop of a registered channel, the same one first.
 *            Wait: ½-1 × initial back-off during the first round over the list, then
 *            min(max, initial·2ⁿ) jittered to [½, 1] of that, n = completed rounds − 1; reset on Registered.
 * </pre>
 * Launch and Kill go to the {@link Handler} unless their epoch is older than the highest seen
 * ({@link Fencing}); Ack(seq), accepted only while registered, drops acknowledged updates from the
 * journal. A malformed frame is logged (one line, without its content) and ignored. All state lives
 * on one event-loop context; the public methods are thread-safe.
 */
public final class CoordinatorChannel {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorChannel.class);
    public static final String PATH = "/v1/agents/channel";
    static final long DEFAULT_HEARTBEAT_MS = 2000;
    /** A coordinator that neither registers nor rejects within this time is dropped and retried. */
    static final long REGISTER_TIMEOUT_MS = 10_000;
    /** An update not acknowledged this long after it was sent is sent again (checked at each heartbeat). */
    static final long RESEND_AFTER_MS = 30_000;

    /** What the agent does with the coordinator's commands. Called on the channel's event loop: must not block. */
    public interface Handler {
        void launch(CoordinatorMessage.Launch launch);

        void kill(CoordinatorMessage.Kill kill);
    }

    private final Vertx vertx;
    private final Context context;
    private WebSocketClient client;
    private final List<URI> coordinators;
    private final String agentId;
    private final Supplier<AgentMessage.Register> registration;
    private final Supplier<AgentMessage.Heartbeat> heartbeat;
    private final StatusJournal journal;
    private final Fencing fencing;
    private final Handler handler;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private java.nio.file.Path caFile;
    private String localAddress;
    private LaunchRecord launchRecord;

    // confined to context:
    private URI current;
    private int cursor;
    private String redirect;
    private WebSocket ws;
    private long heartbeatTimer = -1;
    private long reconnectTimer = -1;
    private long registerTimer = -1;
    private int failures;
    private long lastSentSeq;
    private final TreeMap<Long, Long> sentAtNanos = new TreeMap<>();
    private boolean closing;
    private volatile boolean registered;
    private volatile URI registeredWith;
    private volatile Supplier<String> bearer = () -> null;
    private volatile Supplier<String> credential = () -> null;
    private volatile java.util.function.Consumer<String> keepCredential = c -> {
    };
    private String nonce; // of the current connection; confined to context

    /**
     * @param coordinators base URLs, tried in this order (at least one; each http(s):// or ws(s)://)
     */
    public CoordinatorChannel(Vertx vertx, List<URI> coordinators, String agentId,
                              Supplier<AgentMessage.Register> registration, Supplier<AgentMessage.Heartbeat> heartbeat,
                              StatusJournal journal, Fencing fencing, Handler handler, Duration initialBackoff,
                              Duration maxBackoff) {
        if (coordinators.isEmpty()) throw new IllegalArgumentException("no coordinator URL");
        coordinators.forEach(CoordinatorChannel::target); // validates each
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.client = vertx.createWebSocketClient(clientOptions());
        this.coordinators = List.copyOf(coordinators);
        this.current = this.coordinators.get(0);
        this.agentId = agentId;
        this.registration = registration;
        this.heartbeat = heartbeat;
        this.journal = journal;
        this.fencing = fencing;
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

    private static WebSocketClientOptions clientOptions() {
        return new WebSocketClientOptions()
                .setConnectTimeout(5000)
                .setMaxFrameSize(1 << 20)
                .setMaxMessageSize(16 << 20);
    }

    /** The client for the current {@link #trust} and {@link #localAddress} choices. */
    private WebSocketClientOptions options() {
        WebSocketClientOptions o = clientOptions();
        if (caFile != null) o.setVerifyHost(true)
                .setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(caFile.toString()));
        if (localAddress != null) o.setLocalAddress(localAddress);
        return o;
    }

    private void rebuildClient() {
        client.close();
        client = vertx.createWebSocketClient(options());
    }

    /**
     * wss:// coordinators must present a certificate issued by a CA in {@code caFile} (PEM; null: the
     * JDK's CAs) for their host name: an impostor without the key cannot even complete the handshake.
     * Call before {@link #start()}.
     */
    public CoordinatorChannel trust(java.nio.file.Path caFile) {
        if (caFile == null) return this;
        this.caFile = caFile;
        rebuildClient();
        return this;
    }

    /**
     * Binds the channel's socket to this local address (an IP literal of this machine; null: the
     * system's choice). On loopback an unbound socket to 127.0.0.x gets the source 127.0.0.1, so a
     * packet filter could not tell this agent from any other. Call before {@link #start()}.
     */
    public CoordinatorChannel localAddress(String address) {
        if (address == null) return this;
        this.localAddress = address;
        rebuildClient();
        return this;
    }

    /** The token sent as {@code Authorization: Bearer} on every connect (null: none). Call before {@link #start()}. */
    public CoordinatorChannel bearer(Supplier<String> token) {
        this.bearer = token;
        return this;
    }

    /**
     * This agent's credential (null until the cluster issued one) and where to keep one when it is
     * issued. With a credential, only a {@code Registered} carrying a valid proof is accepted
     * ({@link io.nightshift.api.protocol.AgentProof}). Call before {@link #start()}.
     */
    public CoordinatorChannel credential(Supplier<String> current, java.util.function.Consumer<String> keep) {
        this.credential = current;
        this.keepCredential = keep;
        return this;
    }

    /** Where fenced launches are recorded (the handler records the others). Call before {@link #start()}. */
    public CoordinatorChannel launchRecord(LaunchRecord record) {
        this.launchRecord = record;
        return this;
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

    /** The coordinator this agent is registered with, or null. */
    public URI registeredWith() {
        return registered ? registeredWith : null;
    }

    private void connect() {
        reconnectTimer = -1;
        if (closing) return;
        URI to = current;
        WebSocketConnectOptions options = target(to);
        String token = bearer.get();
        if (token != null && !token.isBlank()) options.addHeader("Authorization", "Bearer " + token);
        nonce = io.nightshift.api.protocol.AgentProof.newNonce();
        options.addHeader(io.nightshift.api.protocol.AgentProof.NONCE_HEADER, nonce);
        String mine = credential.get();
        if (mine != null) options.addHeader(io.nightshift.api.protocol.AgentProof.CREDENTIAL_HEADER, mine);
        client.connect(options).onComplete(ar -> {
            if (ar.failed()) {
                if (ar.cause() instanceof io.vertx.core.http.UpgradeRejectedException u && (u.getStatus() == 401 || u.getStatus() == 403))
                    LOG.warn("agent {}: coordinator {} refused this agent ({}): check agent.token (a join token with role agent)",
                            agentId, to, u.getStatus());
                else LOG.info("agent {}: cannot reach coordinator {}: {}", agentId, to, ar.cause().toString());
                failedAttempt();
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
        LOG.info("agent {}: channel open to {} from {}, registering", agentId, current, socket.localAddress());
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
            String leader = leaderUrl(r.leaderUrl());
            LOG.warn("agent {}: registration rejected by {}: {}{}", agentId, current, r.reason(),
                    leader != null ? "; the leader is at " + leader
                            : r.leaderUrl() != null ? " (its leaderUrl is not an http(s) URL: ignored)" : "");
            redirect = leader;
            if (ws != null) ws.close();
        } else if (msg instanceof CoordinatorMessage.Ack a) {
            if (registered) journal.ack(a.seq());
        } else if (msg instanceof CoordinatorMessage.Launch l) {
            if (fencing.admits(l.epoch())) {
                handler.launch(l);
                return;
            }
            if (launchRecord != null) launchRecord.record(l, LaunchRecord.Verdict.FENCED);
            LOG.warn("agent {}: launch of attempt {} ignored: epoch {} is older than the leader epoch {} (a deposed leader)",
                    agentId, l.attemptId(), l.epoch(), fencing.highest());
        } else if (msg instanceof CoordinatorMessage.Kill k) {
            if (fencing.admits(k.epoch())) handler.kill(k);
            else LOG.warn("agent {}: kill of attempt {} ignored: epoch {} is older than the leader epoch {} (a deposed leader)",
                    agentId, k.attemptId(), k.epoch(), fencing.highest());
        }
    }

    /** {@code raw} when it is an absolute http(s) URL with a host, else null. Pure. */
    static String leaderUrl(String raw) {
        if (raw == null || raw.isBlank()) return null;
        try {
            URI u = new URI(raw.trim());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && u.getHost() != null ? u.toString() : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private void onRegistered(CoordinatorMessage.Registered r) {
        cancelRegisterTimer();
        String mine = credential.get();
        if (mine != null && !io.nightshift.api.protocol.AgentProof.verify(mine, agentId, r.epoch(), nonce, r.proof())) {
            LOG.warn("agent {}: {} answered Registered (epoch {}) without proving it knows this agent's credential: "
                    + "ignored, trying another coordinator (if the cluster's database was reset, delete this agent's "
                    + "agent-credential file)", agentId, current, r.epoch());
            if (ws != null) ws.close();
            return;
        }
        if (mine == null && r.credential() != null) {
            if (!io.nightshift.api.protocol.AgentProof.wellFormedCredential(r.credential())) {
                LOG.warn("agent {}: {} issued a malformed credential: ignored", agentId, current);
                if (ws != null) ws.close();
                return;
            }
            try {
                keepCredential.accept(r.credential()); // durably, before anything is done on its behalf
            } catch (RuntimeException e) {
                LOG.error("agent {}: cannot keep the credential issued by {}: {}", agentId, current, e.toString());
                if (ws != null) ws.close();
                return;
            }
            LOG.info("agent {}: received its credential from {} (first registration)", agentId, current);
        }
        long before = fencing.highest();
        if (!fencing.observe(r.epoch())) {
            LOG.warn("agent {}: {} registered this agent with epoch {}, but epoch {} has been seen: a deposed leader; "
                    + "trying another coordinator", agentId, current, r.epoch(), fencing.highest());
            if (ws != null) ws.close();
            return;
        }
        if (r.epoch() > before) {
            LOG.info("agent {}: leader epoch {} (was {})", agentId, r.epoch(), before);
            vertx.executeBlocking(() -> {
                fencing.persist();
                return null;
            }).onFailure(e -> LOG.warn("agent {}: cannot persist leader epoch {}: {}", agentId, r.epoch(), e.toString()));
        }
        registered = true;
        registeredWith = current;
        failures = 0;
        redirect = null;
        long interval = r.heartbeatIntervalMs() > 0 ? r.heartbeatIntervalMs() : DEFAULT_HEARTBEAT_MS;
        if (heartbeatTimer >= 0) vertx.cancelTimer(heartbeatTimer);
        heartbeatTimer = vertx.setPeriodic(interval, id -> {
            send(heartbeat.get());
            resendStale();
        });
        send(heartbeat.get());
        var pending = journal.unacked();
        LOG.info("agent {}: registered with {} (epoch {}); heartbeat every {} ms; re-sending {} unacknowledged update(s)",
                agentId, current, r.epoch(), interval, pending.size());
        sentAtNanos.clear();
        for (StatusUpdate u : pending) sendUpdate(u);
    }

    private void sendNew(StatusUpdate u) {
        if (!registered || ws == null || u.seq() <= lastSentSeq) return; // re-sent on the next registration
        sendUpdate(u);
    }

    private void sendUpdate(StatusUpdate u) {
        send(u);
        lastSentSeq = Math.max(lastSentSeq, u.seq());
        sentAtNanos.put(u.seq(), System.nanoTime());
    }

    /** Sends again what was sent at least {@link #RESEND_AFTER_MS} ago and is still not acknowledged. */
    private void resendStale() {
        if (!registered || ws == null) return;
        List<StatusUpdate> pending = journal.unacked();
        if (pending.isEmpty()) {
            sentAtNanos.clear();
            return;
        }
        sentAtNanos.headMap(pending.get(0).seq()).clear();
        long now = System.nanoTime();
        int n = 0;
        for (StatusUpdate u : pending) {
            Long at = sentAtNanos.get(u.seq());
            if (at != null && now - at >= RESEND_AFTER_MS * 1_000_000) {
                sendUpdate(u);
                n++;
            }
        }
        if (n > 0) LOG.info("agent {}: re-sent {} update(s) still not acknowledged after {} ms", agentId, n, RESEND_AFTER_MS);
    }

    /** Sends a progress report now if registered, else drops it (the next one replaces it). Thread-safe. */
    public void sendProgress(AgentMessage.Progress p) {
        if (registered) send(p);
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
        boolean wasRegistered = registered;
        registered = false;
        cancelRegisterTimer();
        if (heartbeatTimer >= 0) vertx.cancelTimer(heartbeatTimer);
        heartbeatTimer = -1;
        LOG.info("agent {}: channel to {} closed", agentId, current);
        if (wasRegistered) {
            scheduleReconnect(backoffMillis(0, initialBackoff, maxBackoff, ThreadLocalRandom.current())); // same one first
        } else {
            failedAttempt();
        }
    }

    /** A connection attempt failed (or ended before registration): pick the next coordinator and wait. */
    private void failedAttempt() {
        if (closing) return;
        failures++;
        String leader = redirect;
        redirect = null;
        if (leader != null) {
            current = URI.create(leader);
        } else {
            int i = coordinators.indexOf(current);
            cursor = i >= 0 ? (i + 1) % coordinators.size() : (cursor + 1) % coordinators.size();
            current = coordinators.get(cursor);
        }
        scheduleReconnect(retryDelayMillis(failures, coordinators.size(), initialBackoff, maxBackoff,
                ThreadLocalRandom.current()));
    }

    private void cancelRegisterTimer() {
        if (registerTimer >= 0) vertx.cancelTimer(registerTimer);
        registerTimer = -1;
    }

    private void scheduleReconnect(long delay) {
        if (closing || reconnectTimer >= 0) return;
        LOG.info("agent {}: connecting to {} in {} ms", agentId, current, delay);
        reconnectTimer = vertx.setTimer(delay, id -> connect());
    }

    /**
     * Delay after the {@code failures}-th consecutive failed attempt over {@code targets} coordinators:
     * the first round over the list waits about the initial back-off between two, later rounds back
     * off exponentially per round ({@link #backoffMillis} with n = completed rounds − 1). With one
     * coordinator this is plain exponential back-off.
     */
    static long retryDelayMillis(int failures, int targets, Duration initial, Duration max, Random random) {
        int n = failures <= targets ? 0 : failures / targets - 1;
        return backoffMillis(n, initial, max, random);
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

    /** For logs and tests: the channel URL of the coordinator tried or used now. */
    public String targetUri() {
        WebSocketConnectOptions t = target(current);
        return (Boolean.TRUE.equals(t.isSsl()) ? "wss://" : "ws://") + t.getHost() + ":" + t.getPort() + t.getURI();
    }
}
