package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A secret stored by an admin and named in a job's spec reaches the task's environment, and nothing
 * else: not the API's answers (job, list, secrets, events, metrics, agents), not a log line of the
 * coordinator or the agent (all at DEBUG), not a file of the data directories, except the task's own
 * stdout, where the task printed it. Secret-looking env values and kafka passwords read {@code ***}.
 */
class SecretsIT {
    static final String SECRET = "pa55-" + java.util.UUID.randomUUID();
    static final String ENV_TOKEN = "envtok-" + java.util.UUID.randomUUID();
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Api admin;
    static ListAppender<ILoggingEvent> logs = new ListAppender<>();
    static Logger nightshiftLog = (Logger) LoggerFactory.getLogger("io.nightshift");
    static Level before;

    @BeforeAll
    static void start() {
        before = nightshiftLog.getLevel();
        nightshiftLog.setLevel(Level.DEBUG);
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        cluster = LocalCluster.forTest(dir, 1);
        admin = new Api(cluster);
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        nightshiftLog.setLevel(before);
        if (cluster != null) cluster.close();
        Procs.killAll("NIGHTSHIFT_SANDBOX=" + dir);
    }

    static HttpResponse<String> put(String path, String json) {
        return admin.send(admin.request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    @Test
    void aSecretReachesTheTaskOnlyAndIsNowhereElse() throws Exception {
        List<String> answers = new ArrayList<>();
        HttpResponse<String> stored = put("/v1/secrets/db-pass", "{\"value\":\"" + SECRET + "\",\"queues\":[\"default\"]}");
        assertThat(stored.statusCode()).isEqualTo(201);
        answers.add(stored.body());
        assertThat(put("/v1/secrets/db-pass", "{\"value\":\"" + SECRET + "\",\"queues\":[\"default\"]}").statusCode())
                .as("replacing").isEqualTo(200);

        // The task prints the value to its own stdout (that proves it got it) and checks it is in no file of its sandbox.
        HttpResponse<String> submitted = admin.post("/v1/jobs", "{\"id\":\"uses-secret\",\"type\":\"command\","
                + "\"command\":{\"shell\":\"echo \\\"got $DB_PASSWORD\\\"; if grep -rqF \\\"$DB_PASSWORD\\\" --exclude=stdout . ; then exit 3; fi\"},"
                + "\"env\":{\"SERVICE_TOKEN\":\"" + ENV_TOKEN + "\",\"REGION\":\"eu\"},"
                + "\"secrets\":{\"DB_PASSWORD\":\"db-pass\"},\"resources\":{\"cpus\":0.1,\"memMb\":32}}");
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
        answers.add(submitted.body());
        await().atMost(Duration.ofSeconds(60)).until(() -> Stream.of("SUCCEEDED", "FAILED")
                .anyMatch(admin.jobState("uses-secret")::equals));
        JsonNode detail = admin.json("/v1/jobs/uses-secret");
        assertThat(detail.path("job").path("state").asText()).as(detail.toString()).isEqualTo("SUCCEEDED");
        String taskId = detail.path("runs").get(0).path("tasks").get(0).path("id").asText();
        assertThat(admin.log(taskId, "stdout")).as("the task got the value in its environment").contains("got " + SECRET);

        JsonNode spec = detail.path("job").path("spec");
        assertThat(spec.path("secrets").path("DB_PASSWORD").asText()).isEqualTo("db-pass");
        assertThat(spec.path("env").path("SERVICE_TOKEN").asText()).isEqualTo("***");
        assertThat(spec.path("env").path("REGION").asText()).isEqualTo("eu");

        answers.add(detail.toString());
        answers.add(admin.get("/v1/jobs").body());
        answers.add(admin.get("/v1/secrets").body());
        answers.add(admin.get("/v1/agents").body());
        answers.add(admin.get("/metrics").body());
        answers.add(admin.log(taskId, "stderr"));
        answers.add(String.join("\n", CoordinatorRestartIT.readEvents(admin, "0", ev -> ev.stream().anyMatch(e ->
                e.path("id").asText().equals("uses-secret") && e.path("state").asText().equals("SUCCEEDED")))
                .stream().map(JsonNode::toString).toList()));
        assertThat(answers).allSatisfy(a -> assertThat(a).doesNotContain(SECRET).doesNotContain(ENV_TOKEN));

        List<String> lines = logs.list.stream().map(e -> e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage())).toList();
        assertThat(lines).as("log lines were captured").anyMatch(l -> l.contains("uses-secret"));
        assertThat(lines).noneMatch(l -> l.contains(SECRET));

        byte[] needle = SECRET.getBytes(StandardCharsets.UTF_8);
        List<Path> holding = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (f.getFileName().toString().equals("stdout")) continue; // the task printed it there itself
                if (indexOf(Files.readAllBytes(f), needle) >= 0) holding.add(f);
            }
        }
        assertThat(holding).as("files under the data directories holding the secret").isEmpty();
    }

    @Test
    void aSpecNamingAnUnknownSecretOrOneNotForItsQueueIsRefusedByPath() {
        assertThat(put("/v1/secrets/etl-only", "{\"value\":\"x1\",\"queues\":[\"etl\"]}").statusCode()).isEqualTo(201);
        HttpResponse<String> r = admin.post("/v1/jobs", "{\"type\":\"command\",\"command\":{\"shell\":\"true\"},"
                + "\"secrets\":{\"A\":\"nope\",\"B\":\"etl-only\"}}");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode problems = Api.tree(r.body()).path("problems");
        assertThat(problems.findValuesAsText("path")).containsExactlyInAnyOrder("/secrets/A", "/secrets/B");
        assertThat(r.body()).contains("no secret 'nope'").contains("may not be used by jobs of queue 'default'");
        assertThat(admin.get("/v1/jobs").body()).doesNotContain("etl-only\"}");
    }

    @Test
    void badSecretRequestsGetProblemsAndNeverEchoTheValue() {
        HttpResponse<String> r = put("/v1/secrets/Bad%20Name", "{\"value\":\"hidden-value\",\"queues\":[]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Api.tree(r.body()).path("problems").findValuesAsText("path")).containsExactlyInAnyOrder("/name", "/queues");
        assertThat(r.body()).doesNotContain("hidden-value");
        assertThat(admin.delete("/v1/secrets/never-stored").statusCode()).isEqualTo(404);
        assertThat(put("/v1/secrets/gone", "{\"value\":\"v\",\"queues\":[\"*\"]}").statusCode()).isEqualTo(201);
        assertThat(admin.delete("/v1/secrets/gone").statusCode()).isEqualTo(204);
        assertThat(admin.get("/v1/secrets").body()).doesNotContain("\"gone\"");
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
