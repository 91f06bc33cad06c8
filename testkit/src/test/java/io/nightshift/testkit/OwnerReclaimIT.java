package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.agent.AgentSettings;
import io.nightshift.coordinator.CoordinatorSettings;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The owners of a real machine start a CPU burner that Nightshift did not start, in the cgroup the agent is
 * told holds the owners' services ({@code agent.owner-load.cgroup}; the machine's other load, such as
 * parallel builds, is not theirs): the revocable task in the pool's headroom is revoked within its grace
 * period of the owners' load first being reported above what leaves room for it, re-queued without a retry,
 * and runs again only once the burner is killed and the load is back down.
 */
class OwnerReclaimIT {
    static final Path CGROUP = Path.of("/sys/fs/cgroup");
    static final String GROUP = "nightshift-owners-it-" + UUID.randomUUID().toString().substring(0, 8);
    static final Duration GRACE = Duration.ofSeconds(5);

    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Api api;
    static final List<Path> groups = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        boolean v2 = Files.exists(CGROUP.resolve("cgroup.controllers"));
        List<Path> wanted = v2 ? List.of(CGROUP.resolve(GROUP))
                : List.of(CGROUP.resolve("cpuacct").resolve(GROUP), CGROUP.resolve("cpu").resolve(GROUP));
        Assumptions.assumeTrue(Files.isWritable(wanted.get(0).getParent()),
                "needs a writable cgroup hierarchy (root) to hold the owners' burner: " + wanted.get(0).getParent());
        for (Path g : wanted) groups.add(Files.createDirectories(g));
        // the owners' group weighs as much as four busy processes: the burner is not starved by the machine's other
        // work (parallel builds) and does not starve the agent either
        Path shares = groups.get(groups.size() - 1).resolve(v2 ? "cpu.weight" : "cpu.shares");
        if (Files.exists(shares)) Files.writeString(shares, v2 ? "400" : "4096");
        cluster = LocalCluster.start(LocalCluster.testConfig(dir)
                .with(CoordinatorSettings.HEARTBEAT_INTERVAL, "PT0.3S")
                .with(AgentSettings.OWNER_LOAD_INTERVAL, "PT0.3S")
                .with(AgentSettings.OWNER_LOAD_HALF_LIFE, "PT0.5S")
                .with(AgentSettings.OWNER_LOAD_PEAK_WINDOW, "PT2S")
                .with(AgentSettings.OWNER_LOAD_CGROUP, GROUP)
                .with(AgentSettings.POOL, "office")
                .with(AgentSettings.CPUS, "2")
                .with(AgentSettings.MEM_MB, "2048"), 1);
        api = new Api(cluster);
    }

    @AfterAll
    static void stop() throws IOException {
        killBurner();
        if (cluster != null) cluster.close();
        for (Path g : groups) Files.deleteIfExists(g);
    }

    @Test
    void aRevocableTaskIsRevokedWithinItsGraceWhenTheOwnersLoadRisesAndRunsAgainWhenItDrops() throws Exception {
        // keep 25 % of the 2 cpus (0.5) free above the owners' load: a 1-cpu task leaves room for owners up to 0.5 cpus
        HttpResponse<String> pool = api.send(api.request("/v1/pools/office").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"headroom\":{\"cpuPercent\":25,\"memMb\":0}}")).build());
        assertThat(pool.statusCode()).as(pool.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> !agent().path("ownerLoad").isMissingNode());
        assertThat(worst(agent())).isLessThan(0.5); // the owners' group is empty

        String line = "trap 'echo revoked; exit 143' TERM; echo started; while :; do sleep 0.2; done";
        String id = api.submit("{\"id\":\"batch\",\"type\":\"command\",\"command\":{\"shell\":" + io.nightshift.api.json.Json.write(line)
                + "},\"resources\":{\"cpus\":1,\"memMb\":64},\"revocable\":true,\"killGracePeriod\":\"" + GRACE + "\"}");
        await().atMost(Duration.ofSeconds(30)).alias("running; why pending: " + api.json("/v1/jobs/" + id).path("pending"))
                .until(() -> api.task(id).path("state").asText().equals("RUNNING"));

        try {
            startBurner();
            // the first report, as the coordinator recorded it (the heartbeat that carried it), of owners above the 0.5
            // cpus that leave room for the task
            AtomicReference<Instant> firstAbove = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                JsonNode a = agent();
                if (firstAbove.get() == null && worst(a) > 0.5)
                    firstAbove.set(Instant.parse(a.path("lastHeartbeat").asText()));
                return api.task(id).path("attempts").get(0).path("state").asText().equals("REVOKED");
            });
            JsonNode revoked = api.task(id).path("attempts").get(0);
            assertThat(firstAbove.get()).as("the owners' load was seen above the headroom before the revocation").isNotNull();
            Instant ended = Instant.parse(revoked.path("finishedAt").asText());
            assertThat(ended).isAfterOrEqualTo(firstAbove.get()).isBeforeOrEqualTo(firstAbove.get().plus(GRACE));
            assertThat(revoked.path("reason").asText()).isEqualTo("REVOKED");
            assertThat(api.log(id + ".r1.0", "stdout")).contains("started").contains("revoked");

            // re-queued, not failed, and held back while the owners need the machine
            await().atMost(Duration.ofSeconds(20)).until(() -> api.json("/v1/jobs/" + id).path("pending").toString().contains("cpus"));
            JsonNode task = api.task(id);
            assertThat(task.path("state").asText()).isEqualTo("PENDING");
            assertThat(task.path("attempts")).hasSize(1);
            assertThat(api.jobState(id)).isNotEqualTo("FAILED");
        } finally {
            killBurner();
        }
        Instant killed = Instant.now();
        await().atMost(Duration.ofSeconds(30)).until(() -> api.task(id).path("state").asText().equals("RUNNING"));
        JsonNode again = api.task(id).path("attempts").get(1);
        assertThat(again.path("number").asInt()).isEqualTo(2);
        assertThat(Instant.parse(again.path("launchedAt").asText())).isAfter(killed); // not while the owners were busy
        assertThat(worst(agent())).isLessThanOrEqualTo(0.5);
    }

    /** What the coordinator compares with the headroom: the worse of the owners' smoothed load and its recent peak. */
    static double worst(JsonNode agent) {
        JsonNode load = agent.path("ownerLoad");
        return Math.max(load.path("cpus").asDouble(), load.path("peakCpus").asDouble());
    }

    /** Two busy loops in the owners' group (the shell puts itself in before it forks them, so they are born there). */
    static void startBurner() throws IOException {
        StringBuilder join = new StringBuilder();
        for (Path g : groups) join.append("echo $$ > ").append(g.resolve("cgroup.procs")).append(" && ");
        new ProcessBuilder("sh", "-c", join + "{ while :; do :; done & while :; do :; done & wait; }")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> pids().size() >= 3);
    }

    /** SIGKILL to every process of the owners' group until it is empty. */
    static void killBurner() {
        if (groups.isEmpty()) return;
        // kill what is there on each poll (a dying loop's shell may still fork), until the group is empty
        await("the burner in " + groups.get(0) + " dies").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    List<Long> pids = pids();
                    pids.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
                    return pids.isEmpty();
                });
    }

    static List<Long> pids() {
        try {
            return Files.readAllLines(groups.get(0).resolve("cgroup.procs")).stream().filter(s -> !s.isBlank())
                    .map(Long::parseLong).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    static JsonNode agent() {
        return api.json("/v1/agents").path("agents").get(0);
    }
}
