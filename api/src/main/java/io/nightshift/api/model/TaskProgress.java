package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a running kafka task reports about its consumption (the harness writes it in the sandbox, the agent
 * forwards it, the coordinator shows the latest per task): records handed to the handler by this attempt, the
 * current rate, the lag of each partition it owns ({@code topic-partition} → records behind the end), their sum,
 * for drain jobs what the whole group still has to commit, and the time of the last commit. A live gauge, not
 * durable state: after a coordinator restart it is empty until the next report (every few seconds).
 * {@code deadLettered}: poison records this attempt copied to the dead-letter topic; {@code failure}: why the
 * attempt fails (poison record, stuck handler, unreachable cluster), in its last report.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskProgress(String attemptId, Instant time, long records, double recordsPerSec, Map<String, Long> lag,
                           long totalLag, Long drainRemaining, Instant lastCommit, boolean finished,
                           Long deadLettered, String failure) {
    /** At most this many partitions are kept per report. */
    public static final int MAX_PARTITIONS = 1000;
    public static final int MAX_FAILURE_CHARS = 1000;

    public TaskProgress(String attemptId, Instant time, long records, double recordsPerSec, Map<String, Long> lag,
                        long totalLag, Long drainRemaining, Instant lastCommit, boolean finished) {
        this(attemptId, time, records, recordsPerSec, lag, totalLag, drainRemaining, lastCommit, finished, null, null);
    }

    public TaskProgress {
        lag = lag == null ? Map.of() : Map.copyOf(lag);
    }

    /** From the harness's progress document, bounded and checked; fields that are missing or wrong are left out. */
    public static TaskProgress fromHarness(String attemptId, JsonNode n) {
        Map<String, Long> lag = new LinkedHashMap<>();
        JsonNode l = n.path("lag");
        if (l.isObject()) {
            for (Map.Entry<String, JsonNode> e : l.properties()) {
                if (lag.size() >= MAX_PARTITIONS) break;
                if (e.getKey().length() <= 260 && e.getValue().canConvertToLong()) lag.put(e.getKey(), e.getValue().asLong());
            }
        }
        return new TaskProgress(attemptId, instant(n.path("time")), Math.max(0, n.path("records").asLong()),
                Math.max(0, n.path("recordsPerSec").asDouble()), lag, Math.max(0, n.path("totalLag").asLong()),
                n.path("drainRemaining").canConvertToLong() ? n.path("drainRemaining").asLong() : null,
                instant(n.path("lastCommit").path("time")), n.path("finished").asBoolean(),
                n.path("deadLettered").canConvertToLong() ? Math.max(0, n.path("deadLettered").asLong()) : null,
                n.path("failure").isTextual() ? clip(n.path("failure").textValue()) : null);
    }

    private static String clip(String s) {
        return s.length() > MAX_FAILURE_CHARS ? s.substring(0, MAX_FAILURE_CHARS) : s;
    }

    private static Instant instant(JsonNode n) {
        if (!n.isTextual() || n.textValue().length() > 64) return null;
        try {
            return Instant.parse(n.textValue());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
