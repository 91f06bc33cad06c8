package io.nightshift.coordinator.core;

import io.nightshift.api.queue.QueueSpec;
import io.nightshift.coordinator.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The queues: created, replaced and deleted (only when empty) through the core thread and stored before
 * the answer; read by API threads. The built-in {@code default} queue always exists.
 */
final class QueueAdmin {
    private static final Logger log = LoggerFactory.getLogger(QueueAdmin.class);

    private final ConcurrentSkipListMap<String, QueueSpec> queues =
            new ConcurrentSkipListMap<>(Map.of(QueueSpec.DEFAULT_NAME, QueueSpec.DEFAULT));
    private final CoreLoop loop;
    private final StateStore store;
    private final LiveJobs jobs;
    private final Runnable requestCycle;

    QueueAdmin(CoreLoop loop, StateStore store, LiveJobs jobs, Runnable requestCycle) {
        this.loop = loop;
        this.store = store;
        this.jobs = jobs;
        this.requestCycle = requestCycle;
    }

    void recover() {
        for (QueueSpec q : store.queues()) queues.put(q.name(), q);
    }

    boolean exists(String name) {
        return queues.containsKey(name);
    }

    Set<String> names() {
        return queues.keySet();
    }

    QueueSpec get(String name) {
        return queues.get(name);
    }

    List<QueueSpec> all() {
        return List.copyOf(queues.values());
    }

    /** Creates or replaces a queue; true when it was created. Stored before it is answered. */
    CompletableFuture<Boolean> put(QueueSpec q, boolean mustBeNew) {
        return loop.call(() -> {
            boolean created = !queues.containsKey(q.name());
            if (!created && mustBeNew) throw new SchedulerCore.ConflictException("queue '" + q.name() + "' already exists");
            store.saveQueue(q);
            queues.put(q.name(), q);
            log.info("queue {} {}: weight={} guarantee={} limit={} maxRunning={}", q.name(), created ? "created" : "updated",
                    q.weight(), q.guarantee(), q.limit(), q.maxRunning());
            requestCycle.run();
            return created;
        });
    }

    /** Deletes an empty queue; false when there is no such queue. */
    CompletableFuture<Boolean> delete(String name) {
        return loop.call(() -> {
            if (!queues.containsKey(name)) return false;
            if (name.equals(QueueSpec.DEFAULT_NAME)) throw new SchedulerCore.ConflictException("the default queue cannot be deleted");
            long count = jobs.live.values().stream().filter(j -> j.job.spec().queue().equals(name)).count();
            if (count > 0) throw new SchedulerCore.ConflictException("queue '" + name + "' still has " + count + " unfinished job(s)");
            store.deleteQueue(name);
            queues.remove(name);
            log.info("queue {} deleted", name);
            return true;
        });
    }
}
