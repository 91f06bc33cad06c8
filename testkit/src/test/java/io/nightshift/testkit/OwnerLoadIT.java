package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.agent.AgentSettings;
import io.nightshift.coordinator.CoordinatorSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent measures the load of a real CPU-burning process that Nightshift did not start, reports it
 * with its heartbeat, and the coordinator shows it (and the idle capacity left) in {@code GET /v1/agents}.
 */
class OwnerLoadIT {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Api api;
    static Process burner;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.testConfig(dir)
                .with(CoordinatorSettings.HEARTBEAT_INTERVAL, "PT0.3S")
                .with(AgentSettings.OWNER_LOAD_INTERVAL, "PT0.3S")
                .with(AgentSettings.OWNER_LOAD_HALF_LIFE, "PT0.5S")
                .with(AgentSettings.OWNER_LOAD_PEAK_WINDOW, "PT3S")
                .with(AgentSettings.POOL, "office")
                .with(AgentSettings.CPUS, "2")
                .with(AgentSettings.MEM_MB, "2048"), 1);
        api = new Api(cluster);
    }

    @AfterAll
    static void stop() {
        if (burner != null) burner.destroyForcibly();
        if (cluster != null) cluster.close();
    }

    @Test
    void anOwnersCpuBurnerShowsAsOwnerLoadAndShrinksTheIdleCapacity() throws IOException {
        burner = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        await().atMost(Duration.ofSeconds(30)).until(() -> agent().path("ownerLoad").path("peakCpus").asDouble() >= 0.8);
        JsonNode a = agent();
        assertThat(a.path("attributes").path("pool").asText()).isEqualTo("office");
        assertThat(a.path("ownerLoad").path("memMb").asLong()).isPositive(); // the machine's memory is never all ours
        // idle = total - allocated - owner load, the worse of its average and recent peak (no pool declared: no
        // reservation, no headroom)
        double idle = a.path("idle").path("cpus").asDouble();
        double expected = Math.max(0, 2 - Math.max(a.path("ownerLoad").path("cpus").asDouble(),
                a.path("ownerLoad").path("peakCpus").asDouble()));
        assertThat(idle).isCloseTo(expected, org.assertj.core.api.Assertions.within(0.01)); // stored together
        assertThat(api.get("/metrics").body()).contains("nightshift_agent_owner_load_cpus{agent=\"local-1\",pool=\"office\"}");
    }

    static JsonNode agent() {
        return api.json("/v1/agents").path("agents").get(0);
    }
}
