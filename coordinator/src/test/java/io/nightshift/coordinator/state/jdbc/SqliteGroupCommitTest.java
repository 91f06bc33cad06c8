package io.nightshift.coordinator.state.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite group commit: writes that queue up while one commits go to disk together in the next
 * commit, each caller returns only after the commit holding its write, and one failing write
 * does not fail the others of its group.
 */
class SqliteGroupCommitTest {

    @TempDir
    Path dir;

    private Database db;
    private Sql sql;
    private final ExecutorService threads = Executors.newFixedThreadPool(24);

    @BeforeEach
    void open() {
        db = Database.open(null, null, null, dir);
        sql = new Sql(db.dataSource(), true);
    }

    @AfterEach
    void close() {
        threads.shutdownNow();
        db.close();
    }

    @Test
    void writesQueuedBehindACommitShareTheNextOne() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<Integer> first = threads.submit(() -> sql.write("first", c -> {
            entered.countDown(); // it holds the write lock now, in its own commit
            block(release);
            return insert(c, "first");
        }));
        block(entered);
        List<Future<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "a" + i;
            queued.add(threads.submit(() -> sql.write(id, c -> insert(c, id))));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sql.queuedWrites() == 20);
        release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        for (Future<Integer> f : queued) assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(sql.groupCommitCounts()).containsExactly(2, 21); // the first alone, then the 20 together
        assertThat(db.agents().loadAllKeys()).hasSize(21);
    }

    @Test
    void aFailingWriteFailsAloneAndItsGroupStillCommits() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<Integer> first = threads.submit(() -> sql.write("first", c -> {
            entered.countDown(); // it holds the write lock now, in its own commit
            block(release);
            return insert(c, "first");
        }));
        block(entered);
        List<Future<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = "a" + i;
            queued.add(threads.submit(() -> sql.write(id, c -> {
                if (id.equals("a5")) throw new SQLException("disk says no", "XX000");
                return insert(c, id);
            })));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sql.queuedWrites() == 10);
        release.countDown();

        first.get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 10; i++) {
            Future<Integer> f = queued.get(i);
            if (i == 5) {
                assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(DatabaseException.class).hasMessageContaining("a5").hasMessageContaining("disk says no");
            } else {
                assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            }
        }
        assertThat(db.agents().loadAllKeys()).hasSize(10).doesNotContain("a5");
    }

    private static int insert(java.sql.Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ns_agents (id, body) VALUES (?, '{}')")) {
            ps.setString(1, id);
            return ps.executeUpdate();
        }
    }

    private static void block(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
