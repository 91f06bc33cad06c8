package io.nightshift.coordinator.state;

import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.Run;
import io.nightshift.api.model.Task;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.TaskState;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every read and write of coordinator state goes through here: jobs, runs, tasks, agents and
 * idempotency keys. Implementations must make a write durable (as durable as they are) before
 * returning, since the caller acknowledges to users right after. Values are immutable records.
 */
public interface StateStore extends AutoCloseable {

    void saveJob(Job job);

    Optional<Job> job(String id);

    /** Jobs matching the query, newest first, one page. */
    Page<Job> jobs(JobQuery query);

    Optional<String> jobIdForKey(String key);

    void saveRun(Run run);

    Optional<Run> run(String id);

    void saveTask(Task task);

    Optional<Task> task(String id);

    List<Task> tasks(Collection<String> ids);

    /** Jobs in any of these states that the maps hold (the live ones are always loaded). */
    Collection<Job> jobsInStates(Set<JobState> states);

    /** Tasks in any of these states (the scheduler's working set: pending and active ones). */
    Collection<Task> tasksInStates(Set<TaskState> states);

    void saveAgent(AgentInfo agent);

    Optional<AgentInfo> agent(String id);

    Collection<AgentInfo> agents();

    /**
     * Stores many values at once (one round trip per map, the maps in parallel); returns when all are
     * stored. {@code keys} binds idempotency keys to job ids; {@code events} are numbered state changes
     * (kept durably where the store is durable, so clients can resume after a restart).
     */
    void saveAll(Collection<Job> jobs, Collection<Run> runs, Collection<Task> tasks, Collection<AgentInfo> agents,
                 java.util.Map<String, String> keys, List<io.nightshift.api.model.Event> events);

    /**
     * A core turn: {@link #saveAll} and the job names' runtime histories the turn changed ({@link #saveRuntimes}),
     * stored together (one transaction where the store is a database).
     */
    void saveTurn(Collection<Job> jobs, Collection<Run> runs, Collection<Task> tasks, Collection<AgentInfo> agents,
                  java.util.Map<String, String> keys, List<io.nightshift.api.model.Event> events,
                  java.util.Map<String, String> runtimes);

    /** The last event number stored (0 when none, or when the store keeps no events). */
    long lastEventSeq();

    /** Stored events after {@code seq}, in order (empty when the store keeps none). */
    List<io.nightshift.api.model.Event> eventsAfter(long seq, int limit);

    /**
     * Deletes up to {@code max} finished jobs that ended before {@code cutoff}, with their runs, tasks
     * and idempotency keys, and keeps only the newest {@code eventsKept} events. Returns the job ids.
     */
    List<String> compactHistory(java.time.Instant cutoff, int max, long eventsKept);

    /** Every queue but the built-in {@code default} (which always exists). */
    Collection<io.nightshift.api.queue.QueueSpec> queues();

    void saveQueue(io.nightshift.api.queue.QueueSpec queue);

    void deleteQueue(String name);

    /** Every pool (machines shared with their owners), by name. */
    Collection<io.nightshift.api.pool.PoolSpec> pools();

    void savePool(io.nightshift.api.pool.PoolSpec pool);

    void deletePool(String name);

    /** Every pool's stored hour-of-week profile, as its JSON document, by pool name (see V14). */
    Map<String, String> poolProfiles();

    /** Stores a pool's hour-of-week profile (its JSON document), replacing the one stored before. */
    void savePoolProfile(String pool, String json);

    /** Every job name's stored runtime history (see V25), as its JSON document, by name. */
    Map<String, String> runtimes();

    /** Stores job names' runtime histories (each its whole JSON document, replacing the one stored before), all at once. */
    void saveRuntimes(Map<String, String> byName);

    @Override
    void close();

    /** Filter and paging for job listings: every label must match. {@code after} is the cursor returned by the previous page. */
    record JobQuery(JobState state, String queue, java.util.Map<String, String> labels, int limit, String after) {
    }

    record Page<T>(List<T> items, String next) {
    }
}
