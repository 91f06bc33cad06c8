package io.nightshift.coordinator.agents;

import io.nightshift.api.json.Json;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.protocol.AgentProof;
import io.nightshift.api.protocol.CoordinatorMessage;
import io.nightshift.coordinator.auth.AgentCredentials;
import io.vertx.core.WorkerExecutor;
import io.nightshift.coordinator.core.SchedulerCore;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/agents/channel}: the WebSocket each agent holds to the coordinator. One JSON
 * message per text frame ({@link AgentMessage} in, {@link CoordinatorMessage} out). The first
 * message must be {@code register}; a frame that cannot be read closes the channel (the agent
 * reconnects), it never reaches the core.
 */
public final class AgentChannel {
    private static final Logger log = LoggerFactory.getLogger(AgentChannel.class);
    private static final Pattern AGENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private final SchedulerCore core;
    private final io.nightshift.coordinator.progress.ProgressBoard progress;
    private final java.util.function.Supplier<String> leaderElsewhere;
    private final AtomicInteger connections = new AtomicInteger();
    private final AgentCredentials credentials; // null: auth off
    private final WorkerExecutor workers;

    /** {@code leaderElsewhere}: null while this coordinator leads, else the leader's URL ("" when unknown yet). */
    public AgentChannel(SchedulerCore core, java.util.function.Supplier<String> leaderElsewhere) {
        this(core, leaderElsewhere, null, null, null);
    }

    /**
     * {@code progress}: where running tasks' progress reports go (null: dropped). With {@code credentials}
     * (auth on), each agent id is bound to the credential issued at its first registration, the coordinator
     * proves itself in {@code Registered}, and an agent's log URL must be an address of the host it connects
     * from. Checks run on {@code workers} (database, DNS).
     */
    public AgentChannel(SchedulerCore core, java.util.function.Supplier<String> leaderElsewhere,
                        io.nightshift.coordinator.progress.ProgressBoard progress, AgentCredentials credentials,
                        WorkerExecutor workers) {
        this.core = core;
        this.leaderElsewhere = leaderElsewhere;
        this.progress = progress;
        this.credentials = credentials;
        this.workers = workers;
    }

    public int connections() {
        return connections.get();
    }

    public void accept(RoutingContext ctx) {
        String presented = ctx.request().getHeader(AgentProof.CREDENTIAL_HEADER);
        String nonce = ctx.request().getHeader(AgentProof.NONCE_HEADER);
        if (presented != null && !AgentProof.wellFormedCredential(presented)) presented = "";
        if (nonce != null && !AgentProof.wellFormedNonce(nonce)) nonce = null;
        String credential = presented, agentNonce = nonce;
        String from = ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
        ctx.request().toWebSocket().onSuccess(ws -> open(ws, credential, agentNonce, from)).onFailure(err -> {
            if (!ctx.response().ended()) ctx.response().setStatusCode(400).end("expected a WebSocket upgrade");
        });
    }

    private void open(ServerWebSocket ws, String presented, String nonce, String from) {
        connections.incrementAndGet();
        Link link = new Link(ws);
        link.presented = presented;
        link.nonce = nonce;
        link.from = from;
        ws.textMessageHandler(text -> {
            AgentMessage msg;
            try {
                msg = Json.mapper().readValue(text, AgentMessage.class);
            } catch (Exception e) {
                log.warn("agent channel from {}: unreadable message, closing: {}", ws.remoteAddress(), e.getMessage());
                link.close("unreadable message");
                return;
            }
            handle(link, msg);
        });
        ws.binaryMessageHandler(b -> link.close("binary frames are not part of the protocol"));
        ws.closeHandler(v -> {
            connections.decrementAndGet();
            link.open = false;
            if (link.agentId != null) core.onDisconnect(link.agentId, link);
        });
        ws.exceptionHandler(err -> log.debug("agent channel error: {}", err.getMessage()));
    }

