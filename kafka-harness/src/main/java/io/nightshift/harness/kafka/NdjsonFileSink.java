package io.nightshift.harness.kafka;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.nightshift.api.spec.KafkaSpec;
import io.nightshift.sdk.kafka.HandlerContext;
import io.nightshift.sdk.kafka.Record;
import io.nightshift.sdk.kafka.RecordHandler;
import io.nightshift.sdk.kafka.TopicPartition;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in sink: every record as one JSON line
 * {@code {"topic":…,"partition":…,"offset":…,"timestamp":…,"key":…,"value":…}} (key and value as text when they
 * are UTF-8, else as {@code keyBase64}/{@code valueBase64}; null stays null), one open file per partition.
 *
 * <p>Files: a partition's records go to {@code .inprogress-<topic>-<partition>-<firstOffset>} in the sink's
 * directory; rolling (at {@code rollBytes}, at {@code rollInterval}, and before every commit) fsyncs it and renames
 * it to {@code <topic>-<partition>-<firstOffset>-<lastOffset>.ndjson}. Idempotent re-delivery: a commit happens
 * only after the roll, so when a partition is assigned at offset {@code s}, every finished file of it starting at
 * {@code s} or later holds only uncommitted records, which will be delivered again: those files (and any
 * in-progress file of that partition) are deleted first. The directory thus holds each record exactly once.
 */
public final class NdjsonFileSink implements RecordHandler {
    static final Pattern FINISHED = Pattern.compile("(.+)-(\\d+)-(\\d+)-(\\d+)\\.ndjson");
    private static final JsonFactory JSON = new JsonFactory();

    private final Path dir;
    private final long rollBytes;
    private final long rollIntervalNanos;
    private final Map<TopicPartition, Open> open = new HashMap<>();

    public NdjsonFileSink(KafkaSpec.SinkSpec spec) {
        this.dir = Path.of(spec.path());
        this.rollBytes = spec.rollBytes();
        this.rollIntervalNanos = spec.rollInterval().toNanos();
    }

    private static final class Open {
        final TopicPartition tp;
        final Path file;
        final FileChannel channel;
        final OutputStream out;
        final long firstOffset;
        final long openedNanos = System.nanoTime();
        long lastOffset;
        long bytes;

        Open(TopicPartition tp, Path file, long firstOffset) throws IOException {
            this.tp = tp;
            this.file = file;
            this.firstOffset = firstOffset;
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            this.out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16);
        }
    }

    @Override
    public void open(HandlerContext context) throws IOException {
        Files.createDirectories(dir);
    }

    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> startOffsets) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                for (Map.Entry<TopicPartition, Long> e : startOffsets.entrySet()) {
                    TopicPartition tp = e.getKey();
                    String prefix = tp.topic() + "-" + tp.partition() + "-";
                    if (name.startsWith(".inprogress-" + prefix)) {
                        Files.deleteIfExists(f);
                    } else if (name.startsWith(prefix)) {
                        Matcher m = FINISHED.matcher(name);
                        if (m.matches() && m.group(1).equals(tp.topic()) && Integer.parseInt(m.group(2)) == tp.partition()
                                && Long.parseLong(m.group(3)) >= e.getValue()) {
                            Files.deleteIfExists(f); // uncommitted: it will be delivered again
                        }
                    }
                }
            }
        }
    }

    @Override
    public void handle(List<Record> batch) throws IOException {
        for (Record r : batch) {
            TopicPartition tp = r.topicPartition();
            Open o = open.get(tp);
            if (o == null) {
                o = new Open(tp, dir.resolve(".inprogress-" + tp.topic() + "-" + tp.partition() + "-" + r.offset()), r.offset());
                open.put(tp, o);
            }
            byte[] line = line(r);
            o.out.write(line);
            o.bytes += line.length;
            o.lastOffset = r.offset();
            if (o.bytes >= rollBytes) roll(o);
        }
        List<Open> old = new ArrayList<>();
        long now = System.nanoTime();
        for (Open o : open.values()) if (now - o.openedNanos >= rollIntervalNanos) old.add(o);
        for (Open o : old) roll(o);
    }

    @Override
    public void beforeCommit() throws IOException {
        for (Open o : new ArrayList<>(open.values())) roll(o);
        fsyncDir();
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) throws IOException {
        for (TopicPartition tp : partitions) {
            Open o = open.get(tp);
            if (o != null) roll(o);
        }
    }

    @Override
    public void close() throws IOException {
        beforeCommit();
    }

    private void roll(Open o) throws IOException {
        open.remove(o.tp);
        o.out.flush();
        o.channel.force(true);
        o.out.close();
        Path finished = dir.resolve(o.tp.topic() + "-" + o.tp.partition() + "-" + o.firstOffset + "-" + o.lastOffset + ".ndjson");
        Files.move(o.file, finished, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void fsyncDir() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be opened for fsync
        }
    }

    static byte[] line(Record r) throws IOException {
        var buf = new java.io.ByteArrayOutputStream(128 + (r.value() == null ? 0 : r.value().length));
        try (JsonGenerator g = JSON.createGenerator(buf, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("topic", r.topic());
            g.writeNumberField("partition", r.partition());
            g.writeNumberField("offset", r.offset());
            g.writeNumberField("timestamp", r.timestamp());
            bytesField(g, "key", r.key());
            bytesField(g, "value", r.value());
            g.writeEndObject();
        }
        buf.write('\n');
        return buf.toByteArray();
    }

    private static void bytesField(JsonGenerator g, String name, byte[] bytes) throws IOException {
        if (bytes == null) {
            g.writeNullField(name);
            return;
        }
        String text = utf8(bytes);
        if (text != null) g.writeStringField(name, text);
        else g.writeStringField(name + "Base64", Base64.getEncoder().encodeToString(bytes));
    }

    private static String utf8(byte[] bytes) {
        boolean ascii = true;
        for (byte b : bytes) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) return new String(bytes, StandardCharsets.US_ASCII);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
