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

    @Test
    void aFetchInterruptedByKill9ContinuesFromItsBytesOnDiskWithARangeRequest() throws Exception {
        Path served = java.nio.file.Files.createDirectories(dir.resolve("served"));
        byte[] body = new byte[6 << 20];
        new java.util.Random(11).nextBytes(body);
        java.nio.file.Files.write(served.resolve("data.bin"), body);
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
        try (ArtifactHttpServer http = ArtifactHttpServer.start(served).throttle(1 << 20)) { // 6 s for the whole
            cluster = LocalCluster.forTest(dir, 0);
            Api api = new Api(cluster);
            Path work = dir.resolve("worker");
            agent = AgentProcess.start(cluster, "worker", work, "--cpus", "4", "--mem-mb", "4096");
            await().atMost(Duration.ofSeconds(60)).until(() -> api.json("/v1/agents").path("agents").size() == 1);
            api.submit("{\"id\":\"resumed\",\"type\":\"command\",\"command\":{\"shell\":\"test $(wc -c < data.bin) -eq "
                    + body.length + "\"},\"resources\":{\"cpus\":0.1,\"memMb\":32},\"artifacts\":[{\"uri\":\""
                    + http.url("data.bin") + "\",\"sha256\":\"" + sha + "\"}]}");
            // caught in the middle: the API shows the bytes done (reported every 2 s)
            await().atMost(Duration.ofSeconds(60)).until(() -> api.task("resumed").path("attempts").path(0).path("fetch")
                    .path("bytesDone").asLong() >= (1 << 20));

            agent.killHard();
            agent = AgentProcess.start(cluster, "worker", work, "--cpus", "4", "--mem-mb", "4096");
            await().atMost(Duration.ofSeconds(90)).until(() -> api.jobState("resumed").matches("SUCCEEDED|FAILED|KILLED"));

            assertThat(api.jobState("resumed")).isEqualTo("SUCCEEDED");
            assertThat(api.task("resumed").path("attempts")).as("resumed, not LOST and retried").hasSize(1);
            assertThat(http.rangeStarts()).as("the restarted agent asked for the rest only").isNotEmpty()
                    .allSatisfy(from -> assertThat(from).isGreaterThanOrEqualTo(512 * 1024L));
            assertThat(http.gets()).as("one GET before the kill, one Range GET after").isEqualTo(2);
        }
    }
}
