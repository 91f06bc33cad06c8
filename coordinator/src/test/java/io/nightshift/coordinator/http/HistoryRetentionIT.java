package io.nightshift.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nightshift.coordinator.Coordinator;
import io.nightshift.coordinator.CoordinatorConfig;
import io.nightshift.coordinator.CoordinatorSettings;
import io.nightshift.coordinator.TestCoordinators;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finished jobs past their retention are deleted (store and maps); live jobs stay. */
class HistoryRetentionIT {
    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void finishedJobsAreDeletedAfterTheRetentionAndLiveOnesStay() throws Exception {
        try (Coordinator c = Coordinator.start(CoordinatorConfig.from(TestCoordinators.config(dir)
                .with(CoordinatorSettings.HISTORY_RETENTION, "PT1S")
                .with(CoordinatorSettings.HISTORY_COMPACT_INTERVAL, "PT0.2S")))) {
            String spec = "{\"id\":\"%s\",\"type\":\"command\",\"command\":{\"argv\":[\"true\"]}}";
            for (String id : new String[] {"old", "live"}) {
                assertThat(send(HttpRequest.newBuilder(c.url().resolve("/v1/jobs")).header("Authorization", "Bearer " + c.adminToken()).header("Content-Type", "application/json")
                        .header("Idempotency-Key", "key-" + id)
                        .POST(HttpRequest.BodyPublishers.ofString(spec.formatted(id)))).statusCode()).isEqualTo(201);
            }
            // no agent: "old" is killed while pending, so it ends at once; "live" waits
            assertThat(send(HttpRequest.newBuilder(c.url().resolve("/v1/jobs/old")).header("Authorization", "Bearer " + c.adminToken()).DELETE()).statusCode()).isEqualTo(202);
            assertThat(send(HttpRequest.newBuilder(c.url().resolve("/v1/jobs/old")).header("Authorization", "Bearer " + c.adminToken()).GET()).body()).contains("\"KILLED\"");

            await().atMost(Duration.ofSeconds(20)).until(() ->
                    send(HttpRequest.newBuilder(c.url().resolve("/v1/jobs/old")).header("Authorization", "Bearer " + c.adminToken()).GET()).statusCode() == 404);
            assertThat(send(HttpRequest.newBuilder(c.url().resolve("/v1/jobs")).header("Authorization", "Bearer " + c.adminToken()).GET()).body())
                    .doesNotContain("\"old\"").contains("\"live\"");
            assertThat(send(HttpRequest.newBuilder(c.url().resolve("/v1/jobs/live")).header("Authorization", "Bearer " + c.adminToken()).GET()).statusCode()).isEqualTo(200);
            // the idempotency key went with the job: the same key now makes a new job
            assertThat(send(HttpRequest.newBuilder(c.url().resolve("/v1/jobs")).header("Authorization", "Bearer " + c.adminToken()).header("Content-Type", "application/json")
                    .header("Idempotency-Key", "key-old")
                    .POST(HttpRequest.BodyPublishers.ofString(spec.formatted("old")))).statusCode()).isEqualTo(201);
        }
    }
}
