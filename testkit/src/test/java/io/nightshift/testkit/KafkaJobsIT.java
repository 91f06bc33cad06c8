package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.agent.AgentSettings;
import io.nightshift.api.json.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kafka jobs end to end on one real KRaft broker (a child JVM) and a local cluster of two agents: each task
 * runs the consumer harness in its own JVM, the agent only starts it.
 */
class KafkaJobsIT {
    @TempDir
    static Path dir;
    static KafkaBroker broker;
    static LocalCluster cluster;
    static Api api;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start(dir.resolve("kafka"));
        cluster = LocalCluster.start(LocalCluster.testConfig(dir)
                .with(AgentSettings.CPUS, "4")
                .with(AgentSettings.MEM_MB, "8192"), 2);
        api = new Api(cluster);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
        if (broker != null) broker.close();
    }

    @Test
    void drainsOneHundredThousandRecordsOverSixPartitionsIntoFilesExactlyOnceAndSucceedsWithNoLag() throws Exception {
        broker.createTopic("orders", 6);
        Set<String> produced = produce("orders", 100_000, "order");
        Path out = dir.resolve("export-orders");
        List<String> sse = java.util.Collections.synchronizedList(new ArrayList<>());
        HttpResponse<java.io.InputStream> stream = api.http.send(api.request(api.base.resolve("/v1/events?progress=true"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        Thread reader = new Thread(() -> {
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(stream.body(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null; ) sse.add(l);
            } catch (IOException e) {
                // closed at the end of the test
            }
        });
        reader.setDaemon(true);
        reader.start();

        String id = api.submit(Json.write(Map.of("id", "export-orders", "type", "kafka", "instances", 2,
                "resources", Map.of("cpus", 1, "memMb", 512),
                "kafka", Map.of("bootstrapServers", broker.bootstrapServers(), "topics", List.of("orders"),
                        "groupId", "export-orders", "mode", "drain", "sink", Map.of("path", out.toString())))));

        await().atMost(Duration.ofSeconds(120)).until(() -> terminal(api.jobState(id)));
        assertThat(api.jobState(id)).as(api.json("/v1/jobs/" + id).toString()).isEqualTo("SUCCEEDED");

        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.toList()) {
                assertThat(f.getFileName().toString()).as("only finished files are left").endsWith(".ndjson");
                for (String line : Files.readAllLines(f)) keys.add(Api.tree(line).path("key").asText());
            }
        }
        assertThat(keys).hasSize(100_000);
        assertThat(new HashSet<>(keys)).isEqualTo(produced);
        assertThat(groupLag("export-orders", "orders")).isZero();
        // both instances reported; together they saw every record at least once
        List<JsonNode> progress = progressFiles("export-orders");
        assertThat(progress).hasSize(2);
        assertThat(progress.stream().mapToLong(p -> p.path("records").asLong()).sum()).isGreaterThanOrEqualTo(100_000);
        assertThat(progress).allSatisfy(p -> {
            assertThat(p.path("finished").asBoolean()).isTrue();
            assertThat(p.path("drainRemaining").asLong()).isZero();
        });
        // the final report of each instance reached the coordinator before the job ended: the job detail shows it
        JsonNode reported = api.json("/v1/jobs/" + id).path("progress");
        assertThat(reported.size()).isEqualTo(2);
        reported.forEach(p -> {
            assertThat(p.path("finished").asBoolean()).as(p.toString()).isTrue();
            assertThat(p.path("drainRemaining").asLong()).isZero();
        });
        // and the event stream carried them as progress events (no id: live only), the last one of each finished
        // (each instance's finished document may come twice: from a periodic read and from the one at its exit)
        await().atMost(Duration.ofSeconds(10)).until(() -> progressEvents(sse, id).stream()
                .filter(e -> e.path("progress").path("finished").asBoolean())
                .map(e -> e.path("taskId").asText()).distinct().count() == 2);
        stream.body().close();
        List<JsonNode> events = progressEvents(sse, id);
        assertThat(events).allSatisfy(e -> assertThat(e.path("taskId").asText()).startsWith(id + ".r1."));
        synchronized (sse) {
            for (int i = 0; i < sse.size(); i++) {
                if (sse.get(i).equals("event: progress")) assertThat(i == 0 || !sse.get(i - 1).startsWith("id: ")).isTrue();
            }
        }
    }

    /** The {@code data} of the progress events of job {@code id} among the SSE lines seen so far. */
    private static List<JsonNode> progressEvents(List<String> lines, String id) {
        List<JsonNode> out = new ArrayList<>();
        synchronized (lines) {
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).equals("event: progress") && lines.get(i + 1).startsWith("data: ")) {
                    JsonNode e = Api.tree(lines.get(i + 1).substring(6));
                    if (e.path("jobId").asText().equals(id)) out.add(e);
                }
            }
        }
        return out;
    }

    @Test
    void sigtermCommitsTheBatchInHandAndLeavesTheGroupWithinTheGrace() throws Exception {
        broker.createTopic("clicks", 2);
        produce("clicks", 5_000, "click");
        Path out = dir.resolve("clicks-out");
        // Commits at most every 20 s: when the kill comes, everything handled is still uncommitted.
        String id = api.submit(Json.write(Map.of("id", "clicks", "type", "kafka", "killGracePeriod", "PT25S",
                "resources", Map.of("cpus", 1, "memMb", 512),
                "kafka", Map.of("bootstrapServers", broker.bootstrapServers(), "topics", List.of("clicks"),
                        "groupId", "clicks", "mode", "stream", "commitInterval", "PT20S",
                        "sink", Map.of("path", out.toString())))));
        // the harness's report reaches the coordinator: job detail and Prometheus
        String task = id + ".r1.0";
        await().atMost(Duration.ofSeconds(60)).until(() ->
                api.json("/v1/jobs/" + id).path("progress").path(task).path("records").asLong() == 5_000);
        JsonNode reported = api.json("/v1/jobs/" + id).path("progress").path(task);
        assertThat(reported.path("totalLag").asLong()).isZero();
        assertThat(reported.path("lag").size()).isEqualTo(2);
        assertThat(api.get("/metrics").body()).contains("nightshift_kafka_records{job=\"clicks\",task=\"" + task + "\"} 5000.0");
        assertThat(progressFiles(id)).anyMatch(p -> p.path("records").asLong() == 5_000);
        assertThat(committed("clicks", "clicks")).as("nothing committed yet").isZero();

        long killed = System.nanoTime();
        assertThat(api.delete("/v1/jobs/" + id).statusCode()).isLessThan(300);
        await().atMost(Duration.ofSeconds(30)).until(() -> terminal(api.jobState(id)));
        await().atMost(Duration.ofSeconds(25)).until(() -> members("clicks") == 0);
        assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(25));

        assertThat(committed("clicks", "clicks")).isEqualTo(5_000);
        assertThat(api.log(api.task(id).path("id").asText(), "stderr")).contains("stopped: last batch committed");
        long lines = 0;
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.toList()) lines += Files.readAllLines(f).size();
        }
        assertThat(lines).isEqualTo(5_000);
    }

    @Test
    void killMinus9OfAnInstanceMidStreamThenItsRetryLosesNothingAndRedeliversAtMostOneBatchPerPartition() throws Exception {
        broker.createTopic("payments", 3);
        Set<String> produced = produce("payments", 20_000, "pay");
        Path deliveries = dir.resolve("payments-deliveries");
        String classes = Path.of(CountingHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String id = api.submit(Json.write(Map.of("id", "payments", "type", "kafka",
                "resources", Map.of("cpus", 1, "memMb", 512),
                "retries", Map.of("max", 2, "backoff", Map.of("initial", "PT0S", "max", "PT1S")),
                "env", Map.of("DELIVERIES_DIR", deliveries.toString(), "HANDLE_DELAY_MS", "20"),
                "kafka", Map.of("bootstrapServers", broker.bootstrapServers(), "topics", List.of("payments"),
                        "groupId", "payments", "mode", "stream", "handler", CountingHandler.class.getName(),
                        "classpath", List.of(classes), "maxPollRecords", 100, "commitInterval", "PT0S"))));

        await().atMost(Duration.ofSeconds(60)).until(() -> deliveredKeys(deliveries).size() >= 5_000);
        List<Long> harness = Procs.withEnv("NIGHTSHIFT_TASK_ID=" + id + ".r1.0\0").stream()
                .filter(pid -> ProcessHandle.of(pid).flatMap(h -> h.info().command()).map(c -> c.endsWith("/java"))
                        .orElse(false)).toList();
        assertThat(harness).hasSize(1);
        ProcessHandle.of(harness.get(0)).ifPresent(ProcessHandle::destroyForcibly); // kill -9, mid-stream

        await().atMost(Duration.ofSeconds(90)).until(() -> committed("payments", "payments") == 20_000);
        List<String> keys = deliveredKeys(deliveries);
        assertThat(new HashSet<>(keys)).as("no record lost").isEqualTo(produced);
        assertThat(keys.size() - produced.size()).as("re-delivered: at most one uncommitted batch (100) per partition")
                .isBetween(0, 3 * 100);
        JsonNode attempts = api.task(id).path("attempts");
        assertThat(attempts.size()).isEqualTo(2);
        assertThat(attempts.get(0).path("state").asText()).isEqualTo("FAILED");
        assertThat(api.delete("/v1/jobs/" + id).statusCode()).isLessThan(300);
        await().atMost(Duration.ofSeconds(30)).until(() -> terminal(api.jobState(id)));
    }

    @Test
    void aParquetDrainKilledMinus9MidBatchThenRetriedLeavesEveryRecordInExactlyOneWholeFile() throws Exception {
        broker.createTopic("ledger", 3);
        Set<String> produced = produce("ledger", 30_000, "led");
        Path out = dir.resolve("ledger-parquet");
        // A commit (and so a roll of every open file) after every poll of 500: many files, each a published range.
        String id = api.submit(Json.write(Map.of("id", "ledger", "type", "kafka",
                "resources", Map.of("cpus", 1, "memMb", 512),
                "retries", Map.of("max", 2, "backoff", Map.of("initial", "PT0S", "max", "PT1S")),
                "kafka", Map.of("bootstrapServers", broker.bootstrapServers(), "topics", List.of("ledger"),
                        "groupId", "ledger", "mode", "drain", "maxPollRecords", 500, "commitInterval", "PT0S",
                        "sink", Map.of("path", out.toString(), "format", "parquet")))));

        String task = id + ".r1.0";
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
                progressFiles(id).stream().anyMatch(p -> p.path("records").asLong() >= 2_000));
        List<Long> harness = Procs.withEnv("NIGHTSHIFT_TASK_ID=" + task + "\0").stream()
                .filter(pid -> ProcessHandle.of(pid).flatMap(h -> h.info().command()).map(c -> c.endsWith("/java"))
                        .orElse(false)).toList();
        assertThat(harness).as("the drain is still running when it is killed").hasSize(1);
        ProcessHandle.of(harness.get(0)).ifPresent(ProcessHandle::destroyForcibly); // kill -9, mid-batch
        assertThat(committed("ledger", "ledger")).as("killed before the end").isLessThan(30_000);

        await().atMost(Duration.ofSeconds(120)).until(() -> terminal(api.jobState(id)));
        assertThat(api.jobState(id)).as(api.json("/v1/jobs/" + id).toString()).isEqualTo("SUCCEEDED");
        JsonNode attempts = api.task(id).path("attempts");
        assertThat(attempts.size()).as("the kill failed the first attempt; the retry drained").isEqualTo(2);

        // read back with parquet-hadoop: every offset of every partition in exactly one finished file
        Map<String, Integer> seen = new HashMap<>();
        List<String> keys = new ArrayList<>();
        var conf = new org.apache.hadoop.conf.Configuration();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                assertThat(name).as("only finished files are left").matches("ledger-\\d-\\d+-\\d+\\.parquet");
                String[] range = name.substring("ledger-".length(), name.length() - ".parquet".length()).split("-");
                List<org.apache.parquet.example.data.Group> rows = ParquetRows.read(
                        new org.apache.hadoop.fs.Path(f.toUri()), conf);
                assertThat(rows).as(name + " holds its whole range")
                        .hasSize((int) (Long.parseLong(range[2]) - Long.parseLong(range[1]) + 1));
                for (var g : rows) {
                    keys.add(g.getBinary("key", 0).toStringUsingUTF8());
                    seen.merge(g.getInteger("partition", 0) + "@" + g.getLong("offset", 0), 1, Integer::sum);
                }
            }
        }
        assertThat(seen.values()).as("each offset once").allMatch(n -> n == 1);
        assertThat(keys).hasSize(30_000);
        assertThat(new HashSet<>(keys)).isEqualTo(produced);
    }

    @Test
    void threeStreamInstancesOneKilledTheGroupRebalancesAndTheLagReturnsToZero() throws Exception {
        broker.createTopic("events", 3);
        produce("events", 3_000, "ev");
        String id = api.submit(Json.write(Map.of("id", "events", "type", "kafka", "instances", 3,
                "resources", Map.of("cpus", 0.5, "memMb", 384),
                "kafka", Map.of("bootstrapServers", broker.bootstrapServers(), "topics", List.of("events"),
                        "groupId", "events", "mode", "stream", "sink", Map.of("path", dir.resolve("events-out").toString()),
                        // a killed static member is dropped after its session times out, then the group rebalances
                        "consumerConfig", Map.of("session.timeout.ms", 6000)))));
        await().atMost(Duration.ofSeconds(90)).until(() -> members("events") == 3 && groupLag("events", "events") == 0);

        long victim = Procs.withEnv("NIGHTSHIFT_TASK_ID=" + id + ".r1.1\0").stream()
                .filter(pid -> ProcessHandle.of(pid).flatMap(h -> h.info().command()).map(c -> c.endsWith("/java"))
                        .orElse(false)).findFirst().orElseThrow();
        ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly); // kill -9 of instance 1, no retries
        produce("events", 3_000, "ev2");

        // the dead static member leaves once its session times out; the two others then hold every partition
        await().atMost(Duration.ofSeconds(60)).until(() -> members("events") == 2 && groupLag("events", "events") == 0);
        assertThat(committed("events", "events")).isEqualTo(6_000);
        assertThat(api.delete("/v1/jobs/" + id).statusCode()).isLessThan(300);
        await().atMost(Duration.ofSeconds(30)).until(() -> terminal(api.jobState(id)));
    }

    private static List<String> deliveredKeys(Path dir) throws IOException {
        List<String> keys = new ArrayList<>();
        if (!Files.isDirectory(dir)) return keys;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                for (String line : Files.readAllLines(f)) if (!line.isEmpty()) keys.add(line);
            }
        }
        return keys;
    }

    @Test
    void badConsumerConfigAndMissingBootstrapAreRefusedAtSubmitByJsonPath() {
        HttpResponse<String> unknown = api.post("/v1/jobs", Json.write(Map.of("type", "kafka", "kafka", Map.of(
                "bootstrapServers", broker.bootstrapServers(), "topics", List.of("t"), "groupId", "g", "mode", "stream",
                "sink", Map.of("path", "/tmp/x"), "consumerConfig", Map.of("fetch.max.byts", "1")))));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("/kafka/consumerConfig/fetch.max.byts");

        HttpResponse<String> missing = api.post("/v1/jobs", Json.write(Map.of("type", "kafka", "kafka", Map.of(
                "topics", List.of("t"), "groupId", "g", "mode", "stream", "sink", Map.of("path", "/tmp/x")))));
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("/kafka/bootstrapServers");
    }

    @Test
    void anUnreachableBrokerFailsTheTaskWithAClearReasonWithinTheApiTimeout() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String id = api.submit(Json.write(Map.of("id", "nowhere", "type", "kafka",
                "resources", Map.of("cpus", 0.5, "memMb", 256),
                "kafka", Map.of("bootstrapServers", "127.0.0.1:" + closed, "topics", List.of("t"), "groupId", "g",
                        "mode", "drain", "sink", Map.of("path", dir.resolve("nowhere").toString()),
                        "consumerConfig", Map.of("default.api.timeout.ms", 3000)))));
        await().atMost(Duration.ofSeconds(60)).until(() -> terminal(api.jobState(id)));
        assertThat(api.jobState(id)).isEqualTo("FAILED");
        JsonNode attempt = api.task(id).path("attempts").get(0);
        assertThat(attempt.path("exitCode").asInt()).isEqualTo(3);
        assertThat(api.log(api.task(id).path("id").asText(), "stderr"))
                .contains("nightshift-kafka: could not reach the Kafka cluster at 127.0.0.1:" + closed);
    }

    @Test
    void aPoisonRecordGoesToTheDeadLetterTopicWithItsOriginAndTheDrainGoesOn() throws Exception {
        broker.createTopic("invoices", 2);
        broker.createTopic("invoices.dlq", 1);
        Set<String> good = produce("invoices", 1_000, "inv");
        sendOne("invoices", 1, "bad-1", "poison");
        Set<String> later = produce("invoices", 200, "inv-late");
        good.addAll(later);
        Path deliveries = dir.resolve("invoices-deliveries");
        String id = api.submit(Json.write(Map.of("id", "invoices", "type", "kafka",
                "resources", Map.of("cpus", 1, "memMb", 512),
                "env", Map.of("DELIVERIES_DIR", deliveries.toString()),
                "kafka", Map.of("bootstrapServers", broker.bootstrapServers(), "topics", List.of("invoices"),
                        "groupId", "invoices", "mode", "drain", "handler", PickyHandler.class.getName(),
                        "classpath", List.of(testClasses()), "recordAttempts", 2, "onPoison", "deadLetter",
                        "deadLetterTopic", "invoices.dlq"))));

        await().atMost(Duration.ofSeconds(90)).until(() -> terminal(api.jobState(id)));
        assertThat(api.jobState(id)).as(api.json("/v1/jobs/" + id).toString()).isEqualTo("SUCCEEDED");
        assertThat(new HashSet<>(deliveredKeys(deliveries))).as("every other record handled").isEqualTo(good);
        assertThat(committed("invoices", "invoices")).isEqualTo(1_201);
        JsonNode progress = api.json("/v1/jobs/" + id).path("progress").path(id + ".r1.0");
        assertThat(progress.path("deadLettered").asLong()).isEqualTo(1);

        List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> dead = readAll("invoices.dlq");
        assertThat(dead).hasSize(1);
        var d = dead.get(0);
        assertThat(d.key()).isEqualTo("bad-1");
        assertThat(d.value()).isEqualTo("poison");
        assertThat(header(d, "nightshift.dlq.topic")).isEqualTo("invoices");
        assertThat(header(d, "nightshift.dlq.partition")).isEqualTo("1");
        assertThat(header(d, "nightshift.dlq.offset")).isEqualTo("500"); // 1,000 round-robin: 500 before it on partition 1
        assertThat(header(d, "nightshift.dlq.error")).contains("cannot parse the value of 500");
    }

    @Test
    void aPoisonRecordUnderOnPoisonFailFailsTheTaskWithItsPartitionAndOffsetInTheReason() throws Exception {
        broker.createTopic("refunds", 1);
        produce("refunds", 10, "ref");
        sendOne("refunds", 0, "bad-2", "poison");
        String id = api.submit(Json.write(Map.of("id", "refunds", "type", "kafka",
                "resources", Map.of("cpus", 0.5, "memMb", 384),
                "env", Map.of("DELIVERIES_DIR", dir.resolve("refunds-deliveries").toString()),
                "kafka", Map.of("bootstrapServers", broker.bootstrapServers(), "topics", List.of("refunds"),
                        "groupId", "refunds", "mode", "drain", "handler", PickyHandler.class.getName(),
                        "classpath", List.of(testClasses())))));
        await().atMost(Duration.ofSeconds(60)).until(() -> terminal(api.jobState(id)));
        assertThat(api.jobState(id)).isEqualTo("FAILED");
        JsonNode attempt = api.task(id).path("attempts").get(0);
        assertThat(attempt.path("exitCode").asInt()).isEqualTo(5);
        assertThat(attempt.path("message").asText())
                .contains("poison record refunds-0@10 (topic refunds, partition 0, offset 10)")
                .contains("failed on it 3 time(s)");
        assertThat(committed("refunds", "refunds")).as("nothing past the poison record").isLessThanOrEqualTo(10);
    }

    @Test
    void aStuckHandlerIsDetectedAndTheInstanceRestartedPerTheRetryPolicyWithTheReason() throws Exception {
        broker.createTopic("slow", 1);
        produce("slow", 5, "slow");
        sendOne("slow", 0, "stuck-1", "hang");
        produce("slow", 50, "slow-late");
        String id = api.submit(Json.write(Map.of("id", "slow", "type", "kafka",
                "resources", Map.of("cpus", 0.5, "memMb", 384),
                "retries", Map.of("max", 1, "backoff", Map.of("initial", "PT0S", "max", "PT1S")),
                "env", Map.of("DELIVERIES_DIR", dir.resolve("slow-deliveries").toString()),
                "kafka", Map.of("bootstrapServers", broker.bootstrapServers(), "topics", List.of("slow"),
                        "groupId", "slow", "mode", "stream", "handler", PickyHandler.class.getName(),
                        "classpath", List.of(testClasses()), "maxPollRecords", 1, "commitInterval", "PT0S",
                        "stuckAfter", "PT2S"))));
        // the first attempt hangs on the record at offset 5, is found stuck and fails; the retry hangs there again
        await().atMost(Duration.ofSeconds(90)).until(() -> terminal(api.jobState(id)));
        assertThat(api.jobState(id)).isEqualTo("FAILED");
        JsonNode attempts = api.task(id).path("attempts");
        assertThat(attempts.size()).isEqualTo(2);
        for (JsonNode a : attempts) {
            assertThat(a.path("exitCode").asInt()).isEqualTo(6);
            assertThat(a.path("message").asText()).contains("stuck handler: one call has not returned for PT2S");
        }
        assertThat(committed("slow", "slow")).as("committed up to the stuck record, not past it").isEqualTo(5);
    }

    @Test
    void aStreamJobScalesUpAndDownAndTheStoppedInstanceCommitsAndLeavesCleanly() throws Exception {
        broker.createTopic("views", 4);
        produce("views", 2_000, "view");
        String id = api.submit(Json.write(Map.of("id", "views", "type", "kafka", "killGracePeriod", "PT20S",
                "resources", Map.of("cpus", 0.5, "memMb", 384),
                "kafka", Map.of("bootstrapServers", broker.bootstrapServers(), "topics", List.of("views"),
                        "groupId", "views", "mode", "stream", "commitInterval", "PT10S",
                        "sink", Map.of("path", dir.resolve("views-out").toString())))));
        await().atMost(Duration.ofSeconds(60)).until(() -> members("views") == 1);

        // bad patches change nothing: 400 naming the path; a drain job or another type cannot be scaled (409)
        HttpResponse<String> bad = api.patch("/v1/jobs/" + id, "{\"instances\":0}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("/instances");
        assertThat(api.patch("/v1/jobs/" + id, "{\"instances\":2,\"queue\":\"x\"}").statusCode()).isEqualTo(400);
        assertThat(api.patch("/v1/jobs/nope", "{\"instances\":2}").statusCode()).isEqualTo(404);

        HttpResponse<String> up = api.patch("/v1/jobs/" + id, "{\"instances\":2}");
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        assertThat(Api.tree(up.body()).path("spec").path("instances").asInt()).isEqualTo(2);
        // produce only once the rebalance is over: before that the first instance still owns every partition
        await().atMost(Duration.ofSeconds(90)).until(() -> membersWithPartitions("views") == 2);
        produce("views", 2_000, "view2");
        String second = id + ".r1.1";
        await().atMost(Duration.ofSeconds(60)).until(() ->
                api.json("/v1/jobs/" + id).path("progress").path(second).path("records").asLong() > 0);

        // scale down: instance 1 gets SIGTERM, commits what it handled (commitInterval 10 s: not yet) and leaves
        HttpResponse<String> down = api.patch("/v1/jobs/" + id, "{\"instances\":1}");
        assertThat(down.statusCode()).as(down.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode t = api.json("/v1/jobs/" + id).path("runs").get(0).path("tasks").get(1);
            return t.path("state").asText().equals("KILLED");
        });
        JsonNode stopped = api.json("/v1/jobs/" + id).path("runs").get(0).path("tasks").get(1);
        assertThat(stopped.path("reason").asText()).isEqualTo("SCALED_DOWN");
        assertThat(api.log(second, "stderr")).contains("stopped: last batch committed");
        await().atMost(Duration.ofSeconds(30)).until(() -> members("views") == 1 && groupLag("views", "views") == 0);
        assertThat(committed("views", "views")).isEqualTo(4_000);
        assertThat(api.jobState(id)).isEqualTo("RUNNING");

        assertThat(api.delete("/v1/jobs/" + id).statusCode()).isLessThan(300);
        await().atMost(Duration.ofSeconds(30)).until(() -> terminal(api.jobState(id)));
        assertThat(api.patch("/v1/jobs/" + id, "{\"instances\":2}").statusCode()).isEqualTo(409);
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static boolean terminal(String state) {
        return state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("KILLED");
    }

    private static String testClasses() throws Exception {
        return Path.of(PickyHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static void sendOne(String topic, int partition, String key, String value) throws Exception {
        try (var producer = new KafkaProducer<String, String>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, partition, key, value)).get(60, TimeUnit.SECONDS);
        }
    }

    /** Every record of {@code topic} (read from the beginning, no group). */
    private static List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> readAll(String topic) {
        List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> out = new ArrayList<>();
        try (var c = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(), "auto.offset.reset", "earliest"),
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static String header(org.apache.kafka.clients.consumer.ConsumerRecord<String, String> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Produces {@code n} records keyed {@code <prefix>-<i>} round-robin over the partitions; returns the keys. */
    static Set<String> produce(String topic, int n, String prefix) throws Exception {
        return produce(broker, topic, n, prefix);
    }

    /** As {@link #produce(String, int, String)}, on {@code broker}. */
    static Set<String> produce(KafkaBroker broker, String topic, int n, String prefix) throws Exception {
        Set<String> keys = new HashSet<>();
        try (var producer = new KafkaProducer<String, String>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.ACKS_CONFIG, "all",
                // One request in flight per connection, no idempotence: the order is kept without producer-id state.
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                ProducerConfig.BATCH_SIZE_CONFIG, 65_536),
                new StringSerializer(), new StringSerializer())) {
            int partitions = producer.partitionsFor(topic).size();
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String key = prefix + "-" + i;
                keys.add(key);
                sent.add(producer.send(new ProducerRecord<>(topic, i % partitions, key, "{\"n\":" + i + "}")));
            }
            producer.flush();
            for (var f : sent) f.get(60, TimeUnit.SECONDS); // every record is in the topic, or the test fails here
        }
        return keys;
    }

    /** The group's committed offsets on {@code topic}, summed. */
    static long committed(String group, String topic) throws Exception {
        try (Admin admin = broker.admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    /** End offsets minus the group's committed offsets over every partition of {@code topic}. */
    static long groupLag(String group, String topic) throws Exception {
        try (Admin admin = broker.admin()) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            long end = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(o -> o.offset()).sum();
            return end - committed(group, topic);
        }
    }

    /** Members of the group now; 0 while it does not exist yet. */
    static int members(String group) throws Exception {
        try (Admin admin = broker.admin()) {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
            return d.members().size();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) return 0;
            throw e;
        }
    }

    /** Members of a STABLE group that hold at least one partition (0 while it rebalances or does not exist). */
    static int membersWithPartitions(String group) throws Exception {
        try (Admin admin = broker.admin()) {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
            if (d.groupState() != org.apache.kafka.common.GroupState.STABLE) return 0;
            return (int) d.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) return 0;
            throw e;
        }
    }

    /** The progress documents of the job's tasks, from their sandboxes on the local agents. */
    static List<JsonNode> progressFiles(String jobId) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        List<Path> found = new ArrayList<>();
        try (Stream<Path> agents = Files.list(dir)) {
            for (Path agent : agents.filter(a -> a.getFileName().toString().startsWith("agent")).toList()) {
                try (Stream<Path> files = Files.walk(agent, 4)) {
                    found.addAll(files.filter(f -> f.getFileName().toString().equals("kafka-progress.json")).toList());
                }
            }
        }
        {
            for (Path f : found) {
                Optional<String> text;
                try {
                    text = Optional.of(Files.readString(f));
                } catch (IOException gone) {
                    continue;
                }
                JsonNode p = Api.tree(text.get());
                if (p.path("taskId").asText().startsWith(jobId + ".")) out.add(p);
            }
        }
        return out;
    }
}
