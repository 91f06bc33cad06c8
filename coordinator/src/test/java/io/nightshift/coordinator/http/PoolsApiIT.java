package io.nightshift.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.json.Json;
import io.nightshift.coordinator.Coordinator;
import io.nightshift.coordinator.TestCoordinators;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/pools} against a real coordinator: validated, stored durably, listed with their windows now. */
class PoolsApiIT {
    @TempDir
    static Path dir;
    static Coordinator coordinator;
    static final HttpClient http = HttpClient.newHttpClient();

    static final String OFFICE = """
            {"reservation":{"cpus":8,"memMb":16384},"headroom":{"cpuPercent":20,"memMb":4096},
             "windows":[{"name":"night","zone":"Europe/Amsterdam","ranges":[{"from":"22:00","to":"06:00"}]},
                        {"name":"weekend","zone":"Europe/Amsterdam","ranges":[{"from":"Sat 00:00","to":"Mon 06:00"}]}]}""";

    @BeforeAll
    static void start() {
        coordinator = TestCoordinators.start(dir);
    }

    @AfterAll
    static void stop() {
        if (coordinator != null) coordinator.close();
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(coordinator.url().resolve(path))
                .header("Authorization", "Bearer " + coordinator.adminToken());
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPoolIsCheckedStoredListedWithItsWindowsAndSurvivesARestart() throws Exception {
        HttpResponse<String> bad = send("PUT", "/v1/pools/office", OFFICE.replace("Europe/Amsterdam\",\"ranges\":[{\"from\":\"22",
                "Europe/Amsterdamm\",\"ranges\":[{\"from\":\"22"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problems = Json.mapper().readTree(bad.body()).path("problems");
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).path("path").asText()).isEqualTo("/windows/0/zone");
        assertThat(send("GET", "/v1/pools/office", null).statusCode()).isEqualTo(404); // nothing changed

        HttpResponse<String> created = send("PUT", "/v1/pools/office", OFFICE);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).hasValue("/v1/pools/office");
        assertThat(send("POST", "/v1/pools", OFFICE.replaceFirst("\\{", "{\"name\":\"office\",")).statusCode()).isEqualTo(409);

        JsonNode listed = Json.mapper().readTree(send("GET", "/v1/pools", null).body()).path("pools");
        assertThat(listed).hasSize(1);
        JsonNode office = listed.get(0);
        assertThat(office.path("spec").path("reservation").path("cpus").asDouble()).isEqualTo(8);
        assertThat(office.path("windows")).extracting(w -> w.path("name").asText()).containsExactly("night", "weekend");
        JsonNode night = office.path("windows").get(0);
        assertThat(night.path("opensAt").asText()).isNotEmpty();
        assertThat(java.time.Instant.parse(night.path("closesAt").asText())).isAfter(java.time.Instant.parse(night.path("opensAt").asText()));

        coordinator.close();
        coordinator = Coordinator.start(io.nightshift.coordinator.CoordinatorConfig.from(TestCoordinators.config(dir)));
        JsonNode again = Json.mapper().readTree(send("GET", "/v1/pools/office", null).body());
        assertThat(again.path("spec").path("windows").get(1).path("ranges").get(0).path("from").asText()).isEqualTo("Sat 00:00");
        assertThat(again.path("spec").path("headroom").path("cpuPercent").asDouble()).isEqualTo(20);

        assertThat(send("DELETE", "/v1/pools/office", null).statusCode()).isEqualTo(204);
        assertThat(send("DELETE", "/v1/pools/office", null).statusCode()).isEqualTo(404);
    }
}
