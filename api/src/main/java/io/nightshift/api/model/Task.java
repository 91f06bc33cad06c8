package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One instance of a run. {@code id} = {@code <runId>.<instance>}. {@code state} is PENDING while it
 * waits to be placed (with {@code notBefore} set during a retry back-off), else its current
 * attempt's state. Attempts are in order; the last one is current. {@code unschedulableReasons} is set only when
 * the task ended UNSCHEDULABLE: why it waited (left out of the JSON otherwise).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Task(
        int v,
        String id,
        String jobId,
        String runId,
        int instance,
        TaskState state,
        Reason reason,
        Instant queuedAt,
        Instant notBefore,
        List<Attempt> attempts,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PendingReason> unschedulableReasons) {

    public static final int SCHEMA_VERSION = 1;

    public Task {
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
        unschedulableReasons = unschedulableReasons == null ? List.of() : List.copyOf(unschedulableReasons);
    }

    /** A task that has not ended UNSCHEDULABLE (no reasons kept). */
    public Task(int v, String id, String jobId, String runId, int instance, TaskState state, Reason reason, Instant queuedAt,
                Instant notBefore, List<Attempt> attempts) {
        this(v, id, jobId, runId, instance, state, reason, queuedAt, notBefore, attempts, List.of());
    }

    public static String idOf(String runId, int instance) {
        return runId + "." + instance;
    }

    @JsonIgnore
    public Attempt currentAttempt() {
        return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    }

    public Attempt attempt(String attemptId) {
        for (Attempt a : attempts) if (a.id().equals(attemptId)) return a;
        return null;
    }

    public Task withState(TaskState s, Reason r, Instant notBefore) {
        return new Task(v, id, jobId, runId, instance, s, r, queuedAt, notBefore, attempts, unschedulableReasons);
    }

    /**
     * The task ended FAILED with reason UNSCHEDULABLE (it waited unplaced past its pendingTimeout), keeping why it
     * waited: stored with the task, so the reasons outlive the coordinator that decided.
     */
    public Task unschedulable(List<PendingReason> why) {
        return new Task(v, id, jobId, runId, instance, TaskState.FAILED, Reason.UNSCHEDULABLE, queuedAt, null, attempts, why);
    }

    /** Replaces the current attempt (same id) or appends a new one, and takes its state. */
    public Task withAttempt(Attempt a) {
        List<Attempt> list = new ArrayList<>(attempts);
        if (!list.isEmpty() && list.get(list.size() - 1).id().equals(a.id())) list.set(list.size() - 1, a);
        else list.add(a);
        return new Task(v, id, jobId, runId, instance, a.state(), a.reason(), queuedAt, null, list, unschedulableReasons);
    }
}
