package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nightshift.agent.Agent;
import io.nightshift.agent.AgentConfig;
import io.nightshift.agent.AgentSettings;
import io.nightshift.api.config.Config;
import io.nightshift.api.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two coordinators (one Hazelcast cluster, one durable store) and an agent that knows both: kill -9
 * of the leader under load, the other takes over, the agent follows, nothing is lost or run twice;
 * the old leader, restarted, joins as a follower.
 */
class FailoverIT {
    @TempDir
    Path dir;
    final List<CoordinatorProcess> coordinators = new ArrayList<>();
    Agent agent;

    @AfterEach
    void stop() {
        if (agent != null) agent.stop(true);
        coordinators.forEach(CoordinatorProcess::close);
        Procs.killAll("NIGHTSHIFT_SANDBOX=" + dir);
    }

    CoordinatorProcess start(String name, int port, int hzPort, int otherHzPort, String cluster) {
        CoordinatorProcess c = CoordinatorProcess.start(dir.resolve(name + ".log"), "--port", Integer.toString(port),
                "--data-dir", dir.resolve("shared-state").toString(), "--cluster-name", cluster,
                "--hazelcast.port", Integer.toString(hzPort), "--hazelcast.members", "127.0.0.1:" + otherHzPort,
                "--agent.heartbeat-timeout", "PT30S", "--state.sqlite-synchronous", "NORMAL");
        coordinators.add(c);
        return c;
    }

    static String role(Api api) {
        try {
            return api.json("/health").path("role").asText();
        } catch (AssertionError down) {
            return "down";
        }
    }

    @Test
    void theFollowerTakesOverWhenTheLeaderIsKilledAndNothingIsLostOrRunTwice() throws Exception {
        String cluster = "failover-" + UUID.randomUUID().toString().substring(0, 8);
        int portA = CoordinatorProcess.freePort(), portB = CoordinatorProcess.freePort();
        int hzA = CoordinatorProcess.freePort(), hzB = CoordinatorProcess.freePort();
        CoordinatorProcess a = start("a", portA, hzA, hzB, cluster);
        Api apiA = new Api(a);
        await().atMost(Duration.ofSeconds(60)).until(() -> role(apiA).equals("leader"));
        CoordinatorProcess b = start("b", portB, hzB, hzA, cluster);
        Api apiB = new Api(b);
        await().atMost(Duration.ofSeconds(60)).until(() -> role(apiB).equals("follower"));

        agent = Agent.start(AgentConfig.from(Config.defaults(AgentSettings.ALL)
                .with(AgentSettings.COORDINATOR, a.url() + "," + b.url())
                .with(AgentSettings.TOKEN, a.adminToken())
                .with(AgentSettings.ID, "failover-agent")
                .with(AgentSettings.WORK_DIR, dir.resolve("agent").toString())
                .with(AgentSettings.CPUS, "16").with(AgentSettings.MEM_MB, "16384")
                .with(AgentSettings.RECONNECT_INITIAL_BACKOFF, "PT0.1S")
                .with(AgentSettings.RECONNECT_MAX_BACKOFF, "PT1S")));
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.connected());

        Path launches = Files.createDirectories(dir.resolve("launches"));
        String line = Json.write("echo $NIGHTSHIFT_ATTEMPT_ID >> " + launches + "/$NIGHTSHIFT_TASK_ID; sleep 4");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) { // half through the follower, which forwards writes to the leader
            Api via = i % 2 == 0 ? apiA : apiB;
            ids.add(via.submit("{\"id\":\"fo-" + i + "\",\"type\":\"command\",\"command\":{\"shell\":" + line
                    + "},\"resources\":{\"cpus\":0.1,\"memMb\":16}}"));
        }
        // kill the leader while tasks run (the last one submitted has started; earlier ones may have ended)
        await().atMost(Duration.ofSeconds(30)).until(() -> !apiA.jobState("fo-29").equals("QUEUED"));

        long killedAt = System.nanoTime();
        a.killHard();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> role(apiB).equals("leader"));
        Duration failover = Duration.ofNanos(System.nanoTime() - killedAt);
        System.out.println("FAILOVER leader kill -9 -> follower leads: " + failover.toMillis() + " ms");

        for (int i = 30; i < 40; i++)
            ids.add(apiB.submit("{\"id\":\"fo-" + i + "\",\"type\":\"command\",\"command\":{\"shell\":" + line
                    + "},\"resources\":{\"cpus\":0.1,\"memMb\":16}}"));
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> ids.stream().allMatch(id -> apiB.jobState(id).equals("SUCCEEDED")));
        for (String id : ids) {
            List<String> runs = Files.readAllLines(launches.resolve(id + ".r1.0"));
            assertThat(runs).as("launches of %s", id).hasSize(1);
        }
        assertThat(agent.registeredWith()).isEqualTo(b.url());

        CoordinatorProcess again = start("a-again", portA, hzA, hzB, cluster);
        Api apiAgain = new Api(again);
        await().atMost(Duration.ofSeconds(60)).until(() -> role(apiAgain).equals("follower"));
        assertThat(apiAgain.json("/health").path("leader").asText()).isEqualTo(b.url().toString());
        assertThat(apiAgain.jobState("fo-39")).isEqualTo("SUCCEEDED"); // a detail forwarded to the leader
    }
}
