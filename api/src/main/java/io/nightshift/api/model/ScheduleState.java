package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * Where a scheduled job stands, stored on the job in the same turn as the run a firing opens, so a new
 * leader neither fires a time again nor skips one.
 *
 * @param cursor     the latest scheduled time already decided (fired, waiting or skipped); the next firing is
 *                   the first scheduled time after it
 * @param owed       scheduled times decided but not started yet (a run was still going), oldest first
 * @param paused     no firing while true; resuming skips the times that passed meanwhile
 * @param nextFireAt the next scheduled time after the cursor (null when none: an {@code at} that fired)
 * @param fired      firings that opened a run
 * @param skipped    firings dropped by the missed-run or concurrency policy
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScheduleState(Instant cursor, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Instant> owed, boolean paused,
                            Instant nextFireAt, long fired, long skipped) {

    public ScheduleState {
        owed = owed == null ? List.of() : List.copyOf(owed);
    }

    public ScheduleState withPaused(boolean p, Instant newCursor) {
        return new ScheduleState(newCursor, owed, p, nextFireAt, fired, skipped);
    }
}
