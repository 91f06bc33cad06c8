package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.json.Json;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real coordinator and an agent in its own JVM: kill -9 of the agent while tasks run, then the
 * agent again on the same work directory. Its tasks were never stopped: they are re-attached and
 * finish with their real exit codes, one attempt each; one that ended while the agent was down too.
 */
class AgentRestartClusterIT {
    @TempDir
    Path dir;
    LocalCluster cluster;
    AgentProcess agent;

    @AfterEach
    void stop() {
        if (agent != null) agent.killHard();
        if (cluster != null) cluster.close();
        Procs.killAll("NIGHTSHIFT_SANDBOX=" + dir);
    }

    static String job(String id, String line) {
        return "{\"id\":\"" + id + "\",\"type\":\"command\",\"command\":{\"shell\":" + Json.write(line)
                + "},\"resources\":{\"cpus\":0.1,\"memMb\":32}}";
    }

    @Test
    void aRestartedAgentReattachesItsRunningTasksAndReportsTheirRealExitCodes() {
        cluster = LocalCluster.forTest(dir, 0);
        Api api = new Api(cluster);
        Path work = dir.resolve("worker");
        agent = AgentProcess.start(cluster, "worker", work, "--cpus", "4", "--mem-mb", "4096");
        await().atMost(Duration.ofSeconds(60)).until(() -> api.json("/v1/agents").path("agents").size() == 1
                && api.json("/v1/agents").path("agents").get(0).path("status").asText().equals("ACTIVE"));

        api.submit(job("outlives", "echo before; sleep 6; echo after; exit 5"));
        api.submit(job("ends-meanwhile", "sleep 2; exit 7"));
        await().atMost(Duration.ofSeconds(20)).until(() -> api.jobState("outlives").equals("RUNNING")
                && api.jobState("ends-meanwhile").equals("RUNNING"));

        agent.killHard();
        assertThat(Procs.withEnv("NIGHTSHIFT_TASK_ID=outlives.r1.0")).as("the task outlives its agent").isNotEmpty();
        await().atMost(Duration.ofSeconds(20)).until(() -> Procs.withEnv("NIGHTSHIFT_TASK_ID=ends-meanwhile.r1.0").isEmpty());

        agent = AgentProcess.start(cluster, "worker", work, "--cpus", "4", "--mem-mb", "4096");
        await().atMost(Duration.ofSeconds(60)).until(() -> api.jobState("outlives").equals("FAILED")
                && api.jobState("ends-meanwhile").equals("FAILED"));
        for (String id : new String[] {"outlives", "ends-meanwhile"}) {
            JsonNode attempts = api.task(id).path("attempts");
            assertThat(attempts).as(id + ": re-attached, not run again").hasSize(1);
        }
        assertThat(api.task("outlives").path("attempts").get(0).path("exitCode").asInt()).isEqualTo(5);
        assertThat(api.task("ends-meanwhile").path("attempts").get(0).path("exitCode").asInt()).isEqualTo(7);
        assertThat(api.log("outlives.r1.0", "stdout")).isEqualTo("before\nafter\n");
    }
}
