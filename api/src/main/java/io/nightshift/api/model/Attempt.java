package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.time.Instant;

/**
 * One try at running a task on one agent. {@code id} = {@code <taskId>.<number>}. {@code fetch}: how far its
 * artifacts' fetch is (bytes done and total per artifact and overall), for attempts with artifacts.
 * {@code app}: what its driver told about its application (Spark app id and driver UI URL, Hadoop job id), once known.
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
        FetchProgress fetch,
        AppInfo app) {

    public Attempt {
        if (app != null && app.isEmpty()) app = null;
    }

    /** Without application facts. */
    public Attempt(String id, int number, String agentId, String host, TaskState state, Reason reason, Integer exitCode,
                   String message, Instant launchedAt, Instant startedAt, Instant finishedAt, FetchProgress fetch) {
        this(id, number, agentId, host, state, reason, exitCode, message, launchedAt, startedAt, finishedAt, fetch, null);
    }

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
                msg == null ? message : msg, launchedAt, started, finished, fetch, app);
    }

    /** The fetch step's latest progress (null keeps what is known). */
    public Attempt withFetch(FetchProgress f) {
        return f == null ? this : new Attempt(id, number, agentId, host, state, reason, exitCode, message, launchedAt,
                startedAt, finishedAt, f, app);
    }

    /** The driver's latest facts laid over what is known (null keeps what is known). */
    public Attempt withApp(AppInfo a) {
        if (a == null || a.isEmpty()) return this;
        return new Attempt(id, number, agentId, host, state, reason, exitCode, message, launchedAt, startedAt, finishedAt,
                fetch, app == null ? a : app.merge(a));
    }
}
