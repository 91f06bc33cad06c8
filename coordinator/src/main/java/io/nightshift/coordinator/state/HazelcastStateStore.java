package io.nightshift.coordinator.state;

import com.hazelcast.config.IndexType;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.Run;
import io.nightshift.api.model.Task;
import io.nightshift.api.state.TaskState;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.nio.charset.StandardCharsets;

/**
 * State in Hazelcast IMaps ({@code nightshift.jobs}, {@code .runs}, {@code .tasks}, {@code .agents},
 * {@code .idempotency}). Values are JSON documents ({@link HazelcastJsonValue}: no Java
 * serialization, queryable by attribute) carrying a schema version {@code v}; each map keeps one
 * synchronous backup on another member when there is one.
 */
public final class HazelcastStateStore implements StateStore {

    public static final String JOBS = "nightshift.jobs";
    public static final String RUNS = "nightshift.runs";
    public static final String TASKS = "nightshift.tasks";
    public static final String AGENTS = "nightshift.agents";
    public static final String IDEMPOTENCY = "nightshift.idempotency";
    public static final String QUEUES = "nightshift.queues";
    public static final String POOLS = "nightshift.pools";
    public static final String POOL_PROFILES = "nightshift.pool-profiles";
    public static final String RUNTIMES = "nightshift.runtimes";

    /** How a pool is stored: its spec under its name, with a schema version. */
    public record StoredPool(int v, String id, io.nightshift.api.pool.PoolSpec spec) {
    }

    /** How a queue is stored: its spec under its name, with a schema version. */
    public record StoredQueue(int v, String id, io.nightshift.api.queue.QueueSpec spec) {
    }

    private final IMap<String, HazelcastJsonValue> jobs;
    private final IMap<String, HazelcastJsonValue> runs;
    private final IMap<String, HazelcastJsonValue> tasks;
    private final IMap<String, HazelcastJsonValue> agents;
    private final IMap<String, String> idempotency;
    private final IMap<String, HazelcastJsonValue> queues;
    private final IMap<String, HazelcastJsonValue> pools;
    private final IMap<String, HazelcastJsonValue> poolProfiles;
    private final IMap<String, HazelcastJsonValue> runtimes;

    private final io.nightshift.coordinator.state.jdbc.Database database;

    /** {@code database}: the durable store behind the maps (history listings come from it), or null. */
    public HazelcastStateStore(HazelcastInstance hz, io.nightshift.coordinator.state.jdbc.Database database) {
        this.database = database;
        this.jobs = hz.getMap(JOBS);
        this.runs = hz.getMap(RUNS);
        this.tasks = hz.getMap(TASKS);
        this.agents = hz.getMap(AGENTS);
        this.idempotency = hz.getMap(IDEMPOTENCY);
        this.queues = hz.getMap(QUEUES);
        this.pools = hz.getMap(POOLS);
        this.poolProfiles = hz.getMap(POOL_PROFILES);
        this.runtimes = hz.getMap(RUNTIMES);
        jobs.addIndex(IndexType.HASH, "state");
        tasks.addIndex(IndexType.HASH, "state");
    }

    private static HazelcastJsonValue json(Object o) {
        return new HazelcastJsonValue(Json.write(o));
    }

    private static <T> T read(HazelcastJsonValue v, Class<T> type) {
        return v == null ? null : Json.read(v.getValue(), type);
    }

    @Override
    public void saveJob(Job job) {
        saveAll(List.of(job), List.of(), List.of(), List.of(), Map.of(), List.of());
    }

    @Override
    public Optional<Job> job(String id) {
        return Optional.ofNullable(read(jobs.get(id), Job.class));
    }

    @Override
    public Page<Job> jobs(JobQuery q) {
        if (database != null) { // the maps hold live jobs and what was read lately; the database holds all
            io.nightshift.coordinator.state.jdbc.Database.Page p = database.jobs(q.state(), q.queue(), q.labels(), q.limit(), q.after());
            return new Page<>(p.jobs(), p.next());
        }
        List<Predicate<String, HazelcastJsonValue>> preds = new ArrayList<>();
        if (q.state() != null) preds.add(Predicates.equal("state", q.state().name()));
        if (q.queue() != null) preds.add(Predicates.equal("spec.queue", q.queue()));
        Collection<HazelcastJsonValue> values = preds.isEmpty() ? jobs.values()
                : jobs.values(Predicates.and(preds.toArray(Predicate[]::new)));
        Cursor after = Cursor.decode(q.after());
        List<Job> all = new ArrayList<>(values.size());
        for (HazelcastJsonValue v : values) {
            Job j = read(v, Job.class);
            if (!j.spec().labels().entrySet().containsAll(q.labels().entrySet())) continue;
            if (after != null && !after.isBefore(j)) continue;
            all.add(j);
        }
        all.sort(NEWEST_FIRST);
        if (all.size() <= q.limit()) return new Page<>(all, null);
        List<Job> page = all.subList(0, q.limit());
        Job last = page.get(page.size() - 1);
        return new Page<>(List.copyOf(page), new Cursor(last.submittedAt().toEpochMilli(), last.id()).encode());
    }

