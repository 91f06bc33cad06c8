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
 * owner, an admin of its queue or an admin may kill or change it. {@code schedule} is set for jobs whose spec
 * has one: where the schedule stands (see {@link ScheduleState}). {@code admission} is set for jobs with a deadline: the
 * verdict of the deadline admission at submit (see {@link Admission}).
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
        String owner,
        ScheduleState schedule,
        Admission admission) {

    public static final int SCHEMA_VERSION = 1;

    public Job {
        runIds = runIds == null ? List.of() : List.copyOf(runIds);
    }

    /** A job without a recorded owner. */
    public Job(int v, String id, JobSpec spec, String specHash, String idempotencyKey, JobState state, Reason reason,
               boolean killRequested, Instant submittedAt, Instant updatedAt, Instant finishedAt, List<String> runIds) {
        this(v, id, spec, specHash, idempotencyKey, state, reason, killRequested, submittedAt, updatedAt, finishedAt, runIds, null, null, null);
    }

    /** A job without a schedule. */
    public Job(int v, String id, JobSpec spec, String specHash, String idempotencyKey, JobState state, Reason reason,
               boolean killRequested, Instant submittedAt, Instant updatedAt, Instant finishedAt, List<String> runIds, String owner) {
        this(v, id, spec, specHash, idempotencyKey, state, reason, killRequested, submittedAt, updatedAt, finishedAt, runIds, owner, null, null);
    }

    /** A job without a deadline admission. */
    public Job(int v, String id, JobSpec spec, String specHash, String idempotencyKey, JobState state, Reason reason,
               boolean killRequested, Instant submittedAt, Instant updatedAt, Instant finishedAt, List<String> runIds, String owner,
               ScheduleState schedule) {
        this(v, id, spec, specHash, idempotencyKey, state, reason, killRequested, submittedAt, updatedAt, finishedAt, runIds, owner,
                schedule, null);
    }

    /** The job with the verdict of its deadline admission. */
    public Job withAdmission(Admission a) {
        return new Job(v, id, spec, specHash, idempotencyKey, state, reason, killRequested, submittedAt, updatedAt, finishedAt, runIds,
                owner, schedule, a);
    }

    /** The job with its schedule's new standing (scheduled jobs only). */
    public Job withSchedule(ScheduleState s, Instant at) {
        return new Job(v, id, spec, specHash, idempotencyKey, state, reason, killRequested, submittedAt, at, finishedAt, runIds,
                owner, s, admission);
    }

    public Job withOwner(String o) {
        return new Job(v, id, spec, specHash, idempotencyKey, state, reason, killRequested, submittedAt, updatedAt, finishedAt,
                runIds, o, schedule, admission);
    }

    public Job withState(JobState s, Reason r, Instant at) {
        return new Job(v, id, spec, specHash, idempotencyKey, s, r, killRequested, submittedAt, at,
                s.isTerminal() ? at : finishedAt, runIds, owner, schedule, admission);
    }

    /** The job with its runs, oldest first (the last is the current run). */
    public Job withRunIds(List<String> ids, Instant at) {
        return new Job(v, id, spec, specHash, idempotencyKey, state, reason, killRequested, submittedAt, at, finishedAt, ids, owner, schedule, admission);
    }

    /** The job with a changed spec (its instances scaled); the spec hash of the submission stays. */
    public Job withSpec(JobSpec s, Instant at) {
        return new Job(v, id, s, specHash, idempotencyKey, state, reason, killRequested, submittedAt, at, finishedAt, runIds, owner, schedule,
                admission);
    }

    public Job withKillRequested(Instant at) {
        return new Job(v, id, spec, specHash, idempotencyKey, state, reason, true, submittedAt, at, finishedAt, runIds, owner, schedule, admission);
    }
}
