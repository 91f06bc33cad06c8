package io.nightshift.coordinator.state.jdbc;

import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.MapStore;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.Event;
import io.nightshift.api.model.Job;
import io.nightshift.api.state.JobState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The durable store behind the Hazelcast maps: an embedded SQLite file under the data directory by
 * default, PostgreSQL when a JDBC URL is configured. One JDBC implementation serves both; the schema
 * is created and upgraded by Flyway ({@code classpath:db/migration}) before {@link #open} returns.
 *
 * <p>It provides write-through {@link MapStore}s for the IMaps (every store is committed when it
 * returns, so Hazelcast acknowledges a write only once it is durable; the coordinator uses the job, run,
 * task, agent and idempotency ones {@link #loadOnly} and stores each core turn with {@link #saveTurn}),
 * the job history listing
 * (which the IMaps cannot serve once history is evicted from memory), the numbered event log,
 * leadership fencing epochs, and retention.
 *
 * <h2>SQLite settings</h2>
 * {@code journal_mode=WAL} (readers never block the writer; a commit appends to the WAL and needs no
 * rollback journal), {@code synchronous=FULL} by default (see {@link Options.Sync}), {@code busy_timeout}
 * = {@link Options#lockTimeout()} (a second writer waits instead of failing with SQLITE_BUSY),
 * {@code foreign_keys=ON}, and every explicit transaction starts with {@code BEGIN IMMEDIATE}.
 * Writes from this process queue on one fair lock and are group-committed: the stores that arrive
 * while a commit is in flight go to disk together in the next one (one fsync), and each caller
 * returns only once the commit holding its write is done.
 *
 * <p>Thread-safe. Closing it closes the pool; the maps using its stores must be shut down first.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /** File name of the embedded database inside the data directory. */
    public static final String SQLITE_FILE = "nightshift.db";

    /** The database engines this store speaks: its SQL (upsert, LIMIT) is written for these two. */
    public enum Kind { SQLITE, POSTGRESQL }

    /**
     * How to reach the database.
     *
     * @param jdbcUrl     null or blank: embedded SQLite at {@code <dataDir>/nightshift.db}; else a
     *                    {@code jdbc:postgresql:} (or {@code jdbc:sqlite:}) URL
     * @param user        database user (PostgreSQL), may be null
     * @param password    database password (PostgreSQL), may be null; never logged or described
     * @param dataDir     the coordinator's data directory (used by the embedded default)
     * @param poolSize    connections in the pool; 0 = default (SQLite 4: one writer at a time anyway,
     *                    the rest serve WAL readers; PostgreSQL 10)
     * @param sqliteSync  SQLite's {@code synchronous} pragma
     * @param lockTimeout how long a call waits for a pooled connection, and on SQLite for the write lock
     */
    public record Options(String jdbcUrl, String user, String password, Path dataDir, int poolSize, Sync sqliteSync,
                          Duration lockTimeout) {

        /**
         * SQLite's {@code synchronous} in WAL mode. Both survive kill -9 of the process: a commit has
         * written its WAL frames into the OS page cache (write(2)) before it returns, and the kernel
         * keeps them when the process dies. They differ on a crash of the machine (power loss, kernel
         * panic, VM reset): FULL fsyncs the WAL on every commit, so an acknowledged write survives;
         * NORMAL fsyncs only at checkpoints, so the last commits before the crash can be lost (never
         * corrupted).
         */
        public enum Sync { NORMAL, FULL }

        public Options {
            Objects.requireNonNull(sqliteSync, "sqliteSync");
            Objects.requireNonNull(lockTimeout, "lockTimeout");
            if (poolSize < 0 || poolSize > 200) throw new IllegalArgumentException("poolSize must be 0..200, got " + poolSize);
            if (lockTimeout.isNegative() || lockTimeout.toMillis() > Integer.MAX_VALUE)
                throw new IllegalArgumentException("lockTimeout out of range: " + lockTimeout);
            if ((jdbcUrl == null || jdbcUrl.isBlank()) && dataDir == null)
                throw new IllegalArgumentException("the embedded database needs a data directory");
        }

        public static Options of(String jdbcUrl, String user, String password, Path dataDir) {
            return new Options(jdbcUrl, user, password, dataDir, 0, Sync.FULL, Duration.ofSeconds(10));
        }

        public Options withPoolSize(int n) {
            return new Options(jdbcUrl, user, password, dataDir, n, sqliteSync, lockTimeout);
        }

        public Options withSqliteSync(Sync s) {
            return new Options(jdbcUrl, user, password, dataDir, poolSize, s, lockTimeout);
        }

        public Options withLockTimeout(Duration d) {
            return new Options(jdbcUrl, user, password, dataDir, poolSize, sqliteSync, d);
        }

        /** Never shows the password. */
        @Override
        public String toString() {
            return "Options[jdbcUrl=" + describeUrl(jdbcUrl) + ", user=" + user + ", password=" + (password == null ? "none" : "***")
                    + ", dataDir=" + dataDir + ", poolSize=" + poolSize + ", sqliteSync=" + sqliteSync
                    + ", lockTimeout=" + lockTimeout + "]";
        }
    }

    private final HikariDataSource pool;
    private final Kind kind;
    private final String description;
    private final Sql sql;
    private final TableStore<HazelcastJsonValue> jobs;
    private final TableStore<HazelcastJsonValue> runs;
    private final TableStore<HazelcastJsonValue> tasks;
    private final TableStore<HazelcastJsonValue> agents;
    private final TableStore<HazelcastJsonValue> queues;
    private final TableStore<HazelcastJsonValue> pools;
    private final TableStore<HazelcastJsonValue> poolProfiles;
    private final TableStore<HazelcastJsonValue> runtimes;
    private final TableStore<String> idempotency;

    private Database(HikariDataSource pool, Kind kind, String description) {
        this.pool = pool;
        this.kind = kind;
        this.description = description;
        this.sql = new Sql(pool, kind == Kind.SQLITE);
        this.jobs = new TableStore<>(sql, Tables.jobs(), Tables.JOB);
        this.runs = new TableStore<>(sql, Tables.runs(), Tables.RUN);
        this.tasks = new TableStore<>(sql, Tables.tasks(), Tables.TASK);
        this.agents = new TableStore<>(sql, Tables.agents(), Tables.AGENT);
        this.queues = new TableStore<>(sql, Tables.queues(), Tables.QUEUE);
        this.pools = new TableStore<>(sql, Tables.pools(), Tables.POOL);
        this.poolProfiles = new TableStore<>(sql, Tables.poolProfiles(), Tables.POOL_PROFILE);
        this.runtimes = new TableStore<>(sql, Tables.runtimes(), Tables.RUNTIME);
        this.idempotency = new TableStore<>(sql, Tables.idempotency(), Tables.IDEMPOTENCY);
    }

    /**
     * Opens the database and migrates its schema. {@code jdbcUrl} null or blank → embedded SQLite at
     * {@code <dataDir>/nightshift.db} (the directory is created); else PostgreSQL.
     */
    public static Database open(String jdbcUrl, String user, String password, Path dataDir) {
        return open(Options.of(jdbcUrl, user, password, dataDir));
    }

    /** Opens the database described by {@code o}, migrates it, and checks the SQLite pragmas took. */
    public static Database open(Options o) {
        Kind kind;
        String description;
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("nightshift-db");
        hc.setConnectionTimeout(Math.max(250, o.lockTimeout().toMillis()));
        hc.setAutoCommit(true);
        boolean embedded = o.jdbcUrl() == null || o.jdbcUrl().isBlank();
        if (embedded || o.jdbcUrl().startsWith("jdbc:sqlite:")) {
            kind = Kind.SQLITE;
            String target;
            if (embedded) {
                Path dir = o.dataDir().toAbsolutePath().normalize();
                try {
                    Files.createDirectories(dir);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create the data directory " + dir, e);
                }
                target = dir.resolve(SQLITE_FILE).toString();
            } else {
                target = o.jdbcUrl().substring("jdbc:sqlite:".length());
            }
            description = "sqlite:" + target;
            SQLiteConfig sc = new SQLiteConfig();
            sc.setJournalMode(SQLiteConfig.JournalMode.WAL);
            sc.setSynchronous(o.sqliteSync() == Options.Sync.FULL ? SQLiteConfig.SynchronousMode.FULL
                    : SQLiteConfig.SynchronousMode.NORMAL);
            sc.setBusyTimeout((int) o.lockTimeout().toMillis());
            sc.enforceForeignKeys(true);
            sc.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            SQLiteDataSource ds = new SQLiteDataSource(sc);
            ds.setUrl("jdbc:sqlite:" + target);
            hc.setDataSource(ds);
            hc.setMaximumPoolSize(o.poolSize() == 0 ? 4 : o.poolSize());
        } else if (o.jdbcUrl().startsWith("jdbc:postgresql:")) {
            kind = Kind.POSTGRESQL;
            description = describeUrl(o.jdbcUrl());
            hc.setJdbcUrl(o.jdbcUrl());
            if (o.user() != null) hc.setUsername(o.user());
            if (o.password() != null) hc.setPassword(o.password());
            hc.setMaximumPoolSize(o.poolSize() == 0 ? 10 : o.poolSize());
        } else {
            throw new IllegalArgumentException("unsupported database URL " + describeUrl(o.jdbcUrl())
                    + ": use a jdbc:postgresql:// URL, or leave it empty for the embedded SQLite file");
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new DatabaseException("cannot connect to " + description + ": " + e.getMessage(), e, true);
        }
        try {
            Database db = new Database(pool, kind, description);
            db.migrate();
            if (kind == Kind.SQLITE) db.checkSqlitePragmas(o.sqliteSync());
            return db;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private void migrate() {
        MigrateResult r = Flyway.configure()
                .dataSource(pool)
                .locations("classpath:db/migration")
                .failOnMissingLocations(true)
                .cleanDisabled(true)
                .load()
                .migrate();
        LOG.info("database {}: schema version {} ({} migration(s) applied)", description,
                r.targetSchemaVersion != null ? r.targetSchemaVersion : r.initialSchemaVersion, r.migrationsExecuted);
    }

    /** Fails if SQLite silently ignored a pragma (e.g. WAL on a file system without shared memory). */
    private void checkSqlitePragmas(Options.Sync sync) {
        sql.read("check pragmas", c -> {
            try (Statement s = c.createStatement()) {
                String journal = single(s, "PRAGMA journal_mode");
                String synchronous = single(s, "PRAGMA synchronous");
                String fk = single(s, "PRAGMA foreign_keys");
                String expectedSync = sync == Options.Sync.FULL ? "2" : "1";
                if (!"wal".equalsIgnoreCase(journal) || !expectedSync.equals(synchronous) || !"1".equals(fk))
                    throw new IllegalStateException("SQLite at " + description + " refused its settings: journal_mode="
                            + journal + " synchronous=" + synchronous + " foreign_keys=" + fk);
            }
            return null;
        });
    }

    private static String single(Statement s, String q) throws SQLException {
        try (ResultSet rs = s.executeQuery(q)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** e.g. {@code sqlite:/abs/path/nightshift.db} or {@code postgresql://host:5432/db}: no user, password or parameters. */
    public String describe() {
        return description;
    }

    public Kind kind() {
        return kind;
    }

    public DataSource dataSource() {
        return pool;
    }

    /** Drops the scheme prefix, any user:password@ and every parameter (they may carry a password). */
    static String describeUrl(String url) {
        if (url == null || url.isBlank()) return "(embedded)";
        String s = url.startsWith("jdbc:") ? url.substring(5) : url;
        int q = indexOfAny(s, '?', ';');
        if (q >= 0) s = s.substring(0, q);
        int slashes = s.indexOf("//");
        if (slashes >= 0) {
            int at = s.indexOf('@', slashes + 2);
            int path = s.indexOf('/', slashes + 2);
            if (at >= 0 && (path < 0 || at < path)) s = s.substring(0, slashes + 2) + s.substring(at + 1);
        }
        return s;
    }

    private static int indexOfAny(String s, char a, char b) {
        int i = s.indexOf(a), j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    // ------------------------------------------------------------------ map stores

    /** {@code nightshift.jobs} → ns_jobs. Eager keys: jobs not SUCCEEDED/FAILED/KILLED. */
    public MapStore<String, HazelcastJsonValue> jobs() {
        return jobs;
    }

    /** {@code nightshift.runs} → ns_runs. Eager keys: runs not terminal whose job row exists. */
    public MapStore<String, HazelcastJsonValue> runs() {
        return runs;
    }

    /** {@code nightshift.tasks} → ns_tasks. Eager keys: PENDING/STAGING/FETCHING/RUNNING tasks whose job row exists. */
    public MapStore<String, HazelcastJsonValue> tasks() {
        return tasks;
    }

    /** {@code nightshift.agents} → ns_agents. Eager keys: all. */
    public MapStore<String, HazelcastJsonValue> agents() {
        return agents;
    }

    /** {@code nightshift.queues} → ns_queues. Eager keys: all. */
    public MapStore<String, HazelcastJsonValue> queues() {
        return queues;
    }

    /** {@code nightshift.pools} → ns_pools. Eager keys: all. */
    public MapStore<String, HazelcastJsonValue> pools() {
        return pools;
    }

    /** {@code nightshift.pool-profiles} → ns_pool_profiles. Eager keys: all. */
    public MapStore<String, HazelcastJsonValue> poolProfiles() {
        return poolProfiles;
    }

    /** {@code nightshift.runtimes} → ns_runtimes. Eager keys: all. */
    public MapStore<String, HazelcastJsonValue> runtimes() {
        return runtimes;
    }

    /** {@code nightshift.idempotency} → ns_idempotency. Eager keys: those bound to a live job. */
    public MapStore<String, String> idempotency() {
        return idempotency;
    }

    // ------------------------------------------------------------------ job listing

    /** One page of jobs, newest first; {@code next} is the cursor of the following page, null on the last. */
    public record Page(List<Job> jobs, String next) {
        public Page {
            jobs = List.copyOf(jobs);
        }
    }

    /** Hard cap on one page. */
    public static final int MAX_PAGE = 1000;

    /**
     * Jobs from the database, newest first by (submitted_at desc, id asc). {@code state} and
     * {@code queue} (null = any) are filtered in SQL; {@code labels} (every entry must match) in Java,
     * fetching further batches until the page is full or the table is exhausted. {@code after} is a
     * cursor from a previous page's {@code next} (null = from the newest); it has the same format as
     * the in-memory listing's, base64url("millis:id").
     */
    public Page jobs(JobState state, String queue, Map<String, String> labels, int limit, String after) {
        if (limit < 1 || limit > MAX_PAGE) throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE + ", got " + limit);
        Map<String, String> want = labels == null ? Map.of() : labels;
        Cursor start = Cursor.decode(after);
        // Without a label filter every row matches: fetch exactly one more than the page to learn
        // whether there is a next page. With one, over-fetch in bigger batches.
        int batch = want.isEmpty() ? limit + 1 : Math.min(MAX_PAGE, Math.max(100, 4 * (limit + 1)));
        return sql.read("list jobs", c -> {
            List<Job> matched = new ArrayList<>(limit + 1);
            Cursor pos = start;
            while (matched.size() <= limit) {
                int rows = 0;
                try (PreparedStatement ps = c.prepareStatement(listingSql(state, queue, pos))) {
                    int i = 1;
                    if (state != null) ps.setString(i++, state.name());
                    if (queue != null) ps.setString(i++, queue);
                    if (pos != null) {
                        ps.setLong(i++, pos.millis());
                        ps.setLong(i++, pos.millis());
                        ps.setString(i++, pos.id());
                    }
                    ps.setInt(i, batch);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rows++;
                            pos = new Cursor(rs.getLong(1), rs.getString(2));
                            Job j = Json.read(rs.getString(3), Job.class);
                            if (j.spec().labels().entrySet().containsAll(want.entrySet())) {
                                matched.add(j);
                                if (matched.size() > limit) break;
                            }
                        }
                    }
                }
                if (rows < batch) break;
            }
            if (matched.size() <= limit) return new Page(matched, null);
            List<Job> page = matched.subList(0, limit);
            Job last = page.get(limit - 1);
            return new Page(page, new Cursor(last.submittedAt().toEpochMilli(), last.id()).encode());
        });
    }

    /**
     * Ties are ordered by the id's bytes, as Java's String order (ids are ASCII) and SQLite's BINARY
     * collation do; PostgreSQL would otherwise use the database's locale (en_US orders "a-2" and
     * "A_1" its own way), so cursors would not match the in-memory listing's order.
     */
    private String listingSql(JobState state, String queue, Cursor after) {
        String id = kind == Kind.POSTGRESQL ? "id COLLATE \"C\"" : "id";
        StringBuilder q = new StringBuilder("SELECT submitted_at, id, body FROM ns_jobs WHERE 1 = 1");
        if (state != null) q.append(" AND state = ?");
        if (queue != null) q.append(" AND queue = ?");
        if (after != null) q.append(" AND (submitted_at < ? OR (submitted_at = ? AND ").append(id).append(" > ?))");
        return q.append(" ORDER BY submitted_at DESC, ").append(id).append(" ASC LIMIT ?").toString();
    }

    /** True when {@code s} is null (no cursor) or a cursor {@link #jobs(JobState, String, Map, int, String)} accepts. */
    public static boolean validCursor(String s) {
        try {
            Cursor.decode(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Position in the newest-first order: (submitted epoch millis, id). */
    record Cursor(long millis, String id) {
        String encode() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString((millis + ":" + id).getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String s) {
            if (s == null) return null;
            String raw;
            try {
                raw = new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cursor is not base64url: " + s, e);
            }
            int colon = raw.indexOf(':');
            if (colon <= 0 || colon == raw.length() - 1) throw new IllegalArgumentException("malformed cursor: " + s);
            try {
                return new Cursor(Long.parseLong(raw.substring(0, colon)), raw.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed cursor: " + s, e);
            }
        }
    }

    // ------------------------------------------------------------------ events

    /**
     * Appends {@code e} under its {@code seq} (one writer, the leader, with seq = last + 1). Appending
     * the same event again (a retry after an unclear failure) is a no-op; a different event under a
     * taken seq is refused with an {@link IllegalStateException}: two leaders are numbering events.
     */
    public void appendEvent(Event e) {
        if (e.seq() < 1) throw new IllegalArgumentException("event seq must be >= 1, got " + e.seq());
        String body = Json.write(e);
        String existing = sql.write("append event " + e.seq(), c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO ns_events (seq, time, body) VALUES (?, ?, ?) ON CONFLICT (seq) DO NOTHING")) {
                ps.setLong(1, e.seq());
                ps.setLong(2, e.time() == null ? 0 : e.time().toEpochMilli());
                ps.setString(3, body);
                if (ps.executeUpdate() == 1) return null;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT body FROM ns_events WHERE seq = ?")) {
                ps.setLong(1, e.seq());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : "";
                }
            }
        });
        if (existing != null && !Json.read(existing, Event.class).equals(e))
            throw new IllegalStateException("event seq " + e.seq() + " is already taken by a different event");
    }

    /**
     * Appends a batch of events in one transaction (the leader's turn). An event already stored under
     * its seq is skipped, so retrying a batch after an unclear failure is harmless.
     */
    public void appendEvents(List<Event> events) {
        if (events.isEmpty()) return;
        for (Event e : events)
            if (e.seq() < 1) throw new IllegalArgumentException("event seq must be >= 1, got " + e.seq());
        sql.write("append " + events.size() + " events", c -> {
            insertEvents(c, events);
            return null;
        });
    }

    /** Inserts {@code events} (their seqs checked by the caller); one already stored is left as it is. */
    private static void insertEvents(java.sql.Connection c, List<Event> events) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ns_events (seq, time, body) VALUES (?, ?, ?) ON CONFLICT (seq) DO NOTHING")) {
            for (Event e : events) {
                ps.setLong(1, e.seq());
                ps.setLong(2, e.time() == null ? 0 : e.time().toEpochMilli());
                ps.setString(3, Json.write(e));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * One core turn, all in ONE transaction (one fsync on SQLite): the rows of the job, run, task, agent,
     * idempotency and runtime-history maps and the turn's events. Every value is checked before the database is touched; all or
     * nothing. The coordinator's maps for these six load from the database but do not write through
     * ({@link #loadOnly}): the turn is stored here first, then put in the maps, and only then acknowledged.
     * Upserts and events already stored are harmless, so a turn that failed unclearly is simply retried.
     */
    public void saveTurn(Map<String, HazelcastJsonValue> jobRows, Map<String, HazelcastJsonValue> runRows,
                         Map<String, HazelcastJsonValue> taskRows, Map<String, HazelcastJsonValue> agentRows,
                         Map<String, String> keys, List<Event> events) {
        saveTurn(jobRows, runRows, taskRows, agentRows, keys, events, Map.of());
    }

    /** {@link #saveTurn(Map, Map, Map, Map, Map, List)} with the job names' runtime histories of the same turn. */
    public void saveTurn(Map<String, HazelcastJsonValue> jobRows, Map<String, HazelcastJsonValue> runRows,
                         Map<String, HazelcastJsonValue> taskRows, Map<String, HazelcastJsonValue> agentRows,
                         Map<String, String> keys, List<Event> events, Map<String, HazelcastJsonValue> runtimeRows) {
        for (Event e : events)
            if (e.seq() < 1) throw new IllegalArgumentException("event seq must be >= 1, got " + e.seq());
        Map<String, Object[]> j = jobs.rows(jobRows), r = runs.rows(runRows), t = tasks.rows(taskRows),
                a = agents.rows(agentRows), k = idempotency.rows(keys), h = runtimes.rows(runtimeRows);
        int writes = j.size() + r.size() + t.size() + a.size() + k.size() + events.size() + h.size();
        if (writes == 0) return;
        sql.transaction("store a turn of " + writes + " writes", c -> {
            idempotency.upsert(c, k);
            tasks.upsert(c, t);
            runs.upsert(c, r);
            agents.upsert(c, a);
            jobs.upsert(c, j);
            runtimes.upsert(c, h);
            if (!events.isEmpty()) insertEvents(c, events);
            return null;
        });
    }

    /**
     * {@code store} as a loader only: the map loads from the database (eagerly its live keys, lazily the rest)
     * but a write to it stays in memory, for maps whose writes are stored by {@link #saveTurn} before they are
     * put. No write is then offloaded to a MapStore thread and none costs a commit of its own.
     */
    public static <V> com.hazelcast.map.MapLoader<String, V> loadOnly(MapStore<String, V> store) {
        return new com.hazelcast.map.MapLoader<>() {
            @Override
            public V load(String key) {
                return store.load(key);
            }

            @Override
            public Map<String, V> loadAll(java.util.Collection<String> keys) {
                return store.loadAll(keys);
            }

            @Override
            public Iterable<String> loadAllKeys() {
                return store.loadAllKeys();
            }
        };
    }

    /** Up to {@code limit} events with seq > {@code seq}, in order. */
    public List<Event> eventsAfter(long seq, int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        return sql.read("read events after " + seq, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT body FROM ns_events WHERE seq > ? ORDER BY seq LIMIT ?")) {
                ps.setLong(1, seq);
                ps.setInt(2, limit);
                List<Event> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(Json.read(rs.getString(1), Event.class));
                }
                return out;
            }
        });
    }

    /** The highest seq appended, 0 when none ever was ({@link #deleteEventsUpTo} always keeps the newest). */
    public long lastEventSeq() {
        return sql.read("read last event seq", c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(seq) FROM ns_events")) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /**
     * Deletes events with seq <= {@code seq}, except the newest event, which is always kept so that
     * {@link #lastEventSeq()} never goes back and a new leader never reuses a number. Returns how
     * many were deleted.
     */
    public int deleteEventsUpTo(long seq) {
        return sql.transaction("delete events up to " + seq, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM ns_events WHERE seq <= ? AND seq < (SELECT MAX(seq) FROM ns_events)")) {
                ps.setLong(1, seq);
                return ps.executeUpdate();
            }
        });
    }

    // ------------------------------------------------------------------ leadership fencing

    /**
     * Increments the fencing epoch, records {@code holder} as its owner since {@code now}, and
     * returns the new epoch. Two callers (threads or coordinators on the same database) never get the
     * same epoch: the UPDATE takes the row lock (PostgreSQL) or the database write lock (SQLite,
     * BEGIN IMMEDIATE) until commit, and the epoch is read back inside that transaction.
     */
    public long acquireEpoch(String holder, Instant now) {
        return takeEpoch(holder, now).epoch();
    }

    /**
     * As {@link #acquireEpoch}, and says who held the lease before ({@link Lease#holder()} null when it
     * was released or never taken), read in the same transaction under the row's write lock, so no
     * other coordinator can take or renew an epoch in between.
     */
    public Lease takeEpoch(String holder, Instant now) {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(now, "now");
        return sql.transaction("acquire epoch for " + holder, c -> {
            String before;
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE ns_leader SET epoch = epoch WHERE id = 1"); // takes the row lock first (PostgreSQL)
                try (ResultSet rs = s.executeQuery("SELECT holder FROM ns_leader WHERE id = 1")) {
                    if (!rs.next()) throw new IllegalStateException("ns_leader has no row 1: schema not migrated?");
                    before = rs.getString(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE ns_leader SET epoch = epoch + 1, holder = ?, since = ?, renewed = ? WHERE id = 1")) {
                ps.setString(1, holder);
                ps.setLong(2, now.toEpochMilli());
                ps.setLong(3, now.toEpochMilli());
                if (ps.executeUpdate() != 1) throw new IllegalStateException("ns_leader has no row 1: schema not migrated?");
            }
            long epoch = epoch(c);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ns_epochs (epoch, holder, taken) VALUES (?, ?, ?)")) {
                ps.setLong(1, epoch);
                ps.setString(2, holder);
                ps.setLong(3, now.toEpochMilli());
                ps.executeUpdate();
            }
            return new Lease(epoch, before);
        });
    }

    /**
     * Records that the holder of {@code epoch} begins to act as leader now, serving at {@code url}:
     * true when {@code epoch} is still the newest (in the same transaction), false when a newer one
     * was taken meanwhile (then nothing is recorded and the caller must not act).
     */
    public boolean epochActing(long epoch, String url, Instant now) {
        Objects.requireNonNull(now, "now");
        return sql.transaction("record epoch " + epoch + " acting", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE ns_leader SET renewed = ? WHERE id = 1 AND epoch = ?")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setLong(2, epoch);
                if (ps.executeUpdate() != 1) return false;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE ns_epochs SET acting = ?, url = ? WHERE epoch = ? AND acting IS NULL")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, url);
                ps.setLong(3, epoch);
                ps.executeUpdate();
            }
            return true;
        });
    }

    /** Records that the holder of {@code epoch} stopped acting (stepped down or released), the first time only. */
    public void epochEnded(long epoch, Instant now, String why) {
        Objects.requireNonNull(now, "now");
        sql.transaction("record epoch " + epoch + " ended", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE ns_epochs SET ended = ?, why = ? WHERE epoch = ? AND ended IS NULL")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, why == null ? null : why.length() > 1000 ? why.substring(0, 1000) : why);
                ps.setLong(3, epoch);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * One row of {@code ns_epochs}: who took the epoch and when, since when it acted (null: never) and
     * until when (null: it still leads, or died without a word).
     */
    public record EpochRecord(long epoch, String holder, Instant taken, Instant acting, String url, Instant ended, String why) {
    }

    /** Every epoch taken (since the table exists), oldest first. */
    public List<EpochRecord> epochs() {
        return sql.read("read the epochs", c -> {
            List<EpochRecord> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT epoch, holder, taken, acting, url, ended, why FROM ns_epochs ORDER BY epoch")) {
                while (rs.next()) {
                    out.add(new EpochRecord(rs.getLong(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                            instantOrNull(rs, 4), rs.getString(5), instantOrNull(rs, 6), rs.getString(7)));
                }
            }
            return out;
        });
    }

    private static Instant instantOrNull(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    /**
     * Renews the lease of the leader holding {@code epoch}: true when that epoch is still the newest
     * (the renewal is recorded), false when another coordinator has taken a newer one since (the
     * caller must stop leading at once). Throws {@link DatabaseException} when the store cannot be
     * reached; the caller's lease runs out while it cannot renew.
     */
    public boolean renewLease(long epoch, Instant now) {
        Objects.requireNonNull(now, "now");
        return sql.transaction("renew the lease of epoch " + epoch, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE ns_leader SET renewed = ? WHERE id = 1 AND epoch = ?")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setLong(2, epoch);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Gives up the lease of {@code epoch} (a clean stop): the next leader need not wait for it to
     * run out. Does nothing when a newer epoch exists.
     */
    public void releaseLease(long epoch) {
        sql.transaction("release the lease of epoch " + epoch, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE ns_leader SET holder = NULL WHERE id = 1 AND epoch = ?")) {
                ps.setLong(1, epoch);
                return ps.executeUpdate();
            }
        });
    }

    /** An epoch and who holds it: {@code holder} null when released (or never taken). */
    public record Lease(long epoch, String holder) {
    }

    /**
     * This store's identity: a random id written on first use and never changed. Coordinators that
     * form one cluster must all see the same id (one shared store).
     */
    public String storeId() {
        return sql.transaction("read the store id", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE ns_leader SET store_id = ? WHERE id = 1 AND store_id IS NULL")) {
                ps.setString(1, java.util.UUID.randomUUID().toString());
                ps.executeUpdate();
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT store_id FROM ns_leader WHERE id = 1")) {
                if (!rs.next()) throw new IllegalStateException("ns_leader has no row 1: schema not migrated?");
                return rs.getString(1);
            }
        });
    }

    /** The current fencing epoch: 0 before anyone acquired one. */
    public long currentEpoch() {
        return sql.read("read epoch", Database::epoch);
    }

    private static long epoch(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT epoch FROM ns_leader WHERE id = 1")) {
            if (!rs.next()) throw new IllegalStateException("ns_leader has no row 1: schema not migrated?");
            return rs.getLong(1);
        }
    }

    // ------------------------------------------------------------------ retention

    /**
     * Deletes up to {@code max} terminal jobs (SUCCEEDED/FAILED/KILLED) finished before
     * {@code cutoff}, oldest first, with their runs, tasks and idempotency keys, in one transaction.
     * Returns the deleted job ids, for removal from the IMaps. Call again until it returns fewer than
     * {@code max}.
     */
    public List<String> deleteFinishedJobsBefore(Instant cutoff, int max) {
        if (max < 1) throw new IllegalArgumentException("max must be >= 1, got " + max);
        return sql.transaction("delete jobs finished before " + cutoff, c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM ns_jobs WHERE state IN ("
                    + Tables.TERMINAL_JOB_STATES + ") AND finished_at < ? ORDER BY finished_at, id LIMIT ?")) {
                ps.setLong(1, cutoff.toEpochMilli());
                ps.setInt(2, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) ids.add(rs.getString(1));
                }
            }
            for (List<String> chunk : Sql.chunks(ids)) {
                for (String delete : List.of("DELETE FROM ns_tasks WHERE job_id IN", "DELETE FROM ns_runs WHERE job_id IN",
                        "DELETE FROM ns_idempotency WHERE job_id IN", "DELETE FROM ns_jobs WHERE id IN")) {
                    try (PreparedStatement ps = c.prepareStatement(delete + " (" + Sql.markers(chunk.size()) + ")")) {
                        for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i));
                        ps.executeUpdate();
                    }
                }
            }
            return ids;
        });
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "Database[" + description + "]";
    }
}
