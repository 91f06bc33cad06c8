package io.nightshift.coordinator.state.jdbc;

import io.nightshift.api.state.JobState;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child JVM of {@link SqliteCrashDurabilityTest}: opens the embedded database in {@code args[0]}
 * and, on two threads (Hazelcast stores from several partition threads), writes jobs through the
 * jobs MapStore, printing {@code ACK <id>} only after store() returned. It runs until killed.
 */
public final class CrashWriterMain {
    private CrashWriterMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path dataDir = Path.of(args[0]);
        int perThread = Integer.parseInt(args[1]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        Database db = Database.open(null, null, null, dataDir);
        Thread[] writers = new Thread[2];
        for (int t = 0; t < writers.length; t++) {
            String prefix = "w" + t + "-";
            writers[t] = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    String id = prefix + i;
                    db.jobs().store(id, Rows.json(Rows.job(id, JobState.QUEUED)));
                    synchronized (out) {
                        out.println("ACK " + id);
                        out.flush();
                    }
                }
            }, "writer-" + t);
            writers[t].start();
        }
        for (Thread w : writers) w.join();
        db.close();
    }
}
