package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end on a real local cluster: HTTP API → coordinator → agent → real processes, and back. */
class ClusterIT {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Api api;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.testConfig(dir)
                .with(io.nightshift.agent.AgentSettings.CPUS, "8")
                .with(io.nightshift.agent.AgentSettings.MEM_MB, "8192"), 1);
        api = new Api(cluster);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.json("/v1/agents").path("agents").size() == 1
                && api.json("/v1/agents").path("agents").get(0).path("status").asText().equals("ACTIVE"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
        Procs.killAll("NIGHTSHIFT_SANDBOX=" + dir);
    }

    static String shellJob(String id, String line, String extra) {
        return "{\"id\":\"" + id + "\",\"type\":\"command\",\"command\":{\"shell\":" + quote(line) + "},"
                + "\"resources\":{\"cpus\":0.1,\"memMb\":64}" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    static String quote(String s) {
        return io.nightshift.api.json.Json.write(s);
    }

    @Test
    void twentyConcurrentJobsReachTheRightFinalStatesWithTheirExitCodesAndLogs() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<CompletableFuture<String>> submits = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int code = i % 4 == 0 ? 3 : 0;
            String id = "mix-" + i;
            String line = "echo out-" + i + "; echo err-" + i + " >&2; exit " + code;
            submits.add(CompletableFuture.supplyAsync(() -> api.submit(shellJob(id, line, "")), pool));
        }
        List<String> ids = submits.stream().map(CompletableFuture::join).toList();
        pool.shutdown();
        await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream().allMatch(id -> api.jobState(id).matches("SUCCEEDED|FAILED")));
        for (int i = 0; i < 20; i++) {
            String id = ids.get(i);
            boolean fails = i % 4 == 0;
            JsonNode detail = api.json("/v1/jobs/" + id);
            assertThat(detail.path("job").path("state").asText()).as(id).isEqualTo(fails ? "FAILED" : "SUCCEEDED");
            JsonNode attempt = detail.path("runs").get(0).path("tasks").get(0).path("attempts").get(0);
            assertThat(attempt.path("exitCode").asInt()).as(id).isEqualTo(fails ? 3 : 0);
            assertThat(attempt.path("state").asText()).isEqualTo(fails ? "FAILED" : "FINISHED");
            String taskId = id + ".r1.0";
            assertThat(api.log(taskId, "stdout")).isEqualTo("out-" + i + "\n");
            assertThat(api.log(taskId, "stderr")).isEqualTo("err-" + i + "\n");
        }
    }

    @Test
    void killStopsTheWholeProcessTreeAndLeavesNoOrphan() {
        // the task forks grandchildren that ignore SIGTERM, one of them in a session of its own
        String line = "trap '' TERM; (trap '' TERM; while true; do sleep 1; done) & "
                + "setsid sh -c \"trap '' TERM; while true; do sleep 1; done\" & "
                + "echo started; while true; do sleep 1; done";
        String id = api.submit(shellJob("killme", line, "\"killGracePeriod\":\"PT1S\""));
        await().atMost(Duration.ofSeconds(20)).until(() -> api.log(id + ".r1.0", "stdout").contains("started"));
        String marker = "NIGHTSHIFT_ATTEMPT_ID=" + id + ".r1.0.1";
        await().atMost(Duration.ofSeconds(10)).until(() -> Procs.withEnv(marker).size() >= 3);

        HttpResponse<String> kill = api.delete("/v1/jobs/" + id);
        assertThat(kill.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.jobState(id).equals("KILLED"));
        assertThat(Procs.withEnv(marker)).as("processes of the killed task").isEmpty();
        JsonNode attempt = api.task(id).path("attempts").get(0);
        assertThat(attempt.path("state").asText()).isEqualTo("KILLED");
        assertThat(attempt.path("reason").asText()).isEqualTo("KILLED_BY_USER");
        assertThat(api.delete("/v1/jobs/" + id).statusCode()).as("killing a killed job again changes nothing").isEqualTo(200);
    }

    @Test
    void maxRuntimeKillsTheTaskAsTimedOutWithoutOrphans() {
        String line = "(trap '' TERM; while true; do sleep 1; done) & while true; do sleep 1; done";
        String id = api.submit(shellJob("timeout", line, "\"maxRuntime\":\"PT2S\",\"killGracePeriod\":\"PT1S\""));
        await().atMost(Duration.ofSeconds(30)).until(() -> api.jobState(id).equals("FAILED"));
        JsonNode attempt = api.task(id).path("attempts").get(0);
        assertThat(attempt.path("state").asText()).isEqualTo("FAILED");
        assertThat(attempt.path("reason").asText()).isEqualTo("TIMEOUT");
        assertThat(Procs.withEnv("NIGHTSHIFT_ATTEMPT_ID=" + id + ".r1.0.1")).isEmpty();
    }

    @Test
    void failedAttemptsAreRetriedWithExponentialBackoffUntilOneSucceeds() {
        String line = "n=${NIGHTSHIFT_ATTEMPT_ID##*.}; echo attempt $n; [ $n -ge 3 ]";
        String id = api.submit(shellJob("flaky", line, "\"retries\":{\"max\":3,\"backoff\":{\"initial\":\"PT1S\",\"max\":\"PT10S\"}}"));
        await().atMost(Duration.ofSeconds(30)).until(() -> api.jobState(id).equals("SUCCEEDED"));
        JsonNode attempts = api.task(id).path("attempts");
        assertThat(attempts).hasSize(3);
        assertThat(attempts.get(0).path("state").asText()).isEqualTo("FAILED");
        assertThat(attempts.get(1).path("state").asText()).isEqualTo("FAILED");
        assertThat(attempts.get(2).path("state").asText()).isEqualTo("FINISHED");
        Duration firstGap = Duration.between(Instant.parse(attempts.get(0).path("finishedAt").asText()),
                Instant.parse(attempts.get(1).path("launchedAt").asText()));
        Duration secondGap = Duration.between(Instant.parse(attempts.get(1).path("finishedAt").asText()),
                Instant.parse(attempts.get(2).path("launchedAt").asText()));
        assertThat(firstGap).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(secondGap).as("back-off doubles").isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aTaskThatFitsNowhereStaysPendingAndSaysWhy() {
        String id = api.submit("{\"id\":\"huge\",\"type\":\"command\",\"command\":{\"argv\":[\"true\"]},\"resources\":{\"cpus\":64}}");
        await().atMost(Duration.ofSeconds(10)).until(() -> api.json("/v1/jobs/" + id).path("pending").path("reasons").size() > 0);
        JsonNode reasons = api.json("/v1/jobs/" + id).path("pending").path("reasons");
        assertThat(reasons.toString()).contains("insufficient.cpus").contains("asks 64 cpus; the largest agent has");
        JsonNode cpus = null;
        for (JsonNode r : reasons) if (r.path("code").asText().equals("insufficient.cpus")) cpus = r;
        assertThat(cpus).as(reasons.toString()).isNotNull();
        assertThat(cpus.path("kind").asText()).as("no agent can ever hold 64 cpus").isEqualTo("STATIC");
        assertThat(cpus.path("resource").asText()).isEqualTo("cpus");
        assertThat(cpus.path("asked").asDouble()).isEqualTo(64.0);
        assertThat(cpus.path("available").isNumber()).as(cpus.toString()).isTrue();
        assertThat(cpus.path("available").asDouble()).isLessThan(64.0);
        assertThat(api.jobState(id)).isEqualTo("QUEUED");
        assertThat(api.delete("/v1/jobs/" + id).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.jobState(id).equals("KILLED"));
    }

    @Test
    void logFollowStreamsLinesAsTheyComeAndEndsWithTheTask() throws Exception {
        String id = api.submit(shellJob("follow", "for i in 1 2 3 4 5; do echo line $i; sleep 0.3; done", ""));
        await().atMost(Duration.ofSeconds(20)).until(() -> api.task(id).path("attempts").size() > 0);
        HttpResponse<InputStream> r = api.http.send(api.request(api.base.resolve("/v1/tasks/" + id + ".r1.0/logs/stdout?follow=true")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String l;
            while ((l = in.readLine()) != null) lines.add(l); // returns when the stream ends with the task
        }
        assertThat(lines).containsExactly("line 1", "line 2", "line 3", "line 4", "line 5");
        assertThat(api.jobState(id)).isIn("SUCCEEDED", "RUNNING"); // the stream ends when the process has ended
        await().atMost(Duration.ofSeconds(10)).until(() -> api.jobState(id).equals("SUCCEEDED"));
        assertThat(api.get("/v1/tasks/" + id + ".r1.0/logs/stdout?tail=2").body()).isEqualTo("line 4\nline 5\n");
        assertThat(api.get("/v1/tasks/" + id + ".r1.0/logs/stdout?offset=7").body()).startsWith("line 2\n");
    }

    @Test
    void serverSentEventsArriveInOrderForEveryStateChange() throws Exception {
        List<JsonNode> events = Collections.synchronizedList(new ArrayList<>());
        HttpResponse<InputStream> r = api.http.send(api.request(api.base.resolve("/v1/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = in.readLine()) != null) if (l.startsWith("data: ")) events.add(Api.tree(l.substring(6)));
            } catch (Exception e) {
                // closed
            }
        });
        reader.setDaemon(true);
        reader.start();
        String id = api.submit(shellJob("sse", "echo hi", ""));
        await().atMost(Duration.ofSeconds(20)).until(() -> events.stream().anyMatch(e ->
                e.path("kind").asText().equals("job") && e.path("id").asText().equals(id) && e.path("state").asText().equals("SUCCEEDED")));
        r.body().close();
        List<Long> seqs = events.stream().map(e -> e.path("seq").asLong()).toList();
        assertThat(seqs).isSorted().doesNotHaveDuplicates();
        List<String> jobStates = events.stream().filter(e -> e.path("kind").asText().equals("job") && e.path("id").asText().equals(id))
                .map(e -> e.path("state").asText()).toList();
        assertThat(jobStates).containsExactly("QUEUED", "RUNNING", "SUCCEEDED");
        List<String> taskStates = events.stream().filter(e -> e.path("kind").asText().equals("task") && e.path("jobId").asText().equals(id))
                .map(e -> e.path("state").asText()).toList();
        assertThat(taskStates).containsExactly("STAGING", "FETCHING", "RUNNING", "FINISHED");

        // a client resuming after a given event gets exactly the later ones
        long resumeAfter = seqs.get(1);
        HttpResponse<InputStream> resumed = api.http.send(api.request(api.base.resolve("/v1/events"))
                .header("Last-Event-ID", Long.toString(resumeAfter)).build(), HttpResponse.BodyHandlers.ofInputStream());
        Map<Long, Boolean> replayed = new HashMap<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(resumed.body(), StandardCharsets.UTF_8))) {
            String l;
            while ((l = in.readLine()) != null && replayed.size() < seqs.size() - 2) {
                if (l.startsWith("id: ")) replayed.put(Long.parseLong(l.substring(4)), true);
            }
        }
        assertThat(replayed.keySet()).allMatch(s -> s > resumeAfter).contains(seqs.get(2));
    }

    @Test
    void aJvmJobRunsWithItsHeapDerivedFromMemory() throws Exception {
        Path classes = dir.resolve("jvm-classes");
        java.nio.file.Files.createDirectories(classes);
        classes = TestJars.classes(classes, "Hello", "public class Hello { public static void main(String[] a) {"
                + " System.out.println(\"max heap MiB \" + Runtime.getRuntime().maxMemory() / (1024*1024) + \" args \" + String.join(\",\", a)); } }");
        String id = api.submit("{\"id\":\"jvm-hello\",\"type\":\"jvm\",\"jvm\":{\"mainClass\":\"Hello\",\"classpath\":[" + quote(classes.toString())
                + "]},\"args\":[\"x\",\"y\"],\"resources\":{\"cpus\":0.5,\"memMb\":128}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> api.jobState(id).matches("SUCCEEDED|FAILED"));
        assertThat(api.jobState(id)).isEqualTo("SUCCEEDED");
        String out = api.log(id + ".r1.0", "stdout");
        assertThat(out).contains("args x,y");
        long heap = Long.parseLong(out.replaceAll("(?s).*max heap MiB (\\d+).*", "$1").trim());
        assertThat(heap).isBetween(80L, 96L); // 75 % of 128
    }
}
