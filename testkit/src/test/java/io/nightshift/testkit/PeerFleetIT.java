package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.coordinator.CoordinatorSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 50 agent-protocol peers of one {@link PeerFleet} against a real coordinator with auth on: they join
 * with the join token, get their own credentials, heartbeat at the interval the coordinator names,
 * and run jobs (3 s no-ops) exactly once, spread over the peers.
 */
class PeerFleetIT {
    static final int PEERS = 50;
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static PeerFleet fleet;
    static Api api;

    @BeforeAll
    static void start() throws InterruptedException {
        cluster = LocalCluster.start(LocalCluster.testConfig(dir)
                .with(CoordinatorSettings.HEARTBEAT_INTERVAL, "PT0.3S")
                .with(CoordinatorSettings.HEARTBEAT_TIMEOUT, "PT5S"), 0);
        api = new Api(cluster);
        fleet = PeerFleet.start(PeerFleet.Options.of(PEERS, List.of(cluster.url()), cluster.agentToken(), null)
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).withStartRate(500).withTaskTime(Duration.ofSeconds(3)));
    }

    @AfterAll
    static void stop() {
        if (fleet != null) fleet.close();
        if (cluster != null) cluster.close();
    }

    @Test
    void peersRegisterWithCredentialsHeartbeatAndRunJobsExactlyOnce() {
        await().atMost(Duration.ofSeconds(20)).until(() -> fleet.registered() == PEERS);
        await().atMost(Duration.ofSeconds(10)).until(() -> activePeers().size() == PEERS);
        assertThat(fleet.credentialed()).isEqualTo(PEERS); // each was issued its own at its first registration

        // heartbeats keep them: silent for longer than the 5 s timeout, a peer would be LOST (and its channel closed)
        long registeredAt = System.nanoTime();
        await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).until(() -> true);
        assertThat(System.nanoTime() - registeredAt).isGreaterThan(Duration.ofSeconds(5).toNanos());
        assertThat(activePeers()).hasSize(PEERS);
        assertThat(fleet.registered()).isEqualTo(PEERS);

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(api.submit("{\"id\":\"fleet-" + i + "\",\"type\":\"command\",\"command\":{\"shell\":\"true\"},"
                    + "\"resources\":{\"cpus\":0.5,\"memMb\":64}}"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> api.jobState(id).equals("SUCCEEDED")));
        assertThat(fleet.launched()).isEqualTo(100);
        assertThat(fleet.finished()).isEqualTo(100);
        assertThat(fleet.duplicateLaunches()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> fleet.unacknowledged() == 0);
        // every attempt ran on a peer; each runs 3 s and 8 fit a peer (0.5 of 4 cpus): not all on one
        List<String> on = ids.stream().map(id -> api.task(id).path("attempts").get(0).path("agentId").asText()).toList();
        assertThat(on).allMatch(a -> a.startsWith("peer-"));
        assertThat(on.stream().distinct().count()).isGreaterThan(1);
    }

    static List<String> activePeers() {
        List<String> ids = new ArrayList<>();
        for (JsonNode a : api.json("/v1/agents").path("agents"))
            if (a.path("id").asText().startsWith("peer-") && a.path("status").asText().equals("ACTIVE")) ids.add(a.path("id").asText());
        return ids;
    }
}
