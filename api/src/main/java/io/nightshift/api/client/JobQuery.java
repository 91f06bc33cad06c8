package io.nightshift.api.client;

import io.nightshift.api.state.JobState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which jobs {@link NightshiftClient#list(JobQuery)} returns: optionally only one state, one queue,
 * and jobs carrying all of the given labels; at most {@code limit} jobs in total (0 = all).
 * Immutable; build with {@link #all()} and the {@code with*} methods.
 */
public record JobQuery(JobState state, String queue, Map<String, String> labels, int limit) {

    public JobQuery {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        if (limit < 0) throw new IllegalArgumentException("limit must not be negative: " + limit);
    }

    /** Every job, no filter, no limit. */
    public static JobQuery all() {
        return new JobQuery(null, null, Map.of(), 0);
    }

    public JobQuery withState(JobState s) {
        return new JobQuery(s, queue, labels, limit);
    }

    public JobQuery withQueue(String q) {
        return new JobQuery(state, q, labels, limit);
    }

    public JobQuery withLabel(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(labels);
        m.put(key, value);
        return new JobQuery(state, queue, m, limit);
    }

    public JobQuery withLimit(int n) {
        return new JobQuery(state, queue, labels, n);
    }
}
