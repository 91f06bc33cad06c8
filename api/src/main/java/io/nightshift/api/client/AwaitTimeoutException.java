package io.nightshift.api.client;

import io.nightshift.api.model.JobDetail;
import java.time.Duration;
import java.util.List;

/** {@link NightshiftClient#await} gave up: the job was still not terminal when the timeout passed. */
public class AwaitTimeoutException extends NightshiftException {
    private final transient JobDetail last;

    public AwaitTimeoutException(String jobId, Duration timeout, JobDetail last) {
        super(-1, null, "timeout", "job " + jobId + " is still " + (last == null ? "not finished" : last.job().state())
                + " after " + human(timeout), List.of());
        this.last = last;
    }

    /** The last state seen, or {@code null} when none was read. */
    public JobDetail last() {
        return last;
    }

    @Override
    public String getMessage() {
        return detail();
    }

    @Override
    public boolean isUnreachable() {
        return false;
    }

    @Override
    public boolean isRetriable() {
        return false;
    }

    static String human(Duration d) {
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }
}
