package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.nightshift.api.state.JobState;
import java.time.Instant;
import java.util.List;

/**
 * One execution of a job. {@code id} = {@code <jobId>.r<number>}. {@code scheduledFor} is the scheduled time of
 * the firing that opened it (scheduled jobs only): a job fires each scheduled time at most once.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Run(
        int v,
        String id,
        String jobId,
        int number,
        JobState state,
        Instant createdAt,
        Instant finishedAt,
        List<String> taskIds,
        Instant scheduledFor) {

    public static final int SCHEMA_VERSION = 1;

    public Run {
        taskIds = taskIds == null ? List.of() : List.copyOf(taskIds);
    }

    /** A run not opened by a schedule. */
    public Run(int v, String id, String jobId, int number, JobState state, Instant createdAt, Instant finishedAt,
               List<String> taskIds) {
        this(v, id, jobId, number, state, createdAt, finishedAt, taskIds, null);
    }

    public static String idOf(String jobId, int number) {
        return jobId + ".r" + number;
    }

    public Run withTaskIds(List<String> ids) {
        return new Run(v, id, jobId, number, state, createdAt, finishedAt, ids, scheduledFor);
    }

    public Run withState(JobState s, Instant at) {
        return new Run(v, id, jobId, number, s, createdAt, s.isTerminal() ? at : finishedAt, taskIds, scheduledFor);
    }
}
