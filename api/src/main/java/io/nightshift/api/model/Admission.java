package io.nightshift.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;

/**
 * The coordinator's answer at submit to "can this job make its deadline?", with the numbers behind it.
 *
 * @param verdict         {@code admitted}, {@code at-risk} or {@code refused} (a refused job is stored only with
 *                        {@code deadlinePolicy: warn})
 * @param deadline        the deadline admitted against (a time-of-day deadline resolved for the first run)
 * @param estimate        the runtime assumed; null when there was nothing to estimate from
 * @param basis           where the estimate came from: {@code history} (p90 of the last successful runs of jobs of
 *                        this name), {@code expectedRuntime}, {@code maxRuntime} or {@code none}
 * @param historyRuns     how many successful runs the p90 was taken over
 * @param aheadCpuSeconds the work queued ahead of it (higher priority, or equal priority and no later deadline)
 * @param idleCpus        the cpus idle when it was decided
 * @param expectedStart   when it is expected to start; null when the capacity does not free up before the deadline
 * @param expectedEnd     expected start + estimate
 * @param reason          a sentence for a user
 * @param decidedAt       when
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Admission(String verdict, Instant deadline, Duration estimate, String basis, int historyRuns,
                        double aheadCpuSeconds, double idleCpus, Instant expectedStart, Instant expectedEnd, String reason,
                        Instant decidedAt) {
    public static final String ADMITTED = "admitted", AT_RISK = "at-risk", REFUSED = "refused";
}
