package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.Resources;
import io.nightshift.api.json.Json;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.protocol.AgentProof;
import io.nightshift.api.protocol.AgentTicket;
import io.nightshift.api.state.TaskState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents that do not belong, against a real cluster with a real agent running a real task: no join
 * token, a token without the agent role, the live agent's id without its credential or with a
 * wrong one, a status for another agent's attempt, a log URL on another host. Each is refused and
 * the live agent, its task and the job stay as they were.
 */
class RogueAgentIT {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Api api;
    static String taskId;
    static String attemptId;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.forTest(dir, 1);
        api = new Api(cluster);
        api.submit("{\"id\":\"victim\",\"type\":\"command\",\"command\":{\"shell\":\"sleep 120\"},"
                + "\"resources\":{\"cpus\":0.1,\"memMb\":32}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> api.jobState("victim").equals("RUNNING"));
        JsonNode task = api.task("victim");
        taskId = task.path("id").asText();
        attemptId = task.path("attempts").get(0).path("id").asText();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
        Procs.killAll("NIGHTSHIFT_SANDBOX=" + dir);
    }

    /** A WebSocket to the agent channel; frames received go to {@code inbox}. */
    record Rogue(WebSocket ws, LinkedBlockingQueue<String> inbox) {
        void send(AgentMessage m) {
            ws.sendText(Json.write(m), true).join();
        }

        /** The next frame, or "closed" when the coordinator closed the channel. */
        String next() throws InterruptedException {
            String s = inbox.poll(10, TimeUnit.SECONDS);
            return s == null ? "timeout" : s;
        }
    }

    static Rogue connect(String token, String credential) {
        LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .header(AgentProof.NONCE_HEADER, AgentProof.newNonce());
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (credential != null) b.header(AgentProof.CREDENTIAL_HEADER, credential);
        URI uri = URI.create(cluster.url().toString().replace("http://", "ws://") + "/v1/agents/channel");
        WebSocket ws = b.buildAsync(uri, new WebSocket.Listener() {
            final StringBuilder sb = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                sb.append(data);
                if (last) {
                    inbox.add(sb.toString());
                    sb.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                inbox.add("closed");
                return null;
            }
        }).join();
        return new Rogue(ws, inbox);
    }

    static AgentMessage.Register register(String id, String httpUrl) {
        return new AgentMessage.Register(id, "127.0.0.1", httpUrl, new Resources(64, 65536, 100000, 0), Map.of(), "none",
                "rogue", List.of());
    }

