package io.nightshift.coordinator.state.jdbc;

import static io.nightshift.coordinator.state.jdbc.Rows.T0;
import static io.nightshift.coordinator.state.jdbc.Rows.agent;
import static io.nightshift.coordinator.state.jdbc.Rows.event;
import static io.nightshift.coordinator.state.jdbc.Rows.job;
import static io.nightshift.coordinator.state.jdbc.Rows.json;
import static io.nightshift.coordinator.state.jdbc.Rows.read;
import static io.nightshift.coordinator.state.jdbc.Rows.run;
import static io.nightshift.coordinator.state.jdbc.Rows.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.Event;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.Run;
import io.nightshift.api.model.Task;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.TaskState;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the durable store promises, run against each engine it supports: {@link SqliteDatabaseTest}
 * (the embedded default) and {@link PostgresDatabaseTest} (a real PostgreSQL server). "Reopen"
 * means a new {@link Database} (new pool, migrations run again) on the same data.
 */
abstract class DatabaseContract {

    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** Opens the test's database; calling it again opens the same data anew. */
    abstract Database openDatabase();

    /** The engine under test, for describe(). */
    abstract String expectedDescriptionPrefix();

    Database open() {
        Database db = openDatabase();
        toClose.add(db);
        return db;
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) c.close();
    }

    // ------------------------------------------------------------------ schema

    @Test
    void migrationsCreateTheSchemaOnceAndReopeningKeepsDataAndSchema() throws SQLException {
        Database db = open();
        assertThat(db.describe()).startsWith(expectedDescriptionPrefix()).doesNotContain("password").doesNotContain("?");
        assertThat(tables(db)).contains("ns_jobs", "ns_runs", "ns_tasks", "ns_agents", "ns_idempotency", "ns_events", "ns_leader", "ns_tokens", "ns_pools");
        List<String> shipped = shippedMigrations();
        assertThat(shipped).contains("1", "2", "9");
        assertThat(appliedMigrations(db)).containsExactlyInAnyOrderElementsOf(shipped);
        db.jobs().store("j1", json(job("j1", JobState.QUEUED)));
        db.close();

        Database again = open();
        assertThat(appliedMigrations(again)).containsExactlyInAnyOrderElementsOf(shipped);
        assertThat(read(again.jobs().load("j1"), Job.class)).isEqualTo(job("j1", JobState.QUEUED));
    }

    /** The versions of the migration files the coordinator ships ({@code db/migration/V<n>__*.sql}). */
    private static List<String> shippedMigrations() {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(java.util.Objects.requireNonNull(
                DatabaseContract.class.getResource("/db/migration/V1__init.sql")).toURI()).getParent())) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("V[0-9][0-9_]*__.*\\.sql"))
                    .map(n -> n.substring(1, n.indexOf("__")).replace('_', '.'))
                    .toList();
        } catch (java.io.IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> tables(Database db) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.getMetaData().getTables(null, null, "ns_%", new String[] {"TABLE"})) {
            while (rs.next()) out.add(rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }

    private static List<String> appliedMigrations(Database db) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    // ------------------------------------------------------------------ map stores

    @Test
    void everyMapStoreRoundTripsStoreLoadAndDelete() {
        Database db = open();
        Job j = job("j1", JobState.RUNNING);
        Run r = run("j1", JobState.RUNNING);
        Task t = task("j1", TaskState.RUNNING);
        AgentInfo a = agent("a1");
        db.jobs().store(j.id(), json(j));
        db.runs().store(r.id(), json(r));
        db.tasks().store(t.id(), json(t));
        db.agents().store(a.id(), json(a));
        db.idempotency().store("key-1", "j1");

        assertThat(read(db.jobs().load("j1"), Job.class)).isEqualTo(j);
        assertThat(read(db.runs().load(r.id()), Run.class)).isEqualTo(r);
        assertThat(read(db.tasks().load(t.id()), Task.class)).isEqualTo(t);
        assertThat(read(db.agents().load("a1"), AgentInfo.class)).isEqualTo(a);
        assertThat(db.idempotency().load("key-1")).isEqualTo("j1");
        assertThat(db.jobs().load("nope")).isNull();

        db.jobs().delete("j1");
        db.runs().delete(r.id());
        db.tasks().delete(t.id());
        db.agents().delete("a1");
        db.idempotency().delete("key-1");
        assertThat(db.jobs().load("j1")).isNull();
        assertThat(db.runs().load(r.id())).isNull();
        assertThat(db.tasks().load(t.id())).isNull();
        assertThat(db.agents().load("a1")).isNull();
        assertThat(db.idempotency().load("key-1")).isNull();
        db.jobs().delete("j1"); // deleting what is gone is fine
    }

    @Test
    void storeUpsertsTheBodyAndTheColumnsCopiedFromIt() {
        Database db = open();
        db.jobs().store("j1", json(job("j1", JobState.QUEUED)));
        Job done = job("j1", JobState.QUEUED).withState(JobState.SUCCEEDED, null, T0.plusSeconds(5));
        db.jobs().store("j1", json(done));

        assertThat(read(db.jobs().load("j1"), Job.class)).isEqualTo(done);
        assertThat(db.jobs(JobState.QUEUED, null, Map.of(), 10, null).jobs()).isEmpty();
        assertThat(db.jobs(JobState.SUCCEEDED, null, Map.of(), 10, null).jobs()).containsExactly(done);
        assertThat(db.jobs().loadAllKeys()).isEmpty();
    }

    @Test
    void storeAllLoadAllAndDeleteAllWorkInBatchesLargerThanOneInList() {
        Database db = open();
        Map<String, HazelcastJsonValue> many = new LinkedHashMap<>();
        for (int i = 0; i < 1200; i++) many.put("j" + i, json(job("j" + i, JobState.QUEUED)));
        db.jobs().storeAll(many);

        Map<String, HazelcastJsonValue> loaded = db.jobs().loadAll(many.keySet());
        assertThat(loaded).hasSize(1200);
        assertThat(read(loaded.get("j777"), Job.class).id()).isEqualTo("j777");

        List<String> gone = IntStream.range(0, 1100).mapToObj(i -> "j" + i).toList();
        db.jobs().deleteAll(gone);
        assertThat(db.jobs().loadAll(many.keySet()).keySet()).hasSize(100).allMatch(k -> Integer.parseInt(k.substring(1)) >= 1100);
    }

    @Test
    void aValueThatDoesNotFitItsKeyOrItsTableIsRejectedAndNothingIsStored() {
        Database db = open();
        assertThatThrownBy(() -> db.jobs().store("j1", json(job("j2", JobState.QUEUED))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has id 'j2'");
        assertThatThrownBy(() -> db.jobs().store("j1", new HazelcastJsonValue("{not json")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> db.tasks().store("t1", new HazelcastJsonValue("{\"id\":\"t1\",\"jobId\":\"j1\",\"state\":\"NAPPING\"}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown state 'NAPPING'");
        Map<String, HazelcastJsonValue> batch = new LinkedHashMap<>();
        batch.put("j3", json(job("j3", JobState.QUEUED)));
        batch.put("j4", new HazelcastJsonValue("{\"id\":\"j4\"}"));
        assertThatThrownBy(() -> db.jobs().storeAll(batch)).isInstanceOf(IllegalArgumentException.class);

        assertThat(db.jobs().loadAll(List.of("j1", "j2", "j3", "j4"))).isEmpty();
    }

    @Test
    void loadAllKeysNamesOnlyWhatTheSchedulerNeedsAtStart() {
        Database db = open();
        for (JobState s : JobState.values()) {
            String id = "job-" + s.name().toLowerCase(java.util.Locale.ROOT);
            db.jobs().store(id, json(job(id, s)));
            db.runs().store(Run.idOf(id, 1), json(run(id, s)));
            db.idempotency().store("key-" + id, id);
        }
        for (TaskState s : TaskState.values()) {
            String jobId = s.isTerminal() ? "job-succeeded" : "job-running";
            Task t = new Task(Task.SCHEMA_VERSION, "task-" + s, jobId, Run.idOf(jobId, 1), 0, s, null, T0, null, List.of());
            db.tasks().store(t.id(), json(t));
        }
        // a submission that died before its commit point: run and task written, job never was
        db.runs().store(Run.idOf("ghost", 1), json(run("ghost", JobState.QUEUED)));
        db.tasks().store(task("ghost", TaskState.PENDING).id(), json(task("ghost", TaskState.PENDING)));
        db.idempotency().store("key-ghost", "ghost");
        db.agents().store("a1", json(agent("a1")));
        db.agents().store("a2", json(agent("a2").withStatus(AgentInfo.AgentStatus.LOST)));

        assertThat(db.jobs().loadAllKeys()).containsExactlyInAnyOrder("job-queued", "job-running");
        assertThat(db.runs().loadAllKeys()).containsExactlyInAnyOrder("job-queued.r1", "job-running.r1");
        assertThat(db.tasks().loadAllKeys()).containsExactlyInAnyOrder("task-PENDING", "task-STAGING", "task-FETCHING", "task-RUNNING");
        assertThat(db.idempotency().loadAllKeys()).containsExactlyInAnyOrder("key-job-queued", "key-job-running");
        assertThat(db.agents().loadAllKeys()).containsExactlyInAnyOrder("a1", "a2");
    }

    /**
     * The whole point: a cluster that dies and a new one started on the same database sees every
     * acknowledged write. Live entries are in memory as soon as the map exists; history is read on
     * demand.
     */
    @Test
    void aNewHazelcastClusterOnTheSameDatabaseGetsLiveStateEagerlyAndHistoryLazily() {
        String cluster = "ns-jdbc-" + UUID.randomUUID().toString().substring(0, 8);
        Database first = open();
        HazelcastInstance hz1 = HazelcastMembers.start(cluster, first);
        try {
            IMap<String, HazelcastJsonValue> jobs = hz1.getMap(Tables.JOBS_MAP);
            IMap<String, HazelcastJsonValue> runs = hz1.getMap(Tables.RUNS_MAP);
            IMap<String, HazelcastJsonValue> tasks = hz1.getMap(Tables.TASKS_MAP);
            IMap<String, HazelcastJsonValue> agents = hz1.getMap(Tables.AGENTS_MAP);
            IMap<String, String> keys = hz1.getMap(Tables.IDEMPOTENCY_MAP);
            for (int i = 0; i < 20; i++) {
                String id = "live-" + i;
                tasks.set(task(id, TaskState.RUNNING).id(), json(task(id, TaskState.RUNNING)));
                runs.set(Run.idOf(id, 1), json(run(id, JobState.RUNNING)));
                jobs.set(id, json(job(id, JobState.RUNNING)));
            }
            tasks.set(task("old", TaskState.FINISHED).id(), json(task("old", TaskState.FINISHED)));
            runs.set(Run.idOf("old", 1), json(run("old", JobState.SUCCEEDED)));
            jobs.set("old", json(job("old", JobState.SUCCEEDED)));
            keys.set("key-live", "live-0");
            keys.set("key-old", "old");
            agents.set("a1", json(agent("a1")));
            jobs.set("gone", json(job("gone", JobState.QUEUED)));
            jobs.delete("gone");

            // a write the store refuses is not acknowledged
            assertThatThrownBy(() -> jobs.set("bad", new HazelcastJsonValue("{\"id\":\"other\"}")))
                    .hasMessageContaining("has id 'other'");
        } finally {
            hz1.getLifecycleService().terminate(); // no graceful flush: write-through must not need one
        }
        first.close();

        Database second = open();
        HazelcastInstance hz2 = HazelcastMembers.start(cluster, second);
        try {
            IMap<String, HazelcastJsonValue> jobs = hz2.getMap(Tables.JOBS_MAP);
            IMap<String, HazelcastJsonValue> runs = hz2.getMap(Tables.RUNS_MAP);
            IMap<String, HazelcastJsonValue> tasks = hz2.getMap(Tables.TASKS_MAP);
            IMap<String, HazelcastJsonValue> agents = hz2.getMap(Tables.AGENTS_MAP);
            IMap<String, String> keys = hz2.getMap(Tables.IDEMPOTENCY_MAP);

            // eager: in memory without anyone asking (size() counts memory only, it never loads)
            assertThat(jobs.size()).isEqualTo(20);
            assertThat(runs.size()).isEqualTo(20);
            assertThat(tasks.size()).isEqualTo(20);
            assertThat(agents.size()).isEqualTo(1);
            assertThat(keys.size()).isEqualTo(1);
            assertThat(read(jobs.get("live-7"), Job.class)).isEqualTo(job("live-7", JobState.RUNNING));
            assertThat(jobs.size()).isEqualTo(20);

            // lazy: history comes from the database when asked for by id
            assertThat(read(jobs.get("old"), Job.class)).isEqualTo(job("old", JobState.SUCCEEDED));
            assertThat(read(tasks.get(task("old", TaskState.FINISHED).id()), Task.class).state()).isEqualTo(TaskState.FINISHED);
            assertThat(jobs.size()).isEqualTo(21);
            assertThat(jobs.get("gone")).isNull();
            assertThat(jobs.get("bad")).isNull();
            // idempotency of a finished job still holds: putIfAbsent loads the stored binding first
            assertThat(keys.putIfAbsent("key-old", "someone-else")).isEqualTo("old");
            assertThat(second.idempotency().load("key-old")).isEqualTo("old");
        } finally {
            hz2.shutdown();
        }
    }

    /** The per-pool hour-of-week profile (V14) is stored as it is learnt and comes back after every member stopped. */
    @Test
    void aPoolsHourOfWeekProfileSurvivesARestartOfEveryMember() {
        String cluster = "ns-jdbc-" + UUID.randomUUID().toString().substring(0, 8);
        java.time.ZoneId amsterdam = java.time.ZoneId.of("Europe/Amsterdam");
        java.time.Instant tuesday2am = java.time.Instant.parse("2026-03-03T01:00:00Z");
        io.nightshift.coordinator.pools.HourOfWeekProfile learnt = new io.nightshift.coordinator.pools.HourOfWeekProfile();
        Database first = open();
        HazelcastInstance hz1 = HazelcastMembers.start(cluster, first);
        try {
            var store = new io.nightshift.coordinator.state.HazelcastStateStore(hz1, first);
            for (int minute = 0; minute < 3; minute++) {
                java.time.Instant t = tuesday2am.plusSeconds(60L * minute);
                learnt.observe("office", amsterdam, "a1", t, io.nightshift.api.Resources.of(12 + minute, 40_000));
                if (learnt.observe("office", amsterdam, "a2", t, io.nightshift.api.Resources.of(10, 30_000)))
                    throw new AssertionError("a second agent in the same minute folds no new sample");
                store.savePoolProfile("office", io.nightshift.api.json.Json.write(learnt.snapshot("office").orElseThrow()));
            }
        } finally {
            hz1.getLifecycleService().terminate(); // no graceful flush: write-through must not need one
        }
        first.close();

        Database second = open();
        HazelcastInstance hz2 = HazelcastMembers.start(cluster, second);
        try {
            var store = new io.nightshift.coordinator.state.HazelcastStateStore(hz2, second);
            assertThat(store.poolProfiles()).containsOnlyKeys("office");
            io.nightshift.coordinator.pools.HourOfWeekProfile recovered = new io.nightshift.coordinator.pools.HourOfWeekProfile();
            recovered.restore(io.nightshift.api.json.Json.read(store.poolProfiles().get("office"),
                    io.nightshift.coordinator.pools.HourOfWeekProfile.Stored.class));
            assertThat(recovered.profile("office")).isEqualTo(learnt.profile("office")).containsKey("Tue 02");
            assertThat(recovered.idleAt("office", tuesday2am.plus(java.time.Duration.ofDays(7))))
                    .isEqualTo(learnt.idleAt("office", tuesday2am)).isPresent();
        } finally {
            hz2.shutdown();
        }
    }

    /** A job name's runtime history (V25), the p90 input of deadline admission, comes back after every member stopped. */
    @Test
    void aJobNamesRuntimeHistorySurvivesARestartOfEveryMember() throws Exception {
        String cluster = "ns-jdbc-" + UUID.randomUUID().toString().substring(0, 8);
        String nightly = "{\"v\":1,\"id\":\"nightly\",\"runs\":[{\"run\":\"n1.r1\",\"endedAt\":\"2026-03-03T04:10:00Z\",\"seconds\":61.5}]}";
        String etl = "{\"v\":1,\"id\":\"etl\",\"runs\":[{\"run\":\"e1.r1\",\"endedAt\":\"2026-03-03T04:20:00Z\",\"seconds\":7.25}]}";
        Database first = open();
        HazelcastInstance hz1 = HazelcastMembers.start(cluster, first);
        try {
            var store = new io.nightshift.coordinator.state.HazelcastStateStore(hz1, first);
            store.saveRuntimes(java.util.Map.of("nightly", "{\"v\":1,\"id\":\"nightly\",\"runs\":[]}", "etl", etl));
            store.saveRuntimes(java.util.Map.of("nightly", nightly)); // the whole document replaces the one before
        } finally {
            hz1.getLifecycleService().terminate(); // no graceful flush: write-through must not need one
        }
        first.close();

        Database second = open();
        assertThat(tables(second)).contains("ns_runtimes");
        HazelcastInstance hz2 = HazelcastMembers.start(cluster, second);
        try {
            var store = new io.nightshift.coordinator.state.HazelcastStateStore(hz2, second);
            assertThat(store.runtimes()).containsOnlyKeys("etl", "nightly");
            assertThat(io.nightshift.api.json.Json.mapper().readTree(store.runtimes().get("nightly")))
                    .isEqualTo(io.nightshift.api.json.Json.mapper().readTree(nightly));
            assertThat(io.nightshift.api.json.Json.mapper().readTree(store.runtimes().get("etl")))
                    .isEqualTo(io.nightshift.api.json.Json.mapper().readTree(etl));
        } finally {
            hz2.shutdown();
        }
    }

    // ------------------------------------------------------------------ job listing

    @Test
    void jobListingPagesNewestFirstWithTiesByIdAndFilters() {
        Database db = open();
        List<Job> all = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            JobState state = i % 3 == 0 ? JobState.SUCCEEDED : JobState.QUEUED;
            String queue = i % 2 == 0 ? "etl" : "ml";
            // pairs share a submission instant: the order inside a pair is by id
            Job j = job(String.format("job-%02d", i), state, queue, Map.of("team", i % 4 == 0 ? "data" : "web"),
                    T0.plusSeconds(i / 2));
            db.jobs().store(j.id(), json(j));
            all.add(j);
        }
        List<Job> newestFirst = all.stream()
                .sorted(java.util.Comparator.comparing(Job::submittedAt).reversed().thenComparing(Job::id)).toList();

        assertThat(pageThrough(db, null, null, Map.of(), 5)).containsExactlyElementsOf(newestFirst);
        assertThat(pageThrough(db, JobState.SUCCEEDED, null, Map.of(), 2))
                .containsExactlyElementsOf(newestFirst.stream().filter(j -> j.state() == JobState.SUCCEEDED).toList());
        assertThat(pageThrough(db, JobState.QUEUED, "etl", Map.of(), 3))
                .containsExactlyElementsOf(newestFirst.stream()
                        .filter(j -> j.state() == JobState.QUEUED && j.spec().queue().equals("etl")).toList());
        assertThat(pageThrough(db, null, null, Map.of("team", "data"), 2))
                .containsExactlyElementsOf(newestFirst.stream().filter(j -> j.spec().labels().get("team").equals("data")).toList());
        assertThat(pageThrough(db, null, "nosuchqueue", Map.of(), 5)).isEmpty();

        Database.Page exact = db.jobs(null, null, Map.of(), 23, null);
        assertThat(exact.jobs()).hasSize(23);
        assertThat(exact.next()).as("a page that holds everything has no next").isNull();
    }

    @Test
    void labelFilteringOverFetchesUntilThePageIsFull() {
        Database db = open();
        for (int i = 0; i < 450; i++) {
            Job j = job(String.format("job-%03d", i), JobState.QUEUED, "etl",
                    Map.of("rare", i % 150 == 0 ? "yes" : "no"), T0.plusSeconds(i));
            db.jobs().store(j.id(), json(j));
        }
        Database.Page p = db.jobs(null, null, Map.of("rare", "yes"), 2, null);
        assertThat(p.jobs()).extracting(Job::id).containsExactly("job-300", "job-150");
        assertThat(p.next()).isNotNull();
        Database.Page rest = db.jobs(null, null, Map.of("rare", "yes"), 2, p.next());
        assertThat(rest.jobs()).extracting(Job::id).containsExactly("job-000");
        assertThat(rest.next()).isNull();
    }

    @Test
    void jobsSubmittedInTheSameMillisecondAreOrderedByIdAsJavaOrdersStrings() {
        Database db = open();
        List<String> ids = new ArrayList<>(List.of("a_1", "A-1", "b", "B", "a-2", "0z", "Z_9"));
        for (String id : ids) db.jobs().store(id, json(job(id, JobState.QUEUED, "default", Map.of(), T0)));
        Collections.sort(ids);
        assertThat(pageThrough(db, null, null, Map.of(), 2)).extracting(Job::id).containsExactlyElementsOf(ids);
    }

    private static List<Job> pageThrough(Database db, JobState state, String queue, Map<String, String> labels, int limit) {
        List<Job> out = new ArrayList<>();
        String cursor = null;
        do {
            Database.Page p = db.jobs(state, queue, labels, limit, cursor);
            assertThat(p.jobs().size()).isLessThanOrEqualTo(limit);
            if (p.next() != null) {
                assertThat(p.jobs()).hasSize(limit);
                assertThat(Database.validCursor(p.next())).isTrue();
            }
            out.addAll(p.jobs());
            cursor = p.next();
        } while (cursor != null);
        return out;
    }

    @Test
    void cursorsFromUsersAreChecked() {
        assertThat(Database.validCursor(null)).isTrue();
        assertThat(Database.validCursor(new Database.Cursor(1700000000000L, "job-1").encode())).isTrue();
        assertThat(Database.validCursor("%%%")).isFalse();
        assertThat(Database.validCursor("bm9jb2xvbg")).isFalse(); // "nocolon"
        assertThat(Database.validCursor("eDpqb2I")).isFalse(); // "x:job"
        Database db = open();
        assertThatThrownBy(() -> db.jobs(null, null, Map.of(), 10, "%%%")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> db.jobs(null, null, Map.of(), 0, null)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A core turn is one transaction: every map's rows and the events, or (a value that does not fit) none of them. */
    @Test
    void aTurnStoresEveryMapAndItsEventsTogetherOrNothing() {
        Database db = open();
        Task t = task("j1", TaskState.PENDING);
        db.saveTurn(Map.of("j1", json(job("j1", JobState.QUEUED))), Map.of(Run.idOf("j1", 1), json(run("j1", JobState.QUEUED))),
                Map.of(t.id(), json(t)), Map.of("a1", json(agent("a1"))), Map.of("key-1", "j1"), List.of(event(1), event(2)));
        db.saveTurn(Map.of("j1", json(job("j1", JobState.QUEUED))), Map.of(), Map.of(), Map.of(), Map.of(), List.of(event(2))); // a retry

        assertThat(read(db.jobs().load("j1"), Job.class)).isEqualTo(job("j1", JobState.QUEUED));
        assertThat(read(db.runs().load(Run.idOf("j1", 1)), Run.class)).isEqualTo(run("j1", JobState.QUEUED));
        assertThat(read(db.tasks().load(t.id()), Task.class)).isEqualTo(t);
        assertThat(read(db.agents().load("a1"), AgentInfo.class)).isEqualTo(agent("a1"));
        assertThat(db.idempotency().load("key-1")).isEqualTo("j1");
        assertThat(db.eventsAfter(0, 10)).containsExactly(event(1), event(2));

        assertThatThrownBy(() -> db.saveTurn(Map.of("j2", json(job("j2", JobState.QUEUED))), Map.of(),
                Map.of("t9", new HazelcastJsonValue("{\"id\":\"t9\",\"jobId\":\"j2\",\"state\":\"NAPPING\"}")),
                Map.of(), Map.of("key-2", "j2"), List.of(event(3))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown state 'NAPPING'");
        assertThat(db.jobs().load("j2")).isNull();
        assertThat(db.idempotency().load("key-2")).isNull();
        assertThat(db.lastEventSeq()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ events

    @Test
    void eventsAreNumberedDurablyAcrossReopen() {
        Database db = open();
        assertThat(db.lastEventSeq()).isZero();
        for (long s = 1; s <= 5; s++) db.appendEvent(event(s));
        assertThat(db.eventsAfter(2, 2)).containsExactly(event(3), event(4));
        assertThat(db.eventsAfter(0, 100)).hasSize(5);
        db.appendEvent(event(5)); // the same event again: a harmless retry
        assertThatThrownBy(() -> db.appendEvent(new Event(5, T0, "job", "other", "other", null, null, "RUNNING", null, null)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("seq 5");
        db.close();

        Database again = open();
        assertThat(again.lastEventSeq()).isEqualTo(5);
        assertThat(again.eventsAfter(4, 10)).containsExactly(event(5));
        assertThat(again.eventsAfter(5, 10)).isEmpty();
    }

    @Test
    void deletingOldEventsKeepsTheNewestSoNumbersNeverGoBack() {
        Database db = open();
        for (long s = 1; s <= 10; s++) db.appendEvent(event(s));
        assertThat(db.deleteEventsUpTo(4)).isEqualTo(4);
        assertThat(db.eventsAfter(0, 100)).extracting(Event::seq).containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(db.deleteEventsUpTo(100)).isEqualTo(5);
        assertThat(db.lastEventSeq()).isEqualTo(10);
        assertThat(db.eventsAfter(0, 100)).extracting(Event::seq).containsExactly(10L);
    }

    // ------------------------------------------------------------------ fencing

    @Test
    void epochsGrowByOneAndSurviveReopen() {
        Database db = open();
        assertThat(db.currentEpoch()).isZero();
        assertThat(db.acquireEpoch("coordinator-a", T0)).isEqualTo(1);
        assertThat(db.acquireEpoch("coordinator-b", T0.plusSeconds(1))).isEqualTo(2);
        db.close();
        Database again = open();
        assertThat(again.currentEpoch()).isEqualTo(2);
        assertThat(again.acquireEpoch("coordinator-a", T0.plusSeconds(2))).isEqualTo(3);
    }

    @Test
    void aLeaseRenewsOnlyWhileItsEpochIsTheNewestAndTakingOneSaysWhetherTheLastWasReleased() {
        Database db = open();
        Database.Lease first = db.takeEpoch("coordinator-a", T0);
        assertThat(first).isEqualTo(new Database.Lease(1, null)); // never taken before: nobody to wait for
        assertThat(db.renewLease(1, T0.plusSeconds(1))).isTrue();

        Database.Lease second = db.takeEpoch("coordinator-b", T0.plusSeconds(2));
        assertThat(second).isEqualTo(new Database.Lease(2, "coordinator-a")); // a was not released: b must wait it out
        assertThat(db.renewLease(1, T0.plusSeconds(3))).as("the old leader's renewal finds the newer epoch").isFalse();
        db.releaseLease(1); // too late: changes nothing
        assertThat(db.renewLease(2, T0.plusSeconds(3))).isTrue();

        db.releaseLease(2);
        assertThat(db.takeEpoch("coordinator-c", T0.plusSeconds(4))).isEqualTo(new Database.Lease(3, null));
        assertThat(db.currentEpoch()).isEqualTo(3);
    }

    @Test
    void theStoreRecordsWhoTookEachEpochSinceWhenItActedAndWhenItEnded() {
        Database db = open();
        db.takeEpoch("coordinator-a", T0);
        assertThat(db.epochActing(1, "http://127.0.0.41:7070", T0.plusSeconds(1))).isTrue();
        db.takeEpoch("coordinator-b", T0.plusSeconds(5)); // a partition: a is still leading
        assertThat(db.epochActing(1, "http://127.0.0.41:7070", T0.plusSeconds(6))).as("a newer epoch exists").isFalse();
        db.takeEpoch("coordinator-c", T0.plusSeconds(7)); // c takes over before b acted
        assertThat(db.epochActing(2, "http://127.0.0.42:7070", T0.plusSeconds(8))).as("b lost its epoch while waiting").isFalse();
        db.epochEnded(1, T0.plusSeconds(9), "another coordinator took a newer epoch");
        db.epochEnded(1, T0.plusSeconds(10), "a second word changes nothing");
        assertThat(db.epochActing(3, "http://127.0.0.43:7070", T0.plusSeconds(11))).isTrue();
        assertThat(db.renewLease(3, T0.plusSeconds(12))).isTrue();
        db.close();

        assertThat(open().epochs()).containsExactly(
                new Database.EpochRecord(1, "coordinator-a", T0, T0.plusSeconds(1), "http://127.0.0.41:7070", T0.plusSeconds(9),
                        "another coordinator took a newer epoch"),
                new Database.EpochRecord(2, "coordinator-b", T0.plusSeconds(5), null, null, null, null),
                new Database.EpochRecord(3, "coordinator-c", T0.plusSeconds(7), T0.plusSeconds(11), "http://127.0.0.43:7070", null,
                        null));
    }

    @Test
    void theStoreIdIsSetOnceAndSurvivesReopen() {
        Database db = open();
        String id = db.storeId();
        assertThat(id).isNotBlank().isEqualTo(db.storeId());
        db.close();
        assertThat(open().storeId()).isEqualTo(id);
    }

    /** Two coordinators (two pools on one database) racing for leadership never share an epoch. */
    @Test
    void twoRacingCoordinatorsNeverGetTheSameEpoch() throws Exception {
        Database a = open();
        Database b = open();
        int perSide = 50;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<List<Long>> fa = threads.submit(() -> acquire(a, "a", perSide, start));
            Future<List<Long>> fb = threads.submit(() -> acquire(b, "b", perSide, start));
            start.countDown();
            List<Long> ea = fa.get(60, TimeUnit.SECONDS);
            List<Long> eb = fb.get(60, TimeUnit.SECONDS);
            assertThat(ea).isSorted();
            assertThat(eb).isSorted();
            Set<Long> all = new HashSet<>(ea);
            all.addAll(eb);
            assertThat(all).hasSize(2 * perSide);
            assertThat(Collections.max(all)).isEqualTo(2L * perSide);
            assertThat(a.currentEpoch()).isEqualTo(2L * perSide);
        } finally {
            threads.shutdownNow();
        }
    }

    private static List<Long> acquire(Database db, String holder, int n, CountDownLatch start) throws InterruptedException {
        start.await();
        List<Long> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(db.acquireEpoch(holder, T0.plusMillis(i)));
        return out;
    }

    // ------------------------------------------------------------------ retention

    @Test
    void retentionDeletesOnlyOldTerminalJobsWithTheirRunsTasksAndKeys() {
        Database db = open();
        Instant cutoff = T0.plus(Duration.ofDays(7));
        // old = finished a minute after T0; recent = finished after the cutoff
        for (JobState s : JobState.values()) {
            store(db, job("old-" + s, s));
            store(db, job("recent-" + s, s, "default", Map.of(), cutoff.plusSeconds(1)));
        }
        for (int i = 0; i < 3; i++) store(db, job("old-extra-" + i, JobState.FAILED));

        List<String> first = db.deleteFinishedJobsBefore(cutoff, 4);
        List<String> second = db.deleteFinishedJobsBefore(cutoff, 4);
        List<String> third = db.deleteFinishedJobsBefore(cutoff, 4);
        assertThat(first).hasSize(4);
        assertThat(second).hasSize(3);
        assertThat(third).isEmpty();
        List<String> deleted = new ArrayList<>(first);
        deleted.addAll(second);
        assertThat(deleted).containsExactlyInAnyOrder("old-SUCCEEDED", "old-FAILED", "old-KILLED", "old-UPSTREAM_FAILED",
                "old-extra-0", "old-extra-1", "old-extra-2");

        for (String id : deleted) {
            assertThat(db.jobs().load(id)).isNull();
            assertThat(db.runs().load(Run.idOf(id, 1))).isNull();
            assertThat(db.tasks().load(task(id, TaskState.FINISHED).id())).isNull();
            assertThat(db.idempotency().load("key-" + id)).isNull();
        }
        for (String id : List.of("old-QUEUED", "old-RUNNING", "recent-SUCCEEDED", "recent-FAILED", "recent-KILLED", "recent-QUEUED")) {
            assertThat(db.jobs().load(id)).as(id).isNotNull();
            assertThat(db.runs().load(Run.idOf(id, 1))).as(id).isNotNull();
            assertThat(db.tasks().load(task(id, TaskState.FINISHED).id())).as(id).isNotNull();
            assertThat(db.idempotency().load("key-" + id)).as(id).isEqualTo(id);
        }
    }

    private static void store(Database db, Job j) {
        db.jobs().store(j.id(), json(j));
        db.runs().store(Run.idOf(j.id(), 1), json(run(j.id(), j.state())));
        TaskState ts = j.state().isTerminal() ? TaskState.FINISHED : TaskState.PENDING;
        db.tasks().store(task(j.id(), ts).id(), json(task(j.id(), ts)));
        db.idempotency().store("key-" + j.id(), j.id());
    }
}