    private static final Comparator<Job> NEWEST_FIRST = Comparator
            .comparing(Job::submittedAt, Comparator.reverseOrder())
            .thenComparing(Job::id);

    /** Position in the newest-first order: (submitted millis, id). */
    private record Cursor(long millis, String id) {
        String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((millis + ":" + id).getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String s) {
            if (s == null) return null;
            String raw = new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            return new Cursor(Long.parseLong(raw.substring(0, colon)), raw.substring(colon + 1));
        }

        /** True when {@code j} comes after this cursor in newest-first order. */
        boolean isBefore(Job j) {
            long m = j.submittedAt().toEpochMilli();
            return m < millis || (m == millis && j.id().compareTo(id) > 0);
        }
    }

    /** Checks a cursor from a user: true when {@link Cursor#decode} will accept it. */
    public static boolean validCursor(String s) {
        try {
            Cursor.decode(s);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public Optional<String> jobIdForKey(String key) {
        return Optional.ofNullable(idempotency.get(key));
    }

    @Override
    public void saveRun(Run run) {
        saveAll(List.of(), List.of(run), List.of(), List.of(), Map.of(), List.of());
    }

    @Override
    public Optional<Run> run(String id) {
        return Optional.ofNullable(read(runs.get(id), Run.class));
    }

    @Override
    public void saveTask(Task task) {
        saveAll(List.of(), List.of(), List.of(task), List.of(), Map.of(), List.of());
    }

    @Override
    public Optional<Task> task(String id) {
        return Optional.ofNullable(read(tasks.get(id), Task.class));
    }

    @Override
    public List<Task> tasks(Collection<String> ids) {
        Map<String, HazelcastJsonValue> found = tasks.getAll(Set.copyOf(ids));
        List<Task> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            HazelcastJsonValue v = found.get(id);
            if (v != null) out.add(read(v, Task.class));
        }
        return out;
    }

    @Override
    public Collection<Job> jobsInStates(Set<io.nightshift.api.state.JobState> states) {
        String[] names = states.stream().map(Enum::name).toArray(String[]::new);
        List<Job> out = new ArrayList<>();
        for (HazelcastJsonValue v : jobs.values(Predicates.in("state", names))) out.add(read(v, Job.class));
        return out;
    }

    @Override
    public Collection<Task> tasksInStates(Set<TaskState> states) {
        String[] names = states.stream().map(Enum::name).toArray(String[]::new);
        List<Task> out = new ArrayList<>();
        for (HazelcastJsonValue v : tasks.values(Predicates.in("state", names))) out.add(read(v, Task.class));
        return out;
    }

    @Override
    public void saveAgent(AgentInfo agent) {
        saveAll(List.of(), List.of(), List.of(), List.of(agent), Map.of(), List.of());
    }

    @Override
    public Optional<AgentInfo> agent(String id) {
        return Optional.ofNullable(read(agents.get(id), AgentInfo.class));
    }

    @Override
    public Collection<AgentInfo> agents() {
        List<AgentInfo> out = new ArrayList<>();
        for (HazelcastJsonValue v : agents.values()) out.add(read(v, AgentInfo.class));
        out.sort(Comparator.comparing(AgentInfo::id));
        return out;
    }

    /**
     * A turn's writes (runtime histories included, see {@link #saveTurn}). With a database: first stored there in one transaction ({@link
     * io.nightshift.coordinator.state.jdbc.Database#saveTurn}), then put in the maps, which load from the
     * database but do not write through (so an acknowledged write is durable, and a turn costs one commit
     * rather than one per map partition it touches). Without one: the maps only.
     */
    @Override
    public void saveAll(Collection<Job> jobList, Collection<Run> runList, Collection<Task> taskList,
                        Collection<AgentInfo> agentList, Map<String, String> keys,
                        List<io.nightshift.api.model.Event> events) {
        saveTurn(jobList, runList, taskList, agentList, keys, events, Map.of());
    }

    @Override
    public void saveTurn(Collection<Job> jobList, Collection<Run> runList, Collection<Task> taskList,
                         Collection<AgentInfo> agentList, Map<String, String> keys,
                         List<io.nightshift.api.model.Event> events, Map<String, String> runtimesByName) {
        Map<String, HazelcastJsonValue> j = values(jobList, Job::id), r = values(runList, Run::id),
                t = values(taskList, Task::id), a = values(agentList, AgentInfo::id);
        Map<String, HazelcastJsonValue> h = new java.util.HashMap<>(runtimesByName.size() * 2);
        runtimesByName.forEach((name, json) -> h.put(name, new HazelcastJsonValue(json)));
        if (database != null) database.saveTurn(j, r, t, a, keys, events, h);
        List<java.util.concurrent.CompletableFuture<Void>> pending = new ArrayList<>(6);
        if (!h.isEmpty()) pending.add(runtimes.setAllAsync(h).toCompletableFuture());
        if (!keys.isEmpty()) pending.add(idempotency.setAllAsync(keys).toCompletableFuture());
        if (!t.isEmpty()) pending.add(tasks.setAllAsync(t).toCompletableFuture());
        if (!r.isEmpty()) pending.add(runs.setAllAsync(r).toCompletableFuture());
        if (!a.isEmpty()) pending.add(agents.setAllAsync(a).toCompletableFuture());
        if (!j.isEmpty()) pending.add(jobs.setAllAsync(j).toCompletableFuture());
        java.util.concurrent.CompletableFuture.allOf(pending.toArray(java.util.concurrent.CompletableFuture[]::new)).join();
    }

    private static <T> Map<String, HazelcastJsonValue> values(Collection<T> values, java.util.function.Function<T, String> id) {
        Map<String, HazelcastJsonValue> m = new java.util.HashMap<>(values.size() * 2);
        for (T v : values) m.put(id.apply(v), json(v));
        return m;
    }

    @Override
    public Collection<io.nightshift.api.queue.QueueSpec> queues() {
        List<io.nightshift.api.queue.QueueSpec> out = new ArrayList<>();
        for (HazelcastJsonValue v : queues.values()) out.add(read(v, StoredQueue.class).spec());
        out.sort(Comparator.comparing(io.nightshift.api.queue.QueueSpec::name));
        return out;
    }

    @Override
    public void saveQueue(io.nightshift.api.queue.QueueSpec queue) {
        queues.set(queue.name(), json(new StoredQueue(1, queue.name(), queue)));
    }

    @Override
    public void deleteQueue(String name) {
        queues.delete(name);
    }

    @Override
    public Collection<io.nightshift.api.pool.PoolSpec> pools() {
        List<io.nightshift.api.pool.PoolSpec> out = new ArrayList<>();
        for (HazelcastJsonValue v : pools.values()) out.add(read(v, StoredPool.class).spec());
        out.sort(Comparator.comparing(io.nightshift.api.pool.PoolSpec::name));
        return out;
    }

    @Override
    public void savePool(io.nightshift.api.pool.PoolSpec pool) {
        pools.set(pool.name(), json(new StoredPool(1, pool.name(), pool)));
    }

    @Override
    public void deletePool(String name) {
        pools.delete(name);
        poolProfiles.delete(name);
    }

    @Override
    public Map<String, String> poolProfiles() {
        Map<String, String> out = new java.util.TreeMap<>();
        for (Map.Entry<String, HazelcastJsonValue> e : poolProfiles.entrySet()) out.put(e.getKey(), e.getValue().getValue());
        return out;
    }

    @Override
    public void savePoolProfile(String pool, String json) {
        poolProfiles.set(pool, new HazelcastJsonValue(json));
    }

    @Override
    public Map<String, String> runtimes() {
        Map<String, String> out = new java.util.TreeMap<>();
        for (Map.Entry<String, HazelcastJsonValue> e : runtimes.entrySet()) out.put(e.getKey(), e.getValue().getValue());
        return out;
    }

    @Override
    public void saveRuntimes(Map<String, String> byName) {
        if (byName.isEmpty()) return;
        saveTurn(List.of(), List.of(), List.of(), List.of(), Map.of(), List.of(), byName);
    }

    @Override
    public List<String> compactHistory(java.time.Instant cutoff, int max, long eventsKept) {
        if (database == null) return List.of();
        List<String> ids = database.deleteFinishedJobsBefore(cutoff, max); // the durable rows first
        if (!ids.isEmpty()) {
            String[] idArray = ids.toArray(String[]::new);
            tasks.removeAll(Predicates.in("jobId", idArray)); // then what the maps still hold of them
            runs.removeAll(Predicates.in("jobId", idArray));
            jobs.removeAll(Predicates.in("id", idArray));
            idempotency.removeAll(Predicates.in("this", idArray));
        }
        long last = database.lastEventSeq();
        if (last > eventsKept) database.deleteEventsUpTo(last - eventsKept);
        return ids;
    }

    @Override
    public long lastEventSeq() {
        return database == null ? 0 : database.lastEventSeq();
    }

    @Override
    public List<io.nightshift.api.model.Event> eventsAfter(long seq, int limit) {
        return database == null ? List.of() : database.eventsAfter(seq, limit);
    }

    @Override
    public void close() {
        // the Hazelcast instance is owned and shut down by the Coordinator
    }
}
