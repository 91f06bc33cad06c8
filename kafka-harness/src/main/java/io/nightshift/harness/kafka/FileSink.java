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

    /**
     * NDJSON: one generator per file writing straight into the file's buffer (no byte array per record); key and
     * value bytes go out as they are when they are UTF-8 (no String in between).
     */
    private static final class NdjsonPart extends Part {
        final FileChannel channel;
        final CountingOutputStream out;
        final JsonGenerator json;

        NdjsonPart(TopicPartition tp, Path file, long firstOffset) throws IOException {
            super(tp, file, firstOffset);
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            this.out = new CountingOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
            this.json = generator(out);
        }

        @Override
        void write(Record r) throws IOException {
            writeLine(json, r);
        }

        @Override
        long bytes() {
            return out.count + json.getOutputBuffered();
        }

        @Override
        void finish() throws IOException {
            json.flush(); // the generator's buffer, then the file's
            channel.force(true);
            json.close(); // and with it the stream and the channel
        }
    }

    /** Counts what passes through (the generator buffers, so a file's size is this plus what it holds). */
    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
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
        Part p = null; // a poll's records come grouped by partition: look the part up when the partition changes
        for (Record r : batch) {
            if (p == null || p.tp.partition() != r.partition() || !p.tp.topic().equals(r.topic())) p = part(r);
            p.write(r);
            p.lastOffset = r.offset();
            if (p.bytes() >= rollBytes) {
                roll(p);
                p = null;
            }
        }
        List<Part> old = new ArrayList<>();
        long now = System.nanoTime();
        for (Part o : open.values()) if (now - o.openedNanos >= rollIntervalNanos) old.add(o);
        for (Part o : old) roll(o);
    }

    /** The open file of the record's partition, opened at the record's offset if there is none. */
    private Part part(Record r) throws IOException {
        TopicPartition tp = r.topicPartition();
        Part p = open.get(tp);
        if (p == null) {
            Path file = target.staging().resolve(".inprogress-" + tp.topic() + "-" + tp.partition() + "-" + r.offset() + ext);
            p = format == KafkaSpec.Format.PARQUET ? new ParquetPart(tp, file, r.offset(), rollBytes)
                    : new NdjsonPart(tp, file, r.offset());
            open.put(tp, p);
        }
        return p;
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

    /** A generator of JSON lines: no separator between root values (each line ends in a newline of its own). */
    private static JsonGenerator generator(OutputStream out) throws IOException {
        JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8);
        g.setRootValueSeparator(null);
        return g;
    }

    /** The record as one JSON line. */
    static byte[] line(Record r) throws IOException {
        var buf = new java.io.ByteArrayOutputStream(128 + (r.value() == null ? 0 : r.value().length));
        try (JsonGenerator g = generator(buf)) {
            writeLine(g, r);
        }
        return buf.toByteArray();
    }

    private static void writeLine(JsonGenerator g, Record r) throws IOException {
        g.writeStartObject();
        g.writeStringField("topic", r.topic());
        g.writeNumberField("partition", r.partition());
        g.writeNumberField("offset", r.offset());
        g.writeNumberField("timestamp", r.timestamp());
        bytesField(g, "key", r.key());
        bytesField(g, "value", r.value());
        g.writeEndObject();
        g.writeRaw('\n');
    }

    private static void bytesField(JsonGenerator g, String name, byte[] bytes) throws IOException {
        if (bytes == null) {
            g.writeNullField(name);
        } else if (isUtf8(bytes)) {
            g.writeFieldName(name);
            g.writeUTF8String(bytes, 0, bytes.length); // escaped as needed, never decoded into a String
        } else {
            g.writeStringField(name + "Base64", Base64.getEncoder().encodeToString(bytes));
        }
    }

    private static boolean isUtf8(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) return utf8(bytes) != null;
        }
        return true; // ASCII
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
