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
 * A user handler for KafkaJobsIT, run by the harness in the task's JVM from testkit's test classes: appends the
 * key of every record it is handed to {@code $DELIVERIES_DIR/<attempt>.keys} (one line each, written before
 * handle returns), so the test can count deliveries, duplicates included. Takes {@code $HANDLE_DELAY_MS} per batch.
 */
public class CountingHandler implements RecordHandler {
    private Writer out;
    private long delayMs;

    @Override
    public void open(HandlerContext context) throws IOException {
        Path dir = Path.of(System.getenv("DELIVERIES_DIR"));
        Files.createDirectories(dir);
        String attempt = System.getenv("NIGHTSHIFT_ATTEMPT_ID");
        out = Files.newBufferedWriter(dir.resolve(attempt + ".keys"), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        delayMs = Long.parseLong(System.getenv().getOrDefault("HANDLE_DELAY_MS", "0"));
    }

    @Override
    public void handle(List<Record> batch) throws Exception {
        for (Record r : batch) out.write(new String(r.key(), StandardCharsets.UTF_8) + "\n");
        out.flush();
        if (delayMs > 0) Thread.sleep(delayMs);
    }

    @Override
    public void close() throws IOException {
        if (out != null) out.close();
    }
}
