package io.nightshift.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.Run;
import io.nightshift.api.model.Task;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.TaskState;
import io.nightshift.coordinator.state.HazelcastStateStore;
import io.nightshift.coordinator.state.jdbc.Database;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator's wiring of its state: a turn is stored in the database first (one transaction), then put in
 * maps that load from the database but do not write through; after the whole cluster is gone (terminate: no
 * flush), a new member on the same database has every stored turn.
 */
class TurnStoreTest {
    @TempDir
    Path dir;

    private static final Instant T0 = Instant.parse("2026-12-02T16:00:00Z");

    @Test
    void aStoredTurnSurvivesTheClusterAndAPlainMapWriteIsNotWrittenThrough() {
        CoordinatorConfig cfg = CoordinatorConfig.from(TestCoordinators.config(dir));
        JobSpec spec = JobSpec.command("true").id("j1").build();
        Job job = new Job(Job.SCHEMA_VERSION, "j1", spec, "h", "key-1", JobState.QUEUED, null, false, T0, T0, null,
                List.of(Run.idOf("j1", 1)), "admin");
        Run run = new Run(Run.SCHEMA_VERSION, Run.idOf("j1", 1), "j1", 1, JobState.QUEUED, T0, null,
                List.of(Task.idOf(Run.idOf("j1", 1), 0)), null);
        Task task = new Task(Task.SCHEMA_VERSION, Task.idOf(run.id(), 0), "j1", run.id(), 0, TaskState.PENDING, null, T0,
                null, List.of());
        try (Database db = Database.open(null, null, null, dir.resolve("data"))) {
            HazelcastInstance hz = Hazelcast.newHazelcastInstance(Coordinator.hazelcastConfig(cfg, db));
            try {
                hz.getCluster().promoteLocalLiteMember();
                HazelcastStateStore store = new HazelcastStateStore(hz, db);
                store.saveAll(List.of(job), List.of(run), List.of(task), List.of(), Map.of("key-1", "j1"), List.of());
                assertThat(store.job("j1")).contains(job);
                // a write that bypasses the turn stays in memory: the maps only load
                hz.<String, HazelcastJsonValue>getMap(HazelcastStateStore.JOBS).set("j2",
                        new HazelcastJsonValue(Json.write(new Job(Job.SCHEMA_VERSION, "j2", spec.withId("j2"), "h", null,
                                JobState.QUEUED, null, false, T0, T0, null, List.of(), "admin"))));
                assertThat(db.jobs().load("j2")).isNull();
            } finally {
                hz.getLifecycleService().terminate();
            }
        }
        try (Database db = Database.open(null, null, null, dir.resolve("data"))) {
            HazelcastInstance hz = Hazelcast.newHazelcastInstance(Coordinator.hazelcastConfig(cfg, db));
            try {
                hz.getCluster().promoteLocalLiteMember();
                HazelcastStateStore store = new HazelcastStateStore(hz, db);
                assertThat(store.jobsInStates(Set.of(JobState.QUEUED))).containsExactly(job);
                assertThat(store.run(run.id())).contains(run);
                assertThat(store.tasksInStates(Set.of(TaskState.PENDING))).containsExactly(task);
                assertThat(store.jobIdForKey("key-1")).contains("j1");
                assertThat(store.job("j2")).isEmpty();
            } finally {
                hz.getLifecycleService().terminate();
            }
        }
    }
}
