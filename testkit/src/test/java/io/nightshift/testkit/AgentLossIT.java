package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.agent.AgentSettings;
import io.nightshift.coordinator.CoordinatorSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent in its own process dies (kill -9): its tasks become LOST and run again on another agent. */
class AgentLossIT {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static AgentProcess doomed;
    static Api api;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.testConfig(dir)
                .with(CoordinatorSettings.HEARTBEAT_INTERVAL, "PT0.3S")
                .with(CoordinatorSettings.HEARTBEAT_TIMEOUT, "PT2S")
                .with(AgentSettings.CPUS, "4")
                .with(AgentSettings.MEM_MB, "4096"), 0);
        api = new Api(cluster);
    }

    @AfterAll
    static void stop() {
        if (doomed != null) doomed.killHard();
        if (cluster != null) cluster.close();
        Procs.killAll("NIGHTSHIFT_SANDBOX=" + dir); // the killed agent was never restarted: its task is orphaned on purpose
    }

    @Test
    void tasksOfAKilledAgentAreLostAndRescheduledOnAnotherAgent() {
        doomed = AgentProcess.start(cluster, "doomed", dir.resolve("doomed"), "--cpus", "4", "--mem-mb", "4096");
        await().atMost(Duration.ofSeconds(60)).until(() -> agentStatus("doomed").equals("ACTIVE"));

        // the first attempt blocks forever; a later one finishes at once
        String line = "if [ \"${NIGHTSHIFT_ATTEMPT_ID##*.}\" = 1 ]; then echo first; sleep 600; fi; echo again on $NIGHTSHIFT_SANDBOX";
        String id = api.submit("{\"id\":\"survivor\",\"type\":\"command\",\"command\":{\"shell\":" + io.nightshift.api.json.Json.write(line)
                + "},\"resources\":{\"cpus\":1,\"memMb\":64},\"retries\":{\"max\":2,\"backoff\":{\"initial\":\"PT0S\",\"max\":\"PT1S\"}}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> api.task(id).path("state").asText().equals("RUNNING"));
        assertThat(api.task(id).path("attempts").get(0).path("agentId").asText()).isEqualTo("doomed");

        cluster.addAgent(); // somewhere to go
        doomed.killHard();

        await().atMost(Duration.ofSeconds(30)).until(() -> api.jobState(id).equals("SUCCEEDED"));
        JsonNode attempts = api.task(id).path("attempts");
        assertThat(attempts.get(0).path("state").asText()).isEqualTo("LOST");
        assertThat(attempts.get(0).path("reason").asText()).isEqualTo("AGENT_LOST");
        assertThat(attempts.get(1).path("agentId").asText()).isEqualTo("local-1");
        assertThat(attempts.get(1).path("state").asText()).isEqualTo("FINISHED");
        assertThat(agentStatus("doomed")).isEqualTo("LOST");
        assertThat(api.log(id + ".r1.0", "stdout")).startsWith("again on");
    }

    static String agentStatus(String id) {
        for (JsonNode a : api.json("/v1/agents").path("agents")) if (a.path("id").asText().equals(id)) return a.path("status").asText();
        return "";
    }
}
