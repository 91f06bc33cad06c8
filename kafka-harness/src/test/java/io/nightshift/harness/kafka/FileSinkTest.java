package io.nightshift.harness.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.spec.KafkaSpec;
import io.nightshift.connectors.sink.LocalSinkTarget;
import io.nightshift.sdk.kafka.Record;
import io.nightshift.sdk.kafka.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FileSinkTest {
    @TempDir
    Path dir;

    private static final TopicPartition P0 = new TopicPartition("orders", 0);

    private FileSink sink(long rollBytes, KafkaSpec.Format format) throws Exception {
        FileSink s = new FileSink(new KafkaSpec.SinkSpec(dir.toString(), rollBytes, Duration.ofHours(1), format),
                new LocalSinkTarget(dir));
        s.open(null);
        return s;
    }

    private static List<Record> records(long from, long to) {
        List<Record> out = new ArrayList<>();
        for (long o = from; o <= to; o++) {
            out.add(new Record("orders", 0, o, 1000 + o, ("k" + o).getBytes(StandardCharsets.UTF_8),
                    ("{\"n\":" + o + "}").getBytes(StandardCharsets.UTF_8), Map.of()));
        }
        return out;
    }

    private List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Every record's key in the finished files, NDJSON lines or Parquet rows read back with parquet-hadoop. */
    private List<String> keys() throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".ndjson")) {
                    for (String line : Files.readAllLines(p)) {
                        out.add(io.nightshift.api.json.Json.mapper().readTree(line).get("key").asText());
                    }
                } else if (name.endsWith(".parquet")) {
                    for (Group g : readParquet(p)) out.add(g.getBinary("key", 0).toStringUsingUTF8());
                }
            }
        }
        return out;
    }

    static List<Group> readParquet(Path file) throws Exception {
        List<Group> rows = new ArrayList<>();
        try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(),
                new org.apache.hadoop.fs.Path(file.toUri())).build()) {
            for (Group g = r.read(); g != null; g = r.read()) rows.add(g);
        }
        return rows;
    }

    @Test
    void recordsStayInProgressUntilACommitRollsThemIntoANamedFile() throws Exception {
        FileSink s = sink(1 << 20, null);
        s.onPartitionsAssigned(Map.of(P0, 0L));
        s.handle(records(0, 9));
        assertThat(names()).containsExactly(".inprogress-orders-0-0.ndjson");
        s.beforeCommit();
        assertThat(names()).containsExactly("orders-0-0-9.ndjson");
        assertThat(Files.readAllLines(dir.resolve("orders-0-0-9.ndjson")).get(0))
                .isEqualTo("{\"topic\":\"orders\",\"partition\":0,\"offset\":0,\"timestamp\":1000,"
                        + "\"key\":\"k0\",\"value\":\"{\\\"n\\\":0}\"}");
    }

    @Test
    void parquetRowsCarryEveryFieldOfTheRecord() throws Exception {
        FileSink s = sink(1 << 20, KafkaSpec.Format.PARQUET);
        s.onPartitionsAssigned(Map.of(P0, 0L));
        List<Record> batch = new ArrayList<>(records(0, 8));
        batch.add(new Record("orders", 0, 9, 1009, null, new byte[] {(byte) 0xff, 0x00}, null));
        s.handle(batch);
        assertThat(names()).containsExactly(".inprogress-orders-0-0.parquet");
        s.beforeCommit();
        assertThat(names()).containsExactly("orders-0-0-9.parquet");
        List<Group> rows = readParquet(dir.resolve("orders-0-0-9.parquet"));
        assertThat(rows).hasSize(10);
        Group first = rows.get(0);
        assertThat(first.getString("topic", 0)).isEqualTo("orders");
        assertThat(first.getInteger("partition", 0)).isZero();
        assertThat(first.getLong("offset", 0)).isZero();
        assertThat(first.getLong("timestamp", 0)).isEqualTo(1000);
        assertThat(first.getBinary("value", 0).toStringUsingUTF8()).isEqualTo("{\"n\":0}");
        Group last = rows.get(9);
        assertThat(last.getFieldRepetitionCount("key")).isZero(); // null key: no value
        assertThat(last.getBinary("value", 0).getBytes()).containsExactly((byte) 0xff, 0x00);
    }

    @ParameterizedTest
    @EnumSource(KafkaSpec.Format.class)
    void aFileRollsWhenItReachesRollBytes(KafkaSpec.Format format) throws Exception {
        FileSink s = sink(1024, format);
        s.onPartitionsAssigned(Map.of(P0, 0L));
        for (long o = 0; o < 150; o += 50) s.handle(records(o, o + 49));
        s.beforeCommit();
        assertThat(names().size()).isGreaterThan(1);
        assertThat(keys()).hasSize(150).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @EnumSource(KafkaSpec.Format.class)
    void reDeliveryFromTheCommittedOffsetLeavesEveryRecordExactlyOnce(KafkaSpec.Format format) throws Exception {
        String ext = "." + format.wire();
        FileSink first = sink(1 << 20, format);
        first.onPartitionsAssigned(Map.of(P0, 0L));
        first.handle(records(0, 9));
        first.beforeCommit();                  // committed at 10
        first.handle(records(10, 19));
        first.beforeCommit();                  // rolled, but the commit at 20 never happened (crash)
        first.handle(records(20, 24));         // in progress when the process died

        FileSink next = sink(1 << 20, format);   // the partition's next owner starts at the committed offset
        next.onPartitionsAssigned(Map.of(P0, 10L));
        assertThat(names()).containsExactly("orders-0-0-9" + ext);
        next.handle(records(10, 24));
        next.beforeCommit();
        assertThat(names()).containsExactly("orders-0-0-9" + ext, "orders-0-10-24" + ext);
        assertThat(keys()).hasSize(25).doesNotHaveDuplicates();
    }

    @Test
    void aTopicWhoseNameLooksLikeAnotherTopicsPartitionKeepsItsFiles() throws Exception {
        FileSink s = sink(1 << 20, null);
        TopicPartition other = new TopicPartition("orders-0", 1);
        s.onPartitionsAssigned(Map.of(other, 0L));
        s.handle(List.of(new Record("orders-0", 1, 0, 0, null, null, null)));
        s.beforeCommit();
        s.onPartitionsAssigned(Map.of(P0, 0L)); // "orders-0-" is a prefix of "orders-0-1-0-0.ndjson"
        assertThat(names()).containsExactly("orders-0-1-0-0.ndjson");
    }

    @Test
    void bytesThatAreNotUtf8AreWrittenAsBase64AndNullStaysNull() throws Exception {
        byte[] line = FileSink.line(new Record("t", 1, 5, 0, null, new byte[] {(byte) 0xff, 0x00}, Map.of()));
        assertThat(new String(line, StandardCharsets.UTF_8))
                .isEqualTo("{\"topic\":\"t\",\"partition\":1,\"offset\":5,\"timestamp\":0,\"key\":null,\"valueBase64\":\"/wA=\"}\n");
    }
}
