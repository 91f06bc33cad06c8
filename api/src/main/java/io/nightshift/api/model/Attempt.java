package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.time.Instant;

/**
 * One try at running a task on one agent. {@code id} = {@code <taskId>.<number>}. {@code fetch}: how far its
 * artifacts' fetch is (bytes done and total per artifact and overall), for attempts with artifacts.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Attempt(
        String id,
        int number,
        String agentId,
        String host,
        TaskState state,
        Reason reason,
        Integer exitCode,
        String message,
        Instant launchedAt,
        Instant startedAt,
        Instant finishedAt,
        FetchProgress fetch) {

    /** Before its fetch step reported progress. */
    public Attempt(String id, int number, String agentId, String host, TaskState state, Reason reason, Integer exitCode,
                   String message, Instant launchedAt, Instant startedAt, Instant finishedAt) {
        this(id, number, agentId, host, state, reason, exitCode, message, launchedAt, startedAt, finishedAt, null);
    }

    public static String idOf(String taskId, int number) {
        return taskId + "." + number;
    }

    public Attempt withState(TaskState s, Reason r, Integer code, String msg, Instant at) {
        Instant started = startedAt == null && s == TaskState.RUNNING ? at : startedAt;
        Instant finished = s.isTerminal() ? at : finishedAt;
        return new Attempt(id, number, agentId, host, s, r == null ? reason : r, code == null ? exitCode : code,
                msg == null ? message : msg, launchedAt, started, finished, fetch);
    }

    /** The fetch step's latest progress (null keeps what is known). */
    public Attempt withFetch(FetchProgress f) {
        return f == null ? this : new Attempt(id, number, agentId, host, state, reason, exitCode, message, launchedAt,
                startedAt, finishedAt, f);
    }
}
