package io.nightshift.coordinator.state.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.core.HazelcastJsonValue;
import io.nightshift.api.json.Json;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.TaskState;
import io.nightshift.coordinator.state.HazelcastStateStore;
import java.sql.Types;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The five state tables (see {@code db/migration/V1__init.sql}) and how a map value becomes a row:
 * the JSON body is stored as is, and the fields the database filters on are copied into columns.
 */
final class Tables {
    private Tables() {
    }

    static final String JOBS_MAP = HazelcastStateStore.JOBS;
    static final String RUNS_MAP = HazelcastStateStore.RUNS;
    static final String TASKS_MAP = HazelcastStateStore.TASKS;
    static final String AGENTS_MAP = HazelcastStateStore.AGENTS;
    static final String IDEMPOTENCY_MAP = HazelcastStateStore.IDEMPOTENCY;
    static final String QUEUES_MAP = HazelcastStateStore.QUEUES;
    static final String POOLS_MAP = HazelcastStateStore.POOLS;
    static final String POOL_PROFILES_MAP = HazelcastStateStore.POOL_PROFILES;
    static final String RUNTIMES_MAP = HazelcastStateStore.RUNTIMES;

    private static final TableStore.Column BODY = new TableStore.Column("body", Types.VARCHAR);
    private static final TableStore.Column STATE = new TableStore.Column("state", Types.VARCHAR);
    private static final TableStore.Column JOB_ID = new TableStore.Column("job_id", Types.VARCHAR);

    /** 'SUCCEEDED', 'FAILED', 'KILLED': the terminal job (and run) states, as an SQL list. */
    static final String TERMINAL_JOB_STATES = sqlList(JobState.values(), JobState::isTerminal);
    /** 'PENDING', 'STAGING', 'FETCHING', 'RUNNING': the task states the scheduler acts on. */
    static final String LIVE_TASK_STATES = sqlList(TaskState.values(), s -> !s.isTerminal());

    private static <E extends Enum<E>> String sqlList(E[] values, Predicate<E> keep) {
        return Arrays.stream(values).filter(keep).map(e -> "'" + e.name() + "'").collect(Collectors.joining(", "));
    }

    /** ns_jobs: live = not terminal. */
    static TableStore.Table jobs() {
        return new TableStore.Table(JOBS_MAP, "ns_jobs", "id", List.of(BODY, STATE,
                new TableStore.Column("queue", Types.VARCHAR), new TableStore.Column("submitted_at", Types.BIGINT),
                new TableStore.Column("finished_at", Types.BIGINT), new TableStore.Column("updated_at", Types.BIGINT)),
                "body", "SELECT id FROM ns_jobs WHERE state NOT IN (" + TERMINAL_JOB_STATES + ")");
    }

    /**
     * ns_runs: live = not terminal and its job row exists. A run whose job row is missing belongs to a
     * submission that died before its commit point (the job is written last); nobody was told it was
     * accepted, so it is not loaded.
     */
    static TableStore.Table runs() {
        return new TableStore.Table(RUNS_MAP, "ns_runs", "id", List.of(JOB_ID, BODY, STATE), "body",
                "SELECT r.id FROM ns_runs r WHERE r.state NOT IN (" + TERMINAL_JOB_STATES + ")"
                        + " AND EXISTS (SELECT 1 FROM ns_jobs j WHERE j.id = r.job_id)");
    }

    /** ns_tasks: live = PENDING/STAGING/FETCHING/RUNNING and its job row exists (see {@link #runs()}). */
    static TableStore.Table tasks() {
        return new TableStore.Table(TASKS_MAP, "ns_tasks", "id", List.of(JOB_ID, BODY, STATE), "body",
                "SELECT t.id FROM ns_tasks t WHERE t.state IN (" + LIVE_TASK_STATES + ")"
                        + " AND EXISTS (SELECT 1 FROM ns_jobs j WHERE j.id = t.job_id)");
    }

    /** ns_agents: all of them are loaded. */
    static TableStore.Table agents() {
        return new TableStore.Table(AGENTS_MAP, "ns_agents", "id", List.of(BODY), "body", "SELECT id FROM ns_agents");
    }

    /** ns_queues: all of them are loaded. */
    static TableStore.Table queues() {
        return new TableStore.Table(QUEUES_MAP, "ns_queues", "id", List.of(BODY), "body", "SELECT id FROM ns_queues");
    }

    static final TableStore.Codec<HazelcastJsonValue> QUEUE = new JsonCodec(QUEUES_MAP) {
        @Override
        Object[] columns(String key, JsonNode n, String body) {
            return new Object[] {body};
        }
    };

    /** ns_pools (V11): all of them are loaded. */
    static TableStore.Table pools() {
        return new TableStore.Table(POOLS_MAP, "ns_pools", "id", List.of(BODY), "body", "SELECT id FROM ns_pools");
    }

    static final TableStore.Codec<HazelcastJsonValue> POOL = new JsonCodec(POOLS_MAP) {
        @Override
        Object[] columns(String key, JsonNode n, String body) {
            return new Object[] {body};
        }
    };

    /** ns_pool_profiles (V14): all of them are loaded. */
    static TableStore.Table poolProfiles() {
        return new TableStore.Table(POOL_PROFILES_MAP, "ns_pool_profiles", "id", List.of(BODY), "body",
                "SELECT id FROM ns_pool_profiles");
    }

    static final TableStore.Codec<HazelcastJsonValue> POOL_PROFILE = new JsonCodec(POOL_PROFILES_MAP) {
        @Override
        Object[] columns(String key, JsonNode n, String body) {
            return new Object[] {body};
        }
    };

