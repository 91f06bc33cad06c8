package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A state change, as streamed by {@code GET /v1/events} (server-sent events). {@code seq} grows
 * by one per event and is the SSE id. {@code kind} is {@code job}, {@code run}, {@code task} or
 * {@code agent}; {@code id} names the changed object.
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
        Integer exitCode) {
}
