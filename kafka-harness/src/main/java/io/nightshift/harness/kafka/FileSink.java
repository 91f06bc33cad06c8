package io.nightshift.harness.kafka;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.nightshift.api.spec.KafkaSpec;
import io.nightshift.connectors.sink.SinkTarget;
import io.nightshift.sdk.kafka.HandlerContext;
import io.nightshift.sdk.kafka.Record;
import io.nightshift.sdk.kafka.RecordHandler;
import io.nightshift.sdk.kafka.TopicPartition;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * The built-in sink: every record into a file of its partition, in the spec's format, in a {@link SinkTarget}
 * (a local directory, HDFS or S3).
 * <ul>
 *   <li>{@code ndjson}: one JSON line per record
 *       {@code {"topic":…,"partition":…,"offset":…,"timestamp":…,"key":…,"value":…}} (key and value as text when
 *       they are UTF-8, else as {@code keyBase64}/{@code valueBase64}; null stays null);</li>
 *   <li>{@code parquet}: the same fields as columns ({@link ParquetPart#SCHEMA}: key and value as binary), written with
 *       parquet-hadoop's example {@code Group} writer, snappy pages.</li>
 * </ul>
 *
 * <p>Files: a partition's records are written to {@code .inprogress-<topic>-<partition>-<firstOffset>.<ext>} in the
 * target's local staging directory; rolling (at {@code rollBytes}, at {@code rollInterval}, and before every commit)
 * closes and fsyncs it and publishes it as {@code <topic>-<partition>-<firstOffset>-<lastOffset>.<ext>} in one step
 * (rename, or one S3 PUT), so a finished name always holds the whole file. Idempotent re-delivery: a commit happens
 * only after the roll, so when a partition is assigned at offset {@code s}, every finished file of it starting at
 * {@code s} or later holds only uncommitted records, which will be delivered again: those files (and any
 * in-progress file of that partition) are deleted first. The target thus holds each record exactly once, and a
 * re-delivered range gets the same name as before.
 */
public final class FileSink implements RecordHandler {
    private static final JsonFactory JSON = new JsonFactory();
    /** Parquet buffers a row group in memory: at most this much per open file (one per partition). */
    static final long MAX_ROW_GROUP_BYTES = 16L << 20;

    private final SinkTarget target;
    private final KafkaSpec.Format format;
    private final String ext;
    private final Pattern finished;
    private final long rollBytes;
    private final long rollIntervalNanos;
    private final Map<TopicPartition, Part> open = new HashMap<>();
    private boolean published;

    public FileSink(KafkaSpec.SinkSpec spec, SinkTarget target) {
        this.target = target;
        this.format = spec.formatOrDefault();
        this.ext = "." + format.wire();
        this.finished = Pattern.compile("(.+)-(\\d+)-(\\d+)-(\\d+)" + Pattern.quote(ext));
        this.rollBytes = spec.rollBytes();
        this.rollIntervalNanos = spec.rollInterval().toNanos();
    }

    /** One partition's file being written. */
    private abstract static class Part {
        final TopicPartition tp;
        final Path file;
        final long firstOffset;
        final long openedNanos = System.nanoTime();
        long lastOffset;

        Part(TopicPartition tp, Path file, long firstOffset) {
            this.tp = tp;
            this.file = file;
            this.firstOffset = firstOffset;
        }

        abstract void write(Record r) throws IOException;

        /** Bytes written so far (buffered ones included). */
        abstract long bytes();

        /** Flushes, closes and fsyncs the file. */
        abstract void finish() throws IOException;
    }

    private static final class NdjsonPart extends Part {
        final FileChannel channel;
        final OutputStream out;
        long bytes;

        NdjsonPart(TopicPartition tp, Path file, long firstOffset) throws IOException {
            super(tp, file, firstOffset);
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        }

        @Override
        void write(Record r) throws IOException {
            byte[] line = line(r);
            out.write(line);
            bytes += line.length;
        }

        @Override
        long bytes() {
            return bytes;
        }

        @Override
        void finish() throws IOException {
            out.flush();
            channel.force(true);
            out.close();
        }
    }

    /** Parquet files (a class of its own: an NDJSON sink never loads Parquet or Hadoop classes). */
    static final class ParquetPart extends Part {
        /** The columns of a Parquet file: one row per record. */
        static final MessageType SCHEMA = Types.buildMessage()
                .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("topic")
                .required(PrimitiveTypeName.INT32).named("partition")
                .required(PrimitiveTypeName.INT64).named("offset")
                .required(PrimitiveTypeName.INT64)
                .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS)).named("timestamp")
                .optional(PrimitiveTypeName.BINARY).named("key")
                .optional(PrimitiveTypeName.BINARY).named("value")
                .named("kafka_record");
        final ParquetWriter<Group> writer;
        final SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);

        ParquetPart(TopicPartition tp, Path file, long firstOffset, long rollBytes) throws IOException {
            super(tp, file, firstOffset);
            this.writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
                    .withConf(new PlainParquetConfiguration())
                    .withType(SCHEMA)
                    .withCompressionCodec(CompressionCodecName.SNAPPY)
                    .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                    .withRowGroupSize(Math.min(rollBytes, MAX_ROW_GROUP_BYTES))
                    .build();
        }

        @Override
        void write(Record r) throws IOException {
            Group g = groups.newGroup()
                    .append("topic", r.topic())
                    .append("partition", r.partition())
                    .append("offset", r.offset())
                    .append("timestamp", r.timestamp());
            if (r.key() != null) g.append("key", Binary.fromConstantByteArray(r.key()));
            if (r.value() != null) g.append("value", Binary.fromConstantByteArray(r.value()));
            writer.write(g);
        }

        @Override
        long bytes() {
            return writer.getDataSize();
        }

        @Override
        void finish() throws IOException {
            writer.close();
            try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                c.force(true);
            }
        }
    }

    @Override
    public void open(HandlerContext context) throws IOException {
        Files.createDirectories(target.staging());
    }

    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> startOffsets) throws IOException {
        for (Map.Entry<TopicPartition, Long> e : startOffsets.entrySet()) {
            TopicPartition tp = e.getKey();
            String prefix = tp.topic() + "-" + tp.partition() + "-";
            for (String name : target.list(".inprogress-" + prefix)) target.delete(name);
            for (String name : target.list(prefix)) {
                Matcher m = finished.matcher(name);
                if (m.matches() && m.group(1).equals(tp.topic()) && Integer.parseInt(m.group(2)) == tp.partition()
                        && Long.parseLong(m.group(3)) >= e.getValue()) {
                    target.delete(name); // uncommitted: it will be delivered again
                }
            }
            try (DirectoryStream<Path> staged = Files.newDirectoryStream(target.staging(), ".inprogress-" + prefix + "*")) {
                for (Path f : staged) Files.deleteIfExists(f);
            }
        }
    }

    @Override
    public void handle(List<Record> batch) throws IOException {
        for (Record r : batch) {
            TopicPartition tp = r.topicPartition();
            Part p = open.get(tp);
            if (p == null) {
                Path file = target.staging().resolve(".inprogress-" + tp.topic() + "-" + tp.partition() + "-" + r.offset() + ext);
                p = format == KafkaSpec.Format.PARQUET ? new ParquetPart(tp, file, r.offset(), rollBytes)
                        : new NdjsonPart(tp, file, r.offset());
                open.put(tp, p);
            }
            p.write(r);
            p.lastOffset = r.offset();
            if (p.bytes() >= rollBytes) roll(p);
        }
        List<Part> old = new ArrayList<>();
        long now = System.nanoTime();
        for (Part p : open.values()) if (now - p.openedNanos >= rollIntervalNanos) old.add(p);
        for (Part p : old) roll(p);
    }

    @Override
    public void beforeCommit() throws IOException {
        for (Part p : new ArrayList<>(open.values())) roll(p);
        if (published) target.sync();
        published = false;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) throws IOException {
        for (TopicPartition tp : partitions) {
            Part p = open.get(tp);
            if (p != null) roll(p);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            beforeCommit();
        } finally {
            target.close();
        }
    }

    private void roll(Part p) throws IOException {
        open.remove(p.tp);
        p.finish();
        target.publish(p.file, p.tp.topic() + "-" + p.tp.partition() + "-" + p.firstOffset + "-" + p.lastOffset + ext);
        published = true;
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
