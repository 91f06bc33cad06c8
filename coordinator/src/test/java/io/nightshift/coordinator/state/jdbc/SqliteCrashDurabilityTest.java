package io.nightshift.coordinator.state.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a process that is writing through the jobs MapStore loses nothing it acknowledged: the
 * child prints an id only after store() returned; the test SIGKILLs it mid-stream, reopens the
 * database (SQLite recovers from the WAL) and finds every printed id.
 */
class SqliteCrashDurabilityTest {

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedStoreSurvivesKillDashNine() throws Exception {
        Path dataDir = dir.resolve("data");
        Path childOut = dir.resolve("child.out");
        Path childErr = dir.resolve("child.err");
        // stdout to a file, not a pipe: Process.destroyForcibly() closes the pipe, and the lines the
        // child wrote just before it died must still be read.
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashWriterMain.class.getName(), dataDir.toString(), "10000000")
                .redirectOutput(childOut.toFile())
                .redirectError(childErr.toFile())
                .start();
        try {
            await().atMost(Duration.ofSeconds(90))
                    .failFast("child exited early; see " + childErr, () -> !child.isAlive())
                    .until(() -> acknowledged(childOut).size() >= 400);
            child.destroyForcibly(); // SIGKILL, in the middle of writing
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        Set<String> acked = acknowledged(childOut);
        assertThat(child.exitValue()).as("killed by SIGKILL, not finished").isEqualTo(128 + 9);

        try (Database db = Database.open(null, null, null, dataDir)) {
            Set<String> found = db.jobs().loadAll(acked).keySet();
            assertThat(found).as("acknowledged ids present after kill -9").hasSameSizeAs(acked).containsAll(acked);
            long rows;
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM ns_jobs")) {
                rs.next();
                rows = rs.getLong(1);
            }
            // at most one commit per writer thread can have landed without its acknowledgement
            assertThat(rows).isBetween((long) acked.size(), acked.size() + 2L);
        }
    }

    /** Ids on complete "ACK id" lines: a line cut short by the kill could name another id ("w0-12" of "w0-123"). */
    private static Set<String> acknowledged(Path out) throws IOException {
        String text = Files.readString(out, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        Set<String> ids = new HashSet<>();
        if (end < 0) return ids;
        for (String line : text.substring(0, end).split("\n")) {
            if (line.startsWith("ACK ")) ids.add(line.substring(4));
        }
        return ids;
    }
}
