package io.nightshift.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.config.Config;
import io.nightshift.api.json.Json;
import io.nightshift.coordinator.state.jdbc.Database;
import io.nightshift.coordinator.state.jdbc.TestPostgres;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader that sees a newer epoch, or cannot renew its lease in the store, steps down at once; a
 * coordinator cut off from the store answers writes with 503; coordinators on different stores never form
 * one cluster. Real PostgreSQL, real coordinators; the store is cut by closing the TCP connections to it.
 */
class LeaderStepDownIT {
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static TestPostgres postgres;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() {
        postgres = TestPostgres.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) postgres.close();
    }

    static Config onPostgres(Path dataDir, String jdbcUrl) {
        return TestCoordinators.config(dataDir)
                .with(CoordinatorSettings.JDBC_URL, jdbcUrl)
                .with(CoordinatorSettings.JDBC_USER, TestPostgres.USER)
                .with(LeadershipSettings.LEASE, "PT1.5S")
                .with(LeadershipSettings.RENEW_INTERVAL, "PT0.2S");
    }

    static HttpResponse<String> submit(Coordinator c, String token, String id) throws Exception {
        String spec = "{\"id\":\"" + id + "\",\"type\":\"command\",\"command\":{\"shell\":\"true\"},\"resources\":{\"cpus\":0.1,\"memMb\":16}}";
        return http.send(HttpRequest.newBuilder(URI.create(c.url() + "/v1/jobs")).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(spec)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode health(Coordinator c) throws Exception {
        return Json.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create(c.url() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void aLeaderThatSeesANewerEpochStepsDownAtOnceAndAnswersWritesWith503() throws Exception {
        String url = postgres.newDatabase();
        try (Coordinator leader = Coordinator.start(CoordinatorConfig.from(onPostgres(dir.resolve("a"), url)));
             Database intruder = Database.open(url, TestPostgres.USER, "", dir.resolve("intruder"))) {
            assertThat(leader.isLeader()).isTrue();
            String token = leader.adminToken();
            assertThat(submit(leader, token, "before").statusCode()).isEqualTo(201);

            long newer = intruder.acquireEpoch("another-coordinator", Instant.now());
            String why = leader.steppedDown().get(5, TimeUnit.SECONDS); // within a renewal or two, not a lease
            assertThat(why).contains("newer epoch").contains(Long.toString(newer));
            assertThat(leader.isLeader()).isFalse();
            assertThat(health(leader).path("role").asText()).isEqualTo("stepped-down");

            HttpResponse<String> refused = submit(leader, token, "after");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(Json.mapper().readTree(refused.body()).path("type").asText()).isEqualTo("urn:nightshift:problem:stepped-down");
            assertThat(intruder.currentEpoch()).as("the old leader took no epoch back").isEqualTo(newer);
            // the store's record: epoch 1 acted at the leader's URL until it stepped down; the intruder's never acted
            await().atMost(Duration.ofSeconds(10)).until(() -> intruder.epochs().get(0).ended() != null);
            List<Database.EpochRecord> epochs = intruder.epochs();
            assertThat(epochs).extracting(Database.EpochRecord::epoch).containsExactly(1L, newer);
            assertThat(epochs.get(0).acting()).isNotNull().isAfterOrEqualTo(epochs.get(0).taken());
            assertThat(epochs.get(0).url()).isEqualTo(leader.url().toString());
            assertThat(epochs.get(0).ended()).isAfterOrEqualTo(epochs.get(0).acting());
            assertThat(epochs.get(0).why()).contains("newer epoch");
            assertThat(epochs.get(1).holder()).isEqualTo("another-coordinator");
            assertThat(epochs.get(1).acting()).isNull();
        }
    }

    @Test
    void aLeaderCutOffFromTheStoreRefusesWritesThenStepsDownAndLeadsAgainOnceRestartedAfterTheCutHeals() throws Exception {
        String url = postgres.newDatabase();
        URI direct = URI.create(url.substring("jdbc:".length()));
        try (CuttableRelay relay = new CuttableRelay(new InetSocketAddress("127.0.0.1", direct.getPort()))) {
            String viaRelay = "jdbc:postgresql://127.0.0.1:" + relay.port() + direct.getPath();
            CoordinatorConfig cfg = CoordinatorConfig.from(onPostgres(dir.resolve("a"), viaRelay));
            AtomicReference<Coordinator> current = new AtomicReference<>(Coordinator.start(cfg));
            CompletableFuture<Void> stopping = new CompletableFuture<>();
            Thread supervisor = new Thread(() -> {
                try {
                    CoordinatorMain.supervise(cfg, current, stopping);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "test-supervisor");
            supervisor.start();
            try {
                Coordinator first = current.get();
                assertThat(first.isLeader()).isTrue();
                String token = first.adminToken();
                CompletableFuture<String> steppedDown = first.steppedDown();

                relay.cut();
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                        .until(() -> !health(first).path("store").asText().equals("reachable"));
                if (!steppedDown.isDone()) { // the lease (1.5 s) may not have run out yet: writes are refused all the same
                    HttpResponse<String> refused = submit(first, token, "while-cut");
                    assertThat(refused.statusCode()).isEqualTo(503);
                    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
                    assertThat(Json.mapper().readTree(refused.body()).path("type").asText())
                            .isIn("urn:nightshift:problem:store-unavailable", "urn:nightshift:problem:stepped-down");
                }
                assertThat(steppedDown.get(10, TimeUnit.SECONDS)).contains("could not renew its lease");

                relay.heal();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> current.get() != first && current.get().isLeader());
                Coordinator again = current.get();
                assertThat(submit(again, token, "after-heal").statusCode()).isEqualTo(201);
                try (Database db = Database.open(url, TestPostgres.USER, "", dir.resolve("check"))) {
                    assertThat(db.currentEpoch()).as("the restarted coordinator leads with a newer epoch").isGreaterThanOrEqualTo(2);
                    List<Database.EpochRecord> epochs = db.epochs();
                    assertThat(epochs.get(0).acting()).as("epoch 1 acted").isNotNull();
                    Database.EpochRecord last = epochs.get(epochs.size() - 1);
                    assertThat(last.epoch()).isEqualTo(db.currentEpoch());
                    assertThat(last.acting()).as("the new leader's epoch acts").isNotNull().isAfter(epochs.get(0).acting());
                    assertThat(last.url()).isEqualTo(again.url().toString());
                }
            } finally {
                stopping.complete(null);
                supervisor.join(60_000);
            }
        }
    }

    @Test
    void aCoordinatorOnAnotherSqliteFileCannotJoinTheCluster() throws Exception {
        int hzA = freePort(), hzB = freePort();
        Config a = TestCoordinators.config(dir.resolve("a"))
                .with(CoordinatorSettings.HAZELCAST_PORT, Integer.toString(hzA))
                .with(CoordinatorSettings.HAZELCAST_MEMBERS, "127.0.0.1:" + hzA); // tcp-ip as the joiner uses, alone
        try (Coordinator first = Coordinator.start(CoordinatorConfig.from(a))) {
            Config b = TestCoordinators.config(dir.resolve("b"))
                    .with(CoordinatorSettings.CLUSTER_NAME, first.config().clusterName())
                    .with(CoordinatorSettings.HAZELCAST_PORT, Integer.toString(hzB))
                    .with(CoordinatorSettings.HAZELCAST_MEMBERS, "127.0.0.1:" + first.hazelcastAddress().getPort());
            assertThatThrownBy(() -> Coordinator.start(CoordinatorConfig.from(b)).close())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not the one of the coordinators it joined")
                    .hasMessageContaining("sqlite:");
            assertThat(first.isLeader()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> first.memberCount() == 1);
        }
    }

    static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
