package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.agent.AgentSettings;
import io.nightshift.coordinator.CoordinatorSettings;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A window closes while a revocable task runs on lent capacity: the coordinator's clock is moved to one
 * minute before the night ends (the agent keeps real time), and the task is revoked before the window's
 * end, sees its revoke deadline, comes back PENDING without using a retry, and waits for the next night.
 */
class WindowReclaimIT {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Api api;
    static final MovableClock clock = new MovableClock();

    /** Real time plus an offset the test sets. */
    static final class MovableClock extends Clock {
        volatile Duration offset = Duration.ZERO;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }

        void set(Instant now) {
            offset = Duration.between(Instant.now(), now);
        }
    }

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.testConfig(dir)
                .with(CoordinatorSettings.HEARTBEAT_INTERVAL, "PT0.3S")
                .with(AgentSettings.OWNER_LOAD_INTERVAL, "PT0.3S")
                .with(AgentSettings.POOL, "office")
                .with(AgentSettings.CPUS, "16")
                .with(AgentSettings.MEM_MB, "262144"), 1, clock); // the machine's real owners (other builds) use memory too
        api = new Api(cluster);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void aRevocableTaskIsRevokedBeforeItsWindowClosesAndWaitsForTheNextOne() throws Exception {
        // the owners keep all 16 cpus by day and lend them at night, 22:00-06:00 UTC
        HttpResponse<String> pool = api.send(api.request("/v1/pools/office").header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("""
                        {"reservation":{"cpus":16,"memMb":1024},
                         "windows":[{"name":"night","zone":"UTC","ranges":[{"from":"22:00","to":"06:00"}]}]}""")).build());
        assertThat(pool.statusCode()).as(pool.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> !api.json("/v1/agents").path("agents").get(0).path("ownerLoad").isMissingNode());

        clock.set(Instant.parse("2026-01-15T05:59:00Z")); // a minute before the night ends; reclaim starts 30 s before
        String line = "trap 'echo revoked; cat \"$NIGHTSHIFT_REVOKE_DEADLINE_FILE\"; exit 143' TERM; echo started; "
                + "while :; do sleep 0.2; done";
        String id = api.submit("{\"id\":\"nightly\",\"type\":\"command\",\"command\":{\"shell\":" + io.nightshift.api.json.Json.write(line)
                + "},\"resources\":{\"cpus\":1,\"memMb\":64},\"revocable\":true,\"window\":\"night\",\"maxRuntime\":\"PT45S\","
                + "\"killGracePeriod\":\"PT5S\"}");
        await().atMost(Duration.ofSeconds(20)).alias("running; why pending: " + api.json("/v1/jobs/" + id).path("pending"))
                .until(() -> api.task(id).path("state").asText().equals("RUNNING"));

        await().atMost(Duration.ofSeconds(60)).until(() -> api.task(id).path("attempts").get(0).path("state").asText().equals("REVOKED"));
        assertThat(clock.instant()).isBefore(Instant.parse("2026-01-15T06:00:00Z").plusSeconds(5)); // reclaimed in time
        JsonNode task = api.task(id);
        assertThat(task.path("state").asText()).isEqualTo("PENDING");
        assertThat(task.path("attempts").get(0).path("reason").asText()).isEqualTo("REVOKED");
        assertThat(api.jobState(id)).isNotEqualTo("FAILED");
        assertThat(api.log(id + ".r1.0", "stdout")).contains("started").contains("revoked").contains("NIGHTSHIFT_REVOKE_DEADLINE=");

        // the night is over: the task waits for the next one, and why-pending says when that is
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode d = api.json("/v1/jobs/" + id);
            return d.path("pending").path("reasons").toString().contains("window.");
        });
        JsonNode detail = api.json("/v1/jobs/" + id);
        assertThat(detail.toString()).contains("2026-01-15T22:00:00Z");
        assertThat(task.path("attempts")).hasSize(1);
    }
}