    static int handshakeStatus(String token) {
        try {
            connect(token, null).ws().abort();
            return 101;
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) return h.getResponse().statusCode();
            throw e;
        }
    }

    static JsonNode agent(String id) {
        for (JsonNode a : api.json("/v1/agents").path("agents")) if (a.path("id").asText().equals(id)) return a;
        return null;
    }

    void assertNothingChanged() {
        JsonNode local = agent("local-1");
        assertThat(local).isNotNull();
        assertThat(local.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(cluster.agents().get(0).connected()).isTrue();
        assertThat(api.jobState("victim")).isEqualTo("RUNNING");
        assertThat(api.task("victim").path("attempts")).hasSize(1);
        assertThat(api.task("victim").path("attempts").get(0).path("state").asText()).isEqualTo("RUNNING");
    }

    @Test
    void withoutAJoinTokenTheChannelIsRefusedAtTheUpgrade() {
        assertThat(handshakeStatus(null)).isEqualTo(401);
        assertThat(handshakeStatus("nst_" + "y".repeat(43))).isEqualTo(401);
        assertNothingChanged();
    }

    @Test
    void aTokenWithoutTheAgentRoleIsRefused() throws Exception {
        String reader = Api.tree(api.post("/v1/tokens", "{\"subject\":\"reader\",\"roles\":[\"read\"]}").body()).path("token").asText();
        assertThat(handshakeStatus(reader)).isEqualTo(403);
        assertNothingChanged();
    }

    @Test
    void theLiveAgentsIdWithoutItsCredentialOrWithAnotherIsRefusedAndCannotTakeItOver() throws Exception {
        for (String credential : new String[] {null, AgentProof.newCredential()}) {
            Rogue rogue = connect(cluster.agentToken(), credential);
            rogue.send(register("local-1", "http://127.0.0.1:1"));
            String answer = rogue.next();
            assertThat(answer).contains("\"type\":\"rejected\"").contains("another credential");
            assertThat(rogue.next()).isEqualTo("closed");
        }
        // a takeover would close the live agent's channel: it stays open, and nothing changes, for half a second
        await().during(java.time.Duration.ofMillis(500)).atMost(java.time.Duration.ofSeconds(5))
                .untilAsserted(this::assertNothingChanged);
    }

    @Test
    void aStatusForAnotherAgentsAttemptIsRefusedAndNotAcknowledged() throws Exception {
        Rogue rogue = connect(cluster.agentToken(), null);
        rogue.send(register("rogue-1", "http://127.0.0.1:1"));
        String registered = rogue.next();
        assertThat(registered).contains("\"type\":\"registered\"").contains("\"credential\":\"nsa_");
        rogue.send(new AgentMessage.StatusUpdate(1, taskId, attemptId, TaskState.FAILED, null, 1, "forged", Instant.now()));
        rogue.send(new AgentMessage.Heartbeat("rogue-1", Instant.now(), 0));
        String next = rogue.next();
        while (next.contains("\"type\":\"launch\"") || next.contains("\"type\":\"kill\"")) next = rogue.next();
        assertThat(next).doesNotContain("\"type\":\"ack\"");
        assertThat(api.jobState("victim")).isEqualTo("RUNNING");
        assertThat(api.task("victim").path("attempts").get(0).path("state").asText()).isEqualTo("RUNNING");
        rogue.ws().abort();
        // the rogue's own id is now bound to the credential it was issued
        Rogue again = connect(cluster.agentToken(), null);
        again.send(register("rogue-1", "http://127.0.0.1:1"));
        assertThat(again.next()).contains("\"type\":\"rejected\"");
    }

    @Test
    void aLogUrlOnAnotherHostIsRefused() throws Exception {
        Rogue rogue = connect(cluster.agentToken(), null);
        rogue.send(register("rogue-ssrf", "http://169.254.169.254:80"));
        assertThat(rogue.next()).contains("\"type\":\"rejected\"").contains("not an address of the agent's host");
        assertThat(agent("rogue-ssrf")).isNull();
    }

    @Test
    void theRealAgentKeepsItsCredentialForItsOwnerOnly() throws Exception {
        Path file = dir.resolve("agent").resolve("agent-credential");
        assertThat(Files.readString(file).strip()).startsWith("nsa_");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void theAgentsLogPortServesTheLogOnlyWithTheCoordinatorsTicketForThatAttempt() throws Exception {
        String agentUrl = cluster.agents().get(0).httpUrl();
        String agentId = cluster.agents().get(0).id();
        String credential = Files.readString(dir.resolve("agent").resolve("agent-credential")).strip();
        String log = agentUrl + "/v1/sandboxes/" + attemptId + "/stdout";
        Instant soon = Instant.now().plusSeconds(60);

        assertThat(agentGet(log, null).statusCode()).isEqualTo(401);
        assertThat(agentGet(agentUrl + "/metrics", null).statusCode()).isEqualTo(401);
        assertThat(agentGet(log, AgentTicket.sign(AgentProof.newCredential(), agentId, AgentTicket.logs(attemptId), soon))
                .statusCode()).isEqualTo(401);
        assertThat(agentGet(log, AgentTicket.sign(credential, agentId, AgentTicket.logs("someone.r1.0.1"), soon))
                .statusCode()).isEqualTo(403);
        assertThat(agentGet(log, AgentTicket.sign(credential, agentId, AgentTicket.logs(attemptId), soon)).statusCode())
                .isEqualTo(200);
        // the coordinator signs its own: the proxy works with the API token alone
        java.net.http.HttpResponse<String> proxied = api.get("/v1/tasks/" + taskId + "/logs/stdout");
        assertThat(proxied.statusCode()).isEqualTo(200);
        assertThat(proxied.headers().firstValue("X-Nightshift-Attempt")).hasValue(attemptId);
    }

    static java.net.http.HttpResponse<String> agentGet(String url, String ticket) throws Exception {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (ticket != null) b.header(AgentTicket.HEADER, ticket);
        return HttpClient.newHttpClient().send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }
}
