package io.nightshift.connectors.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nightshift.api.spec.KafkaSpec;
import io.nightshift.connectors.fetch.S3Fetcher;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinkTargetsTest {
    private static final S3Fetcher.Options S3 = new S3Fetcher.Options("eu-west-1", URI.create("http://127.0.0.1:9000"), true,
            "AKID", "s3cr3t", Duration.ofSeconds(1), Duration.ofSeconds(1));

    @TempDir
    Path dir;

    private static KafkaSpec.SinkSpec sink(String path) {
        return new KafkaSpec.SinkSpec(path, 0, null);
    }

    @Test
    void aTaskGetsOnlyTheStoreItsSinkWritesTo() {
        assertThat(SinkTargets.environment(sink("/data/out"), S3, List.of(Path.of("/etc/hadoop")), "etl")).isEmpty();
        assertThat(SinkTargets.environment(null, S3, List.of(), null)).isEmpty();
        assertThat(SinkTargets.environment(sink("hdfs:///out"), S3, List.of(Path.of("/etc/h1"), Path.of("/etc/h2")), "etl"))
                .containsExactlyInAnyOrderEntriesOf(Map.of(SinkTargets.HDFS_CONF_DIRS, "/etc/h1,/etc/h2",
                        SinkTargets.HDFS_USER, "etl"));
        Map<String, String> s3 = SinkTargets.environment(sink("s3://bucket/out"), S3, List.of(Path.of("/etc/h1")), null);
        assertThat(s3).containsEntry(SinkTargets.S3_ENDPOINT, "http://127.0.0.1:9000")
                .containsEntry(SinkTargets.S3_REGION, "eu-west-1").containsEntry(SinkTargets.S3_PATH_STYLE, "true")
                .containsEntry(SinkTargets.S3_ACCESS_KEY, "AKID").containsEntry(SinkTargets.S3_SECRET_KEY, "s3cr3t")
                .doesNotContainKey(SinkTargets.HDFS_CONF_DIRS);
    }

    @Test
    void aLocalTargetPublishesByRenameAndListsByPrefix() throws Exception {
        SinkTarget t = SinkTargets.open(sink(dir.toString()), dir.resolve("unused"), Map.of());
        Path staged = t.staging().resolve(".inprogress-orders-0-0.ndjson");
        Files.writeString(staged, "x\n");
        t.publish(staged, "orders-0-0-0.ndjson");
        assertThat(Files.exists(staged)).isFalse();
        assertThat(t.list("orders-0-")).containsExactly("orders-0-0-0.ndjson");
        assertThat(t.list("orders-1-")).isEmpty();
        t.delete("orders-0-0-0.ndjson");
        t.delete("orders-0-0-0.ndjson"); // twice: nothing
        assertThat(t.list("")).isEmpty();
    }

    @Test
    void anHdfsSinkOnAnAgentWithoutClustersFailsNamingTheSetting() {
        assertThatThrownBy(() -> SinkTargets.open(sink("hdfs:///out"), dir, Map.of()))
                .hasMessageContaining("agent.fetch.hdfs.conf-dirs");
    }
}
