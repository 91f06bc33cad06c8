package io.nightshift.coordinator.http;

import io.nightshift.api.spec.Problem;
import io.nightshift.coordinator.utilization.UtilizationHistory;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/cluster/utilization?since=&points=}: the cluster's used and total resources over time, as
 * sampled by this coordinator. {@code since} is an ISO-8601 instant ({@code 2026-12-01T18:00:00Z}) or a
 * duration back from now ({@code PT6H}); default the last 6 hours. {@code points} (1..2000, default 720)
 * bounds the answer: more samples than that are averaged into buckets.
 */
final class UtilizationHandler {
    static final Duration DEFAULT_SINCE = Duration.ofHours(6);
    static final int DEFAULT_POINTS = 720;
    static final int MAX_POINTS = 2000;

    private final UtilizationHistory history;
    private final Duration interval;

    UtilizationHandler(UtilizationHistory history, Duration interval) {
        this.history = history;
        this.interval = interval;
    }

    /** The range asked for: samples after {@code since}, at most {@code points} of them. */
    record Range(Instant since, int points) {
    }

    void handle(RoutingContext ctx) {
        Range range = range(ctx, Instant.now(), DEFAULT_SINCE);
        if (range == null) return;
        Instant since = range.since();
        int points = range.points();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("intervalSeconds", interval.toMillis() / 1000.0);
        body.put("since", since);
        body.put("samples", history.since(since, points));
        Responses.json(ctx, 200, body);
    }

    /**
     * Reads {@code since} (an ISO-8601 instant or a duration back from {@code now}; default {@code defaultSince}) and
     * {@code points} (1..{@link #MAX_POINTS}, default {@link #DEFAULT_POINTS}); null after answering 400 naming each bad
     * parameter.
     */
    static Range range(RoutingContext ctx, Instant now, Duration defaultSince) {
        List<Problem> problems = new ArrayList<>();
        Instant since = now.minus(defaultSince);
        String s = ctx.request().getParam("since");
        if (s != null) {
            if (s.length() > 40) {
                problems.add(new Problem("since", "must be an ISO-8601 instant or a duration such as PT6H"));
            } else if (s.startsWith("P") || s.startsWith("p")) {
                try {
                    Duration back = Duration.parse(s);
                    if (back.isNegative() || back.compareTo(Duration.ofDays(366)) > 0)
                        problems.add(new Problem("since", "a duration back from now between PT0S and P366D, got " + s));
                    else since = now.minus(back);
                } catch (DateTimeParseException e) {
                    problems.add(new Problem("since", "not a duration such as PT6H: '" + s + "'"));
                }
            } else {
                try {
                    since = OffsetDateTime.parse(s).toInstant();
                } catch (DateTimeParseException e) {
                    problems.add(new Problem("since", "neither an ISO-8601 instant such as 2026-12-01T18:00:00Z nor a duration back from now such as PT6H: '" + HttpApi.shorten(s) + "'"));
                }
            }
        }
        int points = DEFAULT_POINTS;
        String p = ctx.request().getParam("points");
        if (p != null) {
            if (!p.matches("\\d{1,5}") || Integer.parseInt(p) < 1 || Integer.parseInt(p) > MAX_POINTS)
                problems.add(new Problem("points", "must be a number between 1 and " + MAX_POINTS));
            else points = Integer.parseInt(p);
        }
        if (!problems.isEmpty()) {
            Problems.send(ctx, 400, "invalid-query", "Invalid query", "fix the query parameters", problems);
            return null;
        }
        return new Range(since, points);
    }

}
