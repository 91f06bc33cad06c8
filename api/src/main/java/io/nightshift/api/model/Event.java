package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A state change, as streamed by {@code GET /v1/events} (server-sent events). {@code seq} grows
 * by one per event and is the SSE id. {@code kind} is {@code job}, {@code run}, {@code task},
 * {@code agent} or {@code deadline} (a run's standing against its deadline: {@code AT_RISK}, {@code MISSED} or
 * {@code MET}; {@code id} is the run); {@code id} names the changed object. A task event of an attempt in FETCHING carries
 * {@code fetch}, the bytes done and total of its artifacts (one event per progress report, at most every 2 s).
 * A task event carries {@code app} once its attempt's driver told its application's id or UI URL.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Event(
        long seq,
        Instant time,
        String kind,
        String id,
        String jobId,
        String attemptId,
        String agentId,
        String state,
        String reason,
        Integer exitCode,
        FetchProgress fetch,
        AppInfo app) {

    public Event(long seq, Instant time, String kind, String id, String jobId, String attemptId, String agentId,
                 String state, String reason, Integer exitCode, FetchProgress fetch) {
        this(seq, time, kind, id, jobId, attemptId, agentId, state, reason, exitCode, fetch, null);
    }

    /** A change without fetch progress. */
    public Event(long seq, Instant time, String kind, String id, String jobId, String attemptId, String agentId,
                 String state, String reason, Integer exitCode) {
        this(seq, time, kind, id, jobId, attemptId, agentId, state, reason, exitCode, null);
    }
}