    /** ns_runtimes (V25): all of them are loaded. */
    static TableStore.Table runtimes() {
        return new TableStore.Table(RUNTIMES_MAP, "ns_runtimes", "id", List.of(BODY), "body", "SELECT id FROM ns_runtimes");
    }

    static final TableStore.Codec<HazelcastJsonValue> RUNTIME = new JsonCodec(RUNTIMES_MAP) {
        @Override
        Object[] columns(String key, JsonNode n, String body) {
            return new Object[] {body};
        }
    };

    /** ns_idempotency: the keys of live jobs are loaded; the others come lazily on get/putIfAbsent. */
    static TableStore.Table idempotency() {
        return new TableStore.Table(IDEMPOTENCY_MAP, "ns_idempotency", "idem_key", List.of(JOB_ID), "job_id",
                "SELECT i.idem_key FROM ns_idempotency i JOIN ns_jobs j ON j.id = i.job_id"
                        + " WHERE j.state NOT IN (" + TERMINAL_JOB_STATES + ")");
    }

    // ------------------------------------------------------------------ codecs

    static final TableStore.Codec<HazelcastJsonValue> JOB = new JsonCodec(JOBS_MAP) {
        @Override
        Object[] columns(String key, JsonNode n, String body) {
            JobState state = enumField(n, "state", JobState.class);
            String queue = n.path("spec").path("queue").asText(JobSpec.DEFAULT_QUEUE);
            Long submitted = millis(n, "submittedAt");
            if (submitted == null) throw bad(key, "has no submittedAt");
            Long updated = millis(n, "updatedAt");
            Long finished = millis(n, "finishedAt");
            if (finished == null && state.isTerminal()) finished = updated != null ? updated : submitted;
            return new Object[] {body, state.name(), queue, submitted, finished, updated};
        }
    };

    static final TableStore.Codec<HazelcastJsonValue> RUN = new JsonCodec(RUNS_MAP) {
        @Override
        Object[] columns(String key, JsonNode n, String body) {
            return new Object[] {text(n, "jobId"), body, enumField(n, "state", JobState.class).name()};
        }
    };

    static final TableStore.Codec<HazelcastJsonValue> TASK = new JsonCodec(TASKS_MAP) {
        @Override
        Object[] columns(String key, JsonNode n, String body) {
            return new Object[] {text(n, "jobId"), body, enumField(n, "state", TaskState.class).name()};
        }
    };

    static final TableStore.Codec<HazelcastJsonValue> AGENT = new JsonCodec(AGENTS_MAP) {
        @Override
        Object[] columns(String key, JsonNode n, String body) {
            return new Object[] {body};
        }
    };

    static final TableStore.Codec<String> IDEMPOTENCY = new TableStore.Codec<>() {
        @Override
        public Object[] row(String key, String jobId) {
            if (jobId == null || jobId.isEmpty())
                throw new IllegalArgumentException(IDEMPOTENCY_MAP + "[" + key + "]: job id must not be empty");
            return new Object[] {jobId};
        }

        @Override
        public String value(String stored) {
            return stored;
        }
    };

    /**
     * A JSON document keyed by its {@code id}: the body is stored as is, next to the fields copied
     * out of it. A value that is
     * not JSON, whose id is not its key, or that lacks a field the table needs is rejected (the map
     * write fails) rather than stored half-indexed.
     */
    private abstract static class JsonCodec implements TableStore.Codec<HazelcastJsonValue> {
        private final String map;

        JsonCodec(String map) {
            this.map = map;
        }

        /** The row for {@link TableStore.Table#columns()}, the JSON text itself in the body column. */
        abstract Object[] columns(String key, JsonNode n, String body);

        @Override
        public final Object[] row(String key, HazelcastJsonValue value) {
            if (value == null) throw bad(key, "is null");
            String body = value.getValue();
            JsonNode n;
            try {
                n = Json.mapper().readTree(body);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(map + "[" + key + "] is not JSON: " + e.getOriginalMessage(), e);
            }
            if (n == null || !n.isObject()) throw bad(key, "is not a JSON object");
            String id = n.path("id").asText(null);
            if (!key.equals(id)) throw bad(key, "has id '" + id + "'; a value is stored under its own id");
            return columns(key, n, body);
        }

        @Override
        public final HazelcastJsonValue value(String stored) {
            return new HazelcastJsonValue(stored);
        }

        IllegalArgumentException bad(String key, String why) {
            return new IllegalArgumentException(map + "[" + key + "] " + why);
        }

        String text(JsonNode n, String field) {
            String s = n.path(field).asText(null);
            if (s == null || s.isEmpty()) throw bad(n.path("id").asText(), "has no " + field);
            return s;
        }

        <E extends Enum<E>> E enumField(JsonNode n, String field, Class<E> type) {
            String s = text(n, field);
            try {
                return Enum.valueOf(type, s);
            } catch (IllegalArgumentException e) {
                throw bad(n.path("id").asText(), "has unknown " + field + " '" + s + "'");
            }
        }

        /** An ISO-8601 instant field as epoch milliseconds, or null when absent. */
        Long millis(JsonNode n, String field) {
            JsonNode f = n.get(field);
            if (f == null || f.isNull()) return null;
            try {
                return Instant.parse(f.asText()).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw bad(n.path("id").asText(), "has a " + field + " that is not an ISO-8601 instant: '" + f.asText() + "'");
            }
        }
    }
}
