package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.Reason;
import java.time.Instant;
import java.util.List;

/**
 * A submitted job as stored. {@code specHash} identifies the submitted body for idempotent
 * resubmission; {@code killRequested} is set by DELETE until every task has stopped. {@code owner}
 * is the subject of the token that submitted it (null for jobs stored before auth existed); only the
 * owner, an admin of its queue or an admin may kill or change it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Job(
        int v,
        String id,
        JobSpec spec,
        String specHash,
        String idempotencyKey,
        JobState state,
        Reason reason,
        boolean killRequested,
        Instant submittedAt,
        Instant updatedAt,
        Instant finishedAt,
        List<String> runIds,
        String owner) {

    public static final int SCHEMA_VERSION = 1;

    public Job {
        runIds = runIds == null ? List.of() : List.copyOf(runIds);
    }

    /** A job without a recorded owner. */
    public Job(int v, String id, JobSpec spec, String specHash, String idempotencyKey, JobState state, Reason reason,
               boolean killRequested, Instant submittedAt, Instant updatedAt, Instant finishedAt, List<String> runIds) {
        this(v, id, spec, specHash, idempotencyKey, state, reason, killRequested, submittedAt, updatedAt, finishedAt, runIds, null);
    }

    public Job withOwner(String o) {
        return new Job(v, id, spec, specHash, idempotencyKey, state, reason, killRequested, submittedAt, updatedAt, finishedAt,
                runIds, o);
    }

    public Job withState(JobState s, Reason r, Instant at) {
        return new Job(v, id, spec, specHash, idempotencyKey, s, r, killRequested, submittedAt, at,
                s.isTerminal() ? at : finishedAt, runIds, owner);
    }

    /** The job with its runs, oldest first (the last is the current run). */
    public Job withRunIds(List<String> ids, Instant at) {
        return new Job(v, id, spec, specHash, idempotencyKey, state, reason, killRequested, submittedAt, at, finishedAt, ids, owner);
    }

    /** The job with a changed spec (its instances scaled); the spec hash of the submission stays. */
    public Job withSpec(JobSpec s, Instant at) {
        return new Job(v, id, s, specHash, idempotencyKey, state, reason, killRequested, submittedAt, at, finishedAt, runIds, owner);
    }

    public Job withKillRequested(Instant at) {
        return new Job(v, id, spec, specHash, idempotencyKey, state, reason, true, submittedAt, at, finishedAt, runIds, owner);
    }
}