    private void handle(Link link, AgentMessage msg) {
        if (msg instanceof AgentMessage.Register r) {
            String problem = checkRegister(r);
            if (problem != null) {
                log.warn("agent registration refused from {}: {}", link.ws.remoteAddress(), problem);
                link.send(new CoordinatorMessage.Rejected(problem));
                link.close("registration refused");
                return;
            }
            String leader = leaderElsewhere.get();
            if (leader != null) { // only the leader takes agents; send this one there
                link.send(new CoordinatorMessage.Rejected("this coordinator is not the leader",
                        leader.isEmpty() ? null : leader));
                link.close("not the leader");
                return;
            }
            if (link.agentId != null && !link.agentId.equals(r.agentId())) {
                link.close("agent id changed on an open channel");
                return;
            }
            if (credentials == null) {
                link.agentId = r.agentId();
                core.onRegister(r, link);
                return;
            }
            if (link.checking) return; // one registration at a time
            link.checking = true;
            io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
            workers.executeBlocking(() -> admit(link, r), false).onComplete(ar -> context.runOnContext(v -> {
                link.checking = false;
                String refused = ar.failed() ? "registration could not be checked: " + ar.cause().getMessage()
                        : ar.result() instanceof AgentCredentials.Admission.Refused no ? no.reason() : null;
                if (refused != null) {
                    log.warn("agent registration of '{}' refused from {}: {}", r.agentId(), link.ws.remoteAddress(), refused);
                    link.send(new CoordinatorMessage.Rejected(refused));
                    link.close("registration refused");
                    return;
                }
                AgentCredentials.Admission.Admitted ok = (AgentCredentials.Admission.Admitted) ar.result();
                if (ok.issued()) log.info("agent {}: issued its credential (first registration, from {})", r.agentId(), link.from);
                link.credential = ok.credential();
                link.issue = ok.issued();
                link.agentId = r.agentId();
                core.onRegister(r, link);
            }));
        } else if (link.checking) {
            link.close("message before the registration was accepted");
        } else if (msg instanceof AgentMessage.Heartbeat h) {
            if (registered(link, h.agentId())) core.onHeartbeat(h.agentId(), link, h.ownerLoad(), h.running(), h.reported());
        } else if (msg instanceof AgentMessage.Progress p) {
            if (registered(link, p.agentId()) && progress != null) progress.update(p.taskId(), p.progress());
        } else if (msg instanceof AgentMessage.StatusUpdate u) {
            if (link.agentId == null) link.close("status before register");
            else if (u.taskId() == null || u.attemptId() == null || u.state() == null) link.close("incomplete status update");
            else core.onStatus(link.agentId, link, u);
        }
    }

    /** Blocking: the log URL check (DNS) and the credential check (database). */
    private AgentCredentials.Admission admit(Link link, AgentMessage.Register r) {
        String urlProblem = logUrlProblem(r.httpUrl(), link.from);
        if (urlProblem != null) return new AgentCredentials.Admission.Refused(urlProblem);
        if ("".equals(link.presented)) return new AgentCredentials.Admission.Refused("the agent credential header is malformed");
        return credentials.admit(r.agentId(), link.presented, java.time.Instant.now());
    }

    /**
     * Null when {@code httpUrl}'s host is an address of {@code from} (the host the agent connects
     * from), so the coordinator's log proxy only ever calls the agents themselves, not whatever a
     * registration names (no SSRF). Blocking (resolves the name).
     */
    static String logUrlProblem(String httpUrl, String from) {
        if (from == null) return null; // not a TCP peer (cannot happen over HTTP/1.1)
        String host;
        try {
            host = java.net.URI.create(httpUrl).getHost();
        } catch (IllegalArgumentException e) {
            return "httpUrl is not a URL";
        }
        if (host == null) return "httpUrl has no host";
        try {
            java.net.InetAddress peer = java.net.InetAddress.getByName(from);
            for (java.net.InetAddress a : java.net.InetAddress.getAllByName(host.replaceAll("^\\[|]$", ""))) {
                if (a.equals(peer) || (a.isLoopbackAddress() && peer.isLoopbackAddress())) return null;
            }
            return "httpUrl host '" + host + "' is not an address of the agent's host (it connects from " + from + ")";
        } catch (java.net.UnknownHostException e) {
            return "httpUrl host '" + host + "' does not resolve";
        }
    }

    private static boolean registered(Link link, String agentId) {
        if (link.agentId == null || !link.agentId.equals(agentId)) {
            link.close("message for an agent that is not registered on this channel");
            return false;
        }
        return true;
    }

    private static String checkRegister(AgentMessage.Register r) {
        if (r.agentId() == null || !AGENT_ID.matcher(r.agentId()).matches()) return "agentId must match " + AGENT_ID.pattern();
        if (r.total() == null) return "total resources are required";
        if (r.host() == null || r.host().isBlank() || r.host().length() > 255) return "host is required (at most 255 characters)";
        if (r.httpUrl() == null || !r.httpUrl().matches("https?://[^\\s]{1,500}")) return "httpUrl must be an http(s) URL";
        if (r.attributes().size() > 64) return "at most 64 attributes";
        return null;
    }

    private static final class Link implements AgentLink {
        final ServerWebSocket ws;
        volatile String agentId;
        volatile boolean open = true;
        // set on the event loop before registration completes:
        String presented;
        String nonce;
        String from;
        boolean checking;
        volatile String credential;
        volatile boolean issue;

        Link(ServerWebSocket ws) {
            this.ws = ws;
        }

        @Override
        public void send(CoordinatorMessage message) {
            if (!open) return;
            if (message instanceof CoordinatorMessage.Registered r && credential != null) {
                // proves this coordinator knows the agent's credential; hands it over once, when new
                message = r.withProof(issue ? credential : null,
                        nonce == null ? null : AgentProof.proof(credential, r.agentId(), r.epoch(), nonce));
                issue = false;
            }
            ws.writeTextMessage(Json.write(message)).onFailure(err -> log.debug("send to agent {} failed: {}", agentId, err.getMessage()));
        }

        @Override
        public void close(String reason) {
            if (!open) return;
            open = false;
            ws.close((short) 1008, reason.length() > 120 ? reason.substring(0, 120) : reason);
        }

        @Override
        public boolean isOpen() {
            return open && !ws.isClosed();
        }
    }
}
