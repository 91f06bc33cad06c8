package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nightshift.agent.AgentSettings;
import io.nightshift.api.json.Json;
import io.nightshift.api.config.Config;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.parquet.example.data.Group;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The kafka built-in sink into the remote targets, against real servers shared by the class: one KRaft broker, an
 * S3-compatible store (S3Proxy) and an HDFS mini-cluster, and a local cluster of one agent whose own settings
 * name the store (with its key pair) and the HDFS cluster; the specs name only {@code s3://} and {@code hdfs://}.
 */
class KafkaSinksIT {
    @TempDir
    static Path dir;
    static KafkaBroker broker;
    static S3Server s3;
    static HdfsServer hdfs;
    static LocalCluster cluster;
    static Api api;

    @BeforeAll
    static void start() throws Exception {
        broker = KafkaBroker.start(dir.resolve("kafka"));
        s3 = S3Server.start(dir.resolve("s3"));
        s3.createBucket("exports");
        hdfs = HdfsServer.start(dir.resolve("hdfs"));
        Config base = LocalCluster.testConfig(dir).with(AgentSettings.CPUS, "4").with(AgentSettings.MEM_MB, "8192");
        base = ArtifactServices.reach(base, s3, hdfs);
        cluster = LocalCluster.start(base, 1);
        api = new Api(cluster);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
        if (hdfs != null) hdfs.close();
        if (s3 != null) s3.close();
        if (broker != null) broker.close();
    }

    private static String drain(String id, String topic, Map<String, Object> sink) {
        return api.submit(Json.write(Map.of("id", id, "type", "kafka",
                "resources", Map.of("cpus", 1, "memMb", 512),
                "kafka", Map.of("bootstrapServers", broker.bootstrapServers(), "topics", List.of(topic),
                        "groupId", id, "mode", "drain", "maxPollRecords", 1000, "sink", sink))));
    }

    private static void awaitSucceeded(String id) {
        try {
            await().atMost(Duration.ofSeconds(180)).until(() -> List.of("SUCCEEDED", "FAILED", "KILLED")
                    .contains(api.jobState(id)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("job " + id + " did not end: " + api.json("/v1/jobs/" + id) + "\nstderr:\n"
                    + api.log(api.task(id).path("id").asText(), "stderr"), e);
        }
        assertThat(api.jobState(id)).as(api.json("/v1/jobs/" + id) + "\nstderr:\n"
                + api.log(api.task(id).path("id").asText(), "stderr")).isEqualTo("SUCCEEDED");
    }

    @Test
    void drainsIntoS3AsParquetWithTheAgentsKeyPairInWholeObjectsNamedByTheirOffsets() throws Exception {
        broker.createTopic("s3-orders", 3);
        Set<String> produced = KafkaJobsIT.produce(broker, "s3-orders", 6_000, "s3o");
        String id = drain("s3-orders", "s3-orders", Map.of("path", "s3://exports/orders/day-1", "format", "parquet",
                "rollBytes", 16_384));
        awaitSucceeded(id);

        List<S3Object> objects = s3.client().listObjectsV2Paginator(b -> b.bucket("exports").prefix("orders/day-1/"))
                .contents().stream().toList();
        assertThat(objects).isNotEmpty().allSatisfy(o -> assertThat(o.key())
                .matches("orders/day-1/s3-orders-\\d-\\d+-\\d+\\.parquet"));
        assertThat(objects.size()).as("rolled at 16 KiB").isGreaterThan(3);
        List<String> keys = new ArrayList<>();
        var conf = new org.apache.hadoop.conf.Configuration();
        for (S3Object o : objects) {
            Path local = dir.resolve("s3-read").resolve(o.key());
            Files.createDirectories(local.getParent());
            s3.client().getObject(b -> b.bucket("exports").key(o.key()), local);
            for (Group g : ParquetRows.read(new org.apache.hadoop.fs.Path(local.toUri()), conf))
                keys.add(g.getBinary("key", 0).toStringUsingUTF8());
        }
        assertThat(keys).hasSize(6_000);
        assertThat(new HashSet<>(keys)).isEqualTo(produced);
        // the key pair came from the agent's settings: it is in neither the stored spec nor the task's logs
        String task = api.task(id).path("id").asText();
        assertThat(api.json("/v1/jobs/" + id).toString()).doesNotContain(S3Server.SECRET_KEY);
        assertThat(api.log(task, "stderr")).doesNotContain(S3Server.SECRET_KEY);
    }

    @Test
    void drainsIntoHdfsAsNdjsonAndAsParquetWithNothingLeftInProgress() throws Exception {
        broker.createTopic("hdfs-orders", 2);
        Set<String> produced = KafkaJobsIT.produce(broker, "hdfs-orders", 5_000, "ho");
        String ndjson = drain("hdfs-ndjson", "hdfs-orders", Map.of("path", "hdfs:///exports/ndjson"));
        String parquet = drain("hdfs-parquet", "hdfs-orders", Map.of("path", hdfs.uri() + "/exports/parquet",
                "format", "parquet"));
        awaitSucceeded(ndjson);
        awaitSucceeded(parquet);

        var fs = hdfs.fileSystem();
        List<String> lines = new ArrayList<>();
        for (FileStatus f : fs.listStatus(new org.apache.hadoop.fs.Path("/exports/ndjson"))) {
            assertThat(f.getPath().getName()).matches("hdfs-orders-\\d-\\d+-\\d+\\.ndjson");
            try (var in = new BufferedReader(new InputStreamReader(fs.open(f.getPath()), StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null; ) lines.add(Api.tree(l).path("key").asText());
            }
        }
        assertThat(lines).hasSize(5_000);
        assertThat(new HashSet<>(lines)).isEqualTo(produced);

        List<String> rows = new ArrayList<>();
        for (FileStatus f : fs.listStatus(new org.apache.hadoop.fs.Path("/exports/parquet"))) {
            assertThat(f.getPath().getName()).matches("hdfs-orders-\\d-\\d+-\\d+\\.parquet");
            for (Group g : ParquetRows.read(f.getPath(), fs.getConf())) rows.add(g.getBinary("key", 0).toStringUsingUTF8());
        }
        assertThat(rows).hasSize(5_000);
        assertThat(new HashSet<>(rows)).isEqualTo(produced);
    }
}
