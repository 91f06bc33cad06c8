package io.nightshift.harness.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.spec.KafkaSpec;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NdjsonFileSinkTest {
    @TempDir
    Path dir;

    private static final TopicPartition P0 = new TopicPartition("orders", 0);

    private NdjsonFileSink sink(long rollBytes) throws Exception {
        NdjsonFileSink s = new NdjsonFileSink(new KafkaSpec.SinkSpec(dir.toString(), rollBytes, Duration.ofHours(1)));
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

    private List<String> lines() throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) out.addAll(Files.readAllLines(p));
        }
        return out;
    }

    @Test
    void recordsStayInProgressUntilACommitRollsThemIntoANamedFile() throws Exception {
        NdjsonFileSink s = sink(1 << 20);
        s.onPartitionsAssigned(Map.of(P0, 0L));
        s.handle(records(0, 9));
        assertThat(names()).containsExactly(".inprogress-orders-0-0");
        s.beforeCommit();
        assertThat(names()).containsExactly("orders-0-0-9.ndjson");
        assertThat(lines().get(0)).isEqualTo("{\"topic\":\"orders\",\"partition\":0,\"offset\":0,\"timestamp\":1000,"
                + "\"key\":\"k0\",\"value\":\"{\\\"n\\\":0}\"}");
    }

    @Test
    void aFileRollsWhenItReachesRollBytes() throws Exception {
        NdjsonFileSink s = sink(1024);
        s.onPartitionsAssigned(Map.of(P0, 0L));
        s.handle(records(0, 99));
        s.beforeCommit();
        assertThat(names().size()).isGreaterThan(1);
        assertThat(lines()).hasSize(100);
    }

    @Test
    void reDeliveryFromTheCommittedOffsetLeavesEveryRecordExactlyOnce() throws Exception {
        NdjsonFileSink first = sink(1 << 20);
        first.onPartitionsAssigned(Map.of(P0, 0L));
        first.handle(records(0, 9));
        first.beforeCommit();                  // committed at 10
        first.handle(records(10, 19));
        first.beforeCommit();                  // rolled, but the commit at 20 never happened (crash)
        first.handle(records(20, 24));         // in progress when the process died

        NdjsonFileSink next = sink(1 << 20);   // the partition's next owner starts at the committed offset
        next.onPartitionsAssigned(Map.of(P0, 10L));
        next.handle(records(10, 24));
        next.beforeCommit();
        assertThat(names()).containsExactly("orders-0-0-9.ndjson", "orders-0-10-24.ndjson");
        assertThat(lines()).hasSize(25).doesNotHaveDuplicates();
    }

    @Test
    void bytesThatAreNotUtf8AreWrittenAsBase64AndNullStaysNull() throws Exception {
        byte[] line = NdjsonFileSink.line(new Record("t", 1, 5, 0, null, new byte[] {(byte) 0xff, 0x00}, Map.of()));
        assertThat(new String(line, StandardCharsets.UTF_8))
                .isEqualTo("{\"topic\":\"t\",\"partition\":1,\"offset\":5,\"timestamp\":0,\"key\":null,\"valueBase64\":\"/wA=\"}\n");
    }
}
