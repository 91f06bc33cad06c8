package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nightshift.coordinator.SecuritySettings;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One client cannot stall the coordinator: a token submits at most its burst, then its rate (429 with
 * Retry-After); a queue holds at most its cap of waiting jobs (429 naming both); connections over the cap
 * are closed at once; a connection that says nothing is closed after the idle timeout. No agents, so
 * submitted jobs stay QUEUED.
 */
class AbuseLimitsIT {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Api admin;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.testConfig(dir)
                .with(SecuritySettings.SUBMIT_RATE, "0.01").with(SecuritySettings.SUBMIT_BURST, "4")
                .with(SecuritySettings.MAX_QUEUED, "2")
                .with(SecuritySettings.MAX_CONNECTIONS, "6").with(SecuritySettings.IDLE_TIMEOUT, "PT3S"), 0);
        admin = new Api(cluster);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    static String job(String id, String queue) {
        return "{\"id\":\"" + id + "\",\"queue\":\"" + queue + "\",\"type\":\"command\",\"command\":{\"shell\":\"true\"}}";
    }

    @Test
    void aTokenIsHeldToItsRateAndAQueueToItsCapOfWaitingJobs() {
        Api alice = new Api(cluster.url(), Api.tree(admin.post("/v1/tokens",
                "{\"subject\":\"alice\",\"roles\":[\"submit:*\",\"read\"]}").body()).path("token").asText());
        assertThat(alice.post("/v1/jobs", job("q1", "default")).statusCode()).isEqualTo(201);
        assertThat(alice.post("/v1/jobs", job("q2", "default")).statusCode()).isEqualTo(201);

        HttpResponse<String> full = alice.post("/v1/jobs", job("q3", "default"));
        assertThat(full.statusCode()).isEqualTo(429);
        assertThat(full.headers().firstValue("Retry-After")).isPresent();
        assertThat(full.body()).contains("queue-full").contains("queue 'default'").contains("cap of 2");
        assertThat(admin.get("/v1/jobs/q3").statusCode()).as("a refused job is not stored").isEqualTo(404);
        assertThat(alice.post("/v1/jobs", job("q1", "default")).statusCode()).as("resubmitting an accepted job is no new job")
                .isEqualTo(200);

        HttpResponse<String> limited = alice.post("/v1/jobs", job("q4", "default")); // the 5th submission of a burst of 4
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).contains("rate-limited").contains("0.01 jobs per second").contains("bursts of 4");
        assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 100L);

        assertThat(admin.post("/v1/jobs", job("other-token", "default")).body()).as("another token has its own bucket")
                .doesNotContain("rate-limited");
    }

    @Test
    void connectionsOverTheCapGet503AndSilentOnesAreClosedAfterTheIdleTimeout() throws Exception {
        List<java.net.http.HttpClient> clients = new ArrayList<>();
        Socket silent = new Socket(cluster.url().getHost(), cluster.url().getPort()); // never sends a request
        try {
            // Each client keeps its own connection open; the cap is 6 (the test's admin client holds one too).
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                java.net.http.HttpClient c = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
                clients.add(c);
                HttpResponse<String> r = c.send(java.net.http.HttpRequest.newBuilder(cluster.url().resolve("/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                statuses.add(r.statusCode());
                if (r.statusCode() == 503) {
                    assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
                    assertThat(r.body()).contains("at most 6 connections");
                }
            }
            // The other test's clients may hold connections too: served ones first, then refused ones, never mixed.
            assertThat(statuses).as("the first connections are served, those over the cap are refused")
                    .startsWith(200, 200).endsWith(503, 503).containsOnly(200, 503);
            assertThat(statuses.subList(statuses.indexOf(503), statuses.size())).containsOnly(503);
            silent.setSoTimeout(30_000);
            await().atMost(Duration.ofSeconds(30)).until(() -> closedWithin(silent));
        } finally {
            silent.close();
            clients.clear(); // (HttpClient has no close() on JDK 17: the server's idle timeout closes their connections)
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> admin.get("/health").statusCode() == 200);
    }

    /** True when the peer closed {@code s} (read ends) before the socket's timeout. */
    static boolean closedWithin(Socket s) {
        try {
            InputStream in = s.getInputStream();
            return in.read() == -1;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.io.IOException e) {
            return true; // reset
        }
    }
}
