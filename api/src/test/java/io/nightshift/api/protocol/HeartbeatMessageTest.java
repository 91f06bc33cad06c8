package io.nightshift.api.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.json.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeartbeatMessageTest {
    static final Instant T = Instant.parse("2026-12-02T03:00:00Z");

    @Test
    void aHeartbeatCarriesTheAgentsAttemptsOverTheWire() {
        var h = new AgentMessage.Heartbeat("a1", T, 2, null, List.of("j.r1.0.1", "k.r3.0.1"), List.of("m.r2.0.1"));

        String json = Json.write(h);
        var back = (AgentMessage.Heartbeat) Json.read(json, AgentMessage.class);

        assertThat(json).contains("\"running\":[\"j.r1.0.1\",\"k.r3.0.1\"]").contains("\"reported\":[\"m.r2.0.1\"]");
        assertThat(back).isEqualTo(h);
    }

    @Test
    void anOlderAgentsHeartbeatWithoutTheListsReadsAsNullNotEmpty() {
        // null tells the leader "not listed" (no reconciliation), where an empty list would mean "runs nothing"
        var back = (AgentMessage.Heartbeat) Json.read("{\"type\":\"heartbeat\",\"agentId\":\"a1\",\"time\":\"2026-12-02T03:00:00Z\","
                + "\"runningAttempts\":3}", AgentMessage.class);

        assertThat(back.running()).isNull();
        assertThat(back.reported()).isNull();
        assertThat(Json.write(new AgentMessage.Heartbeat("a1", T, 3))).doesNotContain("running\"").doesNotContain("reported");
    }
}
