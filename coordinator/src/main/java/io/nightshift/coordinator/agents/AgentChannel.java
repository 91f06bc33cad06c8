package io.nightshift.coordinator.agents;

import io.nightshift.api.json.Json;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.protocol.CoordinatorMessage;
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

    /** {@code leaderElsewhere}: null while this coordinator leads, else the leader's URL ("" when unknown yet). */
    public AgentChannel(SchedulerCore core, java.util.function.Supplier<String> leaderElsewhere) {
        this(core, leaderElsewhere, null);
    }

    /** {@code progress}: where running tasks' progress reports go (null: dropped). */
    public AgentChannel(SchedulerCore core, java.util.function.Supplier<String> leaderElsewhere,
                        io.nightshift.coordinator.progress.ProgressBoard progress) {
        this.core = core;
        this.leaderElsewhere = leaderElsewhere;
        this.progress = progress;
    }

    public int connections() {
        return connections.get();
    }

    public void accept(RoutingContext ctx) {
        ctx.request().toWebSocket().onSuccess(this::open).onFailure(err -> {
            if (!ctx.response().ended()) ctx.response().setStatusCode(400).end("expected a WebSocket upgrade");
        });
    }

    private void open(ServerWebSocket ws) {
        connections.incrementAndGet();
        Link link = new Link(ws);
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
            link.agentId = r.agentId();
            core.onRegister(r, link);
        } else if (msg instanceof AgentMessage.Heartbeat h) {
            if (registered(link, h.agentId())) core.onHeartbeat(h.agentId(), link);
        } else if (msg instanceof AgentMessage.Progress p) {
            if (registered(link, p.agentId()) && progress != null) progress.update(p.taskId(), p.progress());
        } else if (msg instanceof AgentMessage.StatusUpdate u) {
            if (link.agentId == null) link.close("status before register");
            else if (u.taskId() == null || u.attemptId() == null || u.state() == null) link.close("incomplete status update");
            else core.onStatus(link.agentId, link, u);
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

        Link(ServerWebSocket ws) {
            this.ws = ws;
        }

        @Override
        public void send(CoordinatorMessage message) {
            if (!open) return;
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
