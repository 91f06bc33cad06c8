package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.nightshift.api.state.JobState;
import java.time.Instant;
import java.util.List;

/** One execution of a job. {@code id} = {@code <jobId>.r<number>}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Run(
        int v,
        String id,
        String jobId,
        int number,
        JobState state,
        Instant createdAt,
        Instant finishedAt,
        List<String> taskIds) {

    public static final int SCHEMA_VERSION = 1;

    public Run {
        taskIds = taskIds == null ? List.of() : List.copyOf(taskIds);
    }

    public static String idOf(String jobId, int number) {
        return jobId + ".r" + number;
    }

    public Run withTaskIds(List<String> ids) {
        return new Run(v, id, jobId, number, state, createdAt, finishedAt, ids);
    }

    public Run withState(JobState s, Instant at) {
        return new Run(v, id, jobId, number, s, createdAt, s.isTerminal() ? at : finishedAt, taskIds);
    }
}
