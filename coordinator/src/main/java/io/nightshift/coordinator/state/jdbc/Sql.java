package io.nightshift.coordinator.state.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * The JDBC plumbing shared by the stores: a connection per call from the pool, a transaction that is
 * committed before the call returns (or rolled back), SQLException turned into
 * {@link DatabaseException} naming what was being done.
 */
final class Sql {

    /** Largest IN (...) list sent in one statement; well under SQLite's and PostgreSQL's limits. */
    static final int IN_CHUNK = 500;

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource pool;
    /**
     * Null (PostgreSQL: concurrent writers, each commit its own), or the group-commit lock of a
     * SQLite database (see {@link #write}). Fair: writers go in arrival order.
     */
    private final ReentrantLock writeLock;
    private final ConcurrentLinkedQueue<Pending<?>> pending = new ConcurrentLinkedQueue<>();

    /** Most single writes committed together in one group. */
    static final int MAX_GROUP = 256;

    /** Commits made by {@link #write} on SQLite, and the writes they carried: their ratio is the group size. */
    private final LongAdder writeCommits = new LongAdder();
    private final LongAdder groupedWrites = new LongAdder();

    Sql(DataSource pool, boolean groupCommit) {
        this.pool = pool;
        this.writeLock = groupCommit ? new ReentrantLock(true) : null;
    }

    /** Runs {@code work}, which only reads, on an auto-commit connection. */
    <T> T read(String what, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw DatabaseException.of(what, e);
        }
    }

    /**
     * Runs {@code work}, a small write, committed before this returns.
     *
     * <p>On SQLite, with group commit: SQLite has one writer at a time and, with synchronous=FULL,
     * one fsync per commit, which bounds a lone writer to a few hundred or thousand commits a second.
     * Concurrent callers (Hazelcast's partition threads) therefore queue their work; whoever holds
     * the write lock takes everything queued and commits it as one transaction (one fsync), and
     * each caller returns once the commit that holds its work is done. If that transaction fails,
     * each piece is redone alone so one bad write cannot fail its neighbours. Inside the JVM the fair
     * lock also replaces SQLite's busy polling (growing sleeps) with a FIFO queue; busy_timeout is
     * left for another process on the same file.
     */
    <T> T write(String what, Work<T> work) {
        if (writeLock == null) return read(what, work);
        Pending<T> mine = new Pending<>(what, work);
        pending.add(mine);
        writeLock.lock();
        try {
            while (!mine.done) commitGroup(); // more than MAX_GROUP ahead of it: several groups
        } finally {
            writeLock.unlock();
        }
        return mine.outcome();
    }

    /** Commits what is queued (at least the caller's own work, which is queued before the lock). */
    private void commitGroup() {
        List<Pending<?>> group = new ArrayList<>();
        Pending<?> p;
        while (group.size() < MAX_GROUP && (p = pending.poll()) != null) group.add(p);
        if (group.size() > 1) {
            try {
                transaction0("group commit of " + group.size() + " writes", c -> {
                    for (Pending<?> g : group) g.runInGroup(c);
                    return null;
                });
                for (Pending<?> g : group) g.done = true;
                writeCommits.increment();
                groupedWrites.add(group.size());
                return;
            } catch (RuntimeException | Error groupFailed) {
                for (Pending<?> g : group) g.discard();
            }
        }
        for (Pending<?> g : group) g.runAlone();
        writeCommits.add(group.size());
        groupedWrites.add(group.size());
    }

    /** Writes waiting for the write lock (for tests). */
    int queuedWrites() {
        return pending.size();
    }

    /** {commits, writes} made through {@link #write} with group commit so far. */
    long[] groupCommitCounts() {
        return new long[] {writeCommits.sum(), groupedWrites.sum()};
    }

    /** One queued write and, once done, its result or failure. Fields are guarded by writeLock. */
    private final class Pending<T> {
        private final String what;
        private final Work<T> work;
        boolean done;
        private T result;
        private Throwable failure;

        Pending(String what, Work<T> work) {
            this.what = what;
            this.work = work;
        }

        void runInGroup(Connection c) throws SQLException {
            result = work.run(c);
        }

        void discard() {
            result = null;
        }

        void runAlone() {
            try {
                result = read(what, work);
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            done = true;
        }

        T outcome() {
            if (failure instanceof RuntimeException e) throw e;
            if (failure instanceof Error e) throw e;
            return result;
        }
    }

    /**
     * Runs {@code work} in one transaction, committed before this returns. On SQLite the transaction
     * starts with BEGIN IMMEDIATE (the connection's transaction mode): it takes the write lock up front,
     * so two writers queue on busy_timeout instead of one failing on a read-to-write lock upgrade.
     */
    <T> T transaction(String what, Work<T> work) {
        if (writeLock == null) return transaction0(what, work);
        writeLock.lock();
        try {
            return transaction0(what, work);
        } finally {
            writeLock.unlock();
        }
    }

    private <T> T transaction0(String what, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (Throwable e) { // anything: setAutoCommit(true) below would commit half the work
                try {
                    c.rollback();
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw DatabaseException.of(what, e);
        }
    }

    /** "?, ?, ?" with {@code n} markers. */
    static String markers(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    /** Splits {@code keys} into lists of at most {@link #IN_CHUNK}. */
    static <K> List<List<K>> chunks(Collection<K> keys) {
        List<List<K>> out = new ArrayList<>();
        List<K> cur = new ArrayList<>(Math.min(keys.size(), IN_CHUNK));
        for (K k : keys) {
            cur.add(k);
            if (cur.size() == IN_CHUNK) {
                out.add(cur);
                cur = new ArrayList<>(IN_CHUNK);
            }
        }
        if (!cur.isEmpty()) out.add(cur);
        return out;
    }

    /** Binds a String, a Long/Integer or a null (typed by {@code nullType}). */
    static void bind(PreparedStatement ps, int index, Object value, int nullType) throws SQLException {
        if (value == null) ps.setNull(index, nullType);
        else if (value instanceof String s) ps.setString(index, s);
        else if (value instanceof Long l) ps.setLong(index, l);
        else if (value instanceof Integer i) ps.setInt(index, i);
        else throw new IllegalArgumentException("cannot bind " + value.getClass().getName());
    }

    static void bindText(PreparedStatement ps, int index, String value) throws SQLException {
        bind(ps, index, value, Types.VARCHAR);
    }

    static void bindMillis(PreparedStatement ps, int index, Long value) throws SQLException {
        bind(ps, index, value, Types.BIGINT);
    }
}
