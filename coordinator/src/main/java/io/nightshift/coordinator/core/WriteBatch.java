package io.nightshift.coordinator.core;

import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.Run;
import io.nightshift.api.model.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The writes of one turn of the core, and what may only happen once they are stored: answers to
 * clients, acks and launches to agents, events. The core applies a whole batch of commands in
 * memory, stores their writes together (one round trip per map instead of one per write), then
 * carries out the deferred actions. Nothing is acknowledged or launched before it is stored.
 */
final class WriteBatch {
    final Map<String, Job> jobs = new LinkedHashMap<>();
    final Map<String, Run> runs = new LinkedHashMap<>();
    final Map<String, Task> tasks = new LinkedHashMap<>();
    final Map<String, AgentInfo> agents = new LinkedHashMap<>();
    final Map<String, String> keys = new LinkedHashMap<>();
    /** Job names' runtime histories (whole JSON documents), by name. */
    final Map<String, String> runtimes = new LinkedHashMap<>();
    final List<io.nightshift.api.model.Event> events = new ArrayList<>();
    final List<Runnable> afterCommit = new ArrayList<>();

    void job(Job j) {
        jobs.put(j.id(), j);
    }

    void run(Run r) {
        runs.put(r.id(), r);
    }

    void task(Task t) {
        tasks.put(t.id(), t);
    }

    void agent(AgentInfo a) {
        agents.put(a.id(), a);
    }

    void key(String key, String jobId) {
        keys.put(key, jobId);
    }

    void runtimes(String name, String json) {
        runtimes.put(name, json);
    }

    void afterCommit(Runnable r) {
        afterCommit.add(r);
    }

    boolean hasWrites() {
        return !jobs.isEmpty() || !runs.isEmpty() || !tasks.isEmpty() || !agents.isEmpty() || !keys.isEmpty()
                || !events.isEmpty() || !runtimes.isEmpty();
    }

    int writes() {
        return jobs.size() + runs.size() + tasks.size() + agents.size() + keys.size() + events.size() + runtimes.size();
    }
}
