package io.nightshift.coordinator.state.jdbc;

import com.hazelcast.core.HazelcastJsonValue;
import io.nightshift.api.Resources;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.Event;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.Run;
import io.nightshift.api.model.Task;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.TaskState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Readable builders for the records the maps hold, as the coordinator writes them. */
final class Rows {
    static final Instant T0 = Instant.parse("2025-03-01T09:00:00Z");

    private Rows() {
    }

    static Job job(String id, JobState state) {
        return job(id, state, "default", Map.of(), T0);
    }

    /** A job submitted at {@code submitted}; a terminal one finished a minute later. */
    static Job job(String id, JobState state, String queue, Map<String, String> labels, Instant submitted) {
        JobSpec spec = JobSpec.command("echo", "hi").id(id).queue(queue).labels(labels).resources(0.5, 128).build();
        Instant finished = state.isTerminal() ? submitted.plusSeconds(60) : null;
        return new Job(Job.SCHEMA_VERSION, id, spec, "hash-" + id, null, state, null, false, submitted,
                finished != null ? finished : submitted, finished, List.of(Run.idOf(id, 1)));
    }

    static Run run(String jobId, JobState state) {
        return new Run(Run.SCHEMA_VERSION, Run.idOf(jobId, 1), jobId, 1, state, T0,
                state.isTerminal() ? T0.plusSeconds(60) : null, List.of(Task.idOf(Run.idOf(jobId, 1), 0)));
    }

    static Task task(String jobId, TaskState state) {
        String runId = Run.idOf(jobId, 1);
        return new Task(Task.SCHEMA_VERSION, Task.idOf(runId, 0), jobId, runId, 0, state, null, T0, null, List.of());
    }

    static AgentInfo agent(String id) {
        return new AgentInfo(AgentInfo.SCHEMA_VERSION, id, "host-" + id, "http://127.0.0.1:1", AgentInfo.AgentStatus.ACTIVE,
                Resources.of(8, 16384), Resources.ZERO, Map.of("rack", "r1"), "session+env-scan", "0.1.0", T0, T0);
    }

    static Event event(long seq) {
        return new Event(seq, T0.plusMillis(seq), "job", "j" + seq, "j" + seq, null, null, "QUEUED", null, null);
    }

    static HazelcastJsonValue json(Object record) {
        return new HazelcastJsonValue(Json.write(record));
    }

    static <T> T read(HazelcastJsonValue v, Class<T> type) {
        return v == null ? null : Json.read(v.getValue(), type);
    }
}
