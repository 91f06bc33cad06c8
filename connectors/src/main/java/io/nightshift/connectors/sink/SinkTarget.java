package io.nightshift.connectors.sink;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the Kafka sink's finished files go: a local directory, an HDFS directory or an S3 prefix. A file is
 * written whole under {@link #staging()} first and then {@link #publish published} under its final name in one
 * step (a rename on a local or HDFS directory, one PUT on S3), so a reader never sees a torn file and a name that
 * exists always holds the whole file.
 */
public interface SinkTarget extends AutoCloseable {
    /** The local directory files are written to before they are published. */
    Path staging();

    /** The names of the files directly in the target whose name starts with {@code prefix}. */
    List<String> list(String prefix) throws IOException;

    /** Removes the file {@code name}; nothing when it does not exist. */
    void delete(String name) throws IOException;

    /** Makes {@code local} (under {@link #staging()}) the whole file {@code name} in the target, and removes {@code local}. */
    void publish(Path local, String name) throws IOException;

    /** Makes what was published durable (a local directory's fsync); the remote targets are durable per publish. */
    default void sync() throws IOException {
    }

    /** Where the files are, for logs and the user: a path or URI, never a credential. */
    String location();

    @Override
    default void close() throws IOException {
    }
}
