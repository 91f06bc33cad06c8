package io.nightshift.testkit;

import io.nightshift.sdk.kafka.HandlerContext;
import io.nightshift.sdk.kafka.Record;
import io.nightshift.sdk.kafka.RecordHandler;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A user handler for KafkaJobsIT's supervision tests, run by the harness in the task's JVM: a record whose value is
 * {@code poison} makes every call holding it throw (an ordinary exception, neither retriable nor fatal); a record
 * whose value is {@code hang} makes the call never return; every other record's key is appended to
 * {@code $DELIVERIES_DIR/<attempt>.keys} once its batch is handled.
 */
public class PickyHandler implements RecordHandler {
    private Writer out;

    @Override
    public void open(HandlerContext context) throws IOException {
        Path dir = Path.of(System.getenv("DELIVERIES_DIR"));
        Files.createDirectories(dir);
        out = Files.newBufferedWriter(dir.resolve(System.getenv("NIGHTSHIFT_ATTEMPT_ID") + ".keys"), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override
    public void handle(List<Record> batch) throws Exception {
        for (Record r : batch) {
            String value = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
            if (value.equals("poison")) throw new IllegalArgumentException("cannot parse the value of " + r.offset());
            if (value.equals("hang")) Thread.sleep(Long.MAX_VALUE);
        }
        for (Record r : batch) out.write(new String(r.key(), StandardCharsets.UTF_8) + "\n");
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (out != null) out.close();
    }
}
