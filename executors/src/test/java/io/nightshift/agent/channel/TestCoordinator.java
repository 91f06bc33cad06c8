package io.nightshift.agent.channel;

import io.nightshift.api.json.Json;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.protocol.CoordinatorMessage;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A small real WebSocket server playing the coordinator's side of the agent protocol: it answers
 * Register with Registered carrying {@link #epoch} (or Rejected, pointing at {@link #leaderUrl},
 * while {@link #reject} is set), acknowledges status updates when {@link #autoAck} is on, records
 * everything it receives, and can send or drop at will.
 */
public final class TestCoordinator implements AutoCloseable {
    public final Vertx vertx = Vertx.vertx();
    public final List<AgentMessage> received = new CopyOnWriteArrayList<>();
    public final AtomicInteger connections = new AtomicInteger();
    public volatile boolean autoAck = true;
    public volatile String reject;
    public volatile String leaderUrl;
    public volatile long epoch;
    public volatile long heartbeatMs = 200;
    /** When set, Registered proves knowledge of this agent credential (over the connection's nonce). */
    public volatile String credential;
    /** When set, Registered hands this credential to the agent (as at a first registration). */
    public volatile String issue;
    /** The credential header of each connection, in order ("" when absent). */
    public final List<String> presented = new CopyOnWriteArrayList<>();
    /** The remote (source) address of each connection, in order. */
    public final List<String> remoteHosts = new CopyOnWriteArrayList<>();
    private volatile ServerWebSocket current;
    private final HttpServer server;
    public final int port;

    public TestCoordinator() throws Exception {
        server = vertx.createHttpServer().webSocketHandler(this::accept);
        port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    private void accept(ServerWebSocket ws) {
        if (!ws.path().equals("/v1/agents/channel")) {
            ws.close((short) 1008, "wrong path");
            return;
        }
        connections.incrementAndGet();
        remoteHosts.add(ws.remoteAddress().hostAddress());
        current = ws;
        String nonce = ws.headers().get(io.nightshift.api.protocol.AgentProof.NONCE_HEADER);
        String cred = ws.headers().get(io.nightshift.api.protocol.AgentProof.CREDENTIAL_HEADER);
        presented.add(cred == null ? "" : cred);
        ws.textMessageHandler(text -> {
            AgentMessage m = Json.read(text, AgentMessage.class);
            received.add(m);
            if (m instanceof AgentMessage.Register r) {
                String why = reject;
                ws.writeTextMessage(Json.write(why != null ? new CoordinatorMessage.Rejected(why, leaderUrl)
                        : registered(r.agentId(), nonce)));
            } else if (m instanceof AgentMessage.StatusUpdate u && autoAck) {
                ws.writeTextMessage(Json.write(new CoordinatorMessage.Ack(u.seq())));
            }
        });
    }

    private CoordinatorMessage.Registered registered(String agentId, String nonce) {
        var r = new CoordinatorMessage.Registered(agentId, heartbeatMs, epoch);
        String c = credential;
        return r.withProof(issue, c == null || nonce == null ? null
                : io.nightshift.api.protocol.AgentProof.proof(c, agentId, epoch, nonce));
    }

    public void send(CoordinatorMessage m) {
        sendRaw(Json.write(m));
    }

    public void sendRaw(String text) {
        ServerWebSocket ws = current;
        if (ws == null) throw new IllegalStateException("no agent connected");
        ws.writeTextMessage(text);
    }

    /** Closes the agent's connection from the coordinator's side. */
    public void drop() {
        ServerWebSocket ws = current;
        if (ws != null) ws.close();
    }

    public <T extends AgentMessage> List<T> received(Class<T> type) {
        return received.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public List<AgentMessage.StatusUpdate> updates(String attemptId) {
        return received(AgentMessage.StatusUpdate.class).stream().filter(u -> u.attemptId().equals(attemptId)).toList();
    }

    /** Messages received after the {@code index}-th one. */
    public Stream<AgentMessage> since(int index) {
        return received.subList(index, received.size()).stream();
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
