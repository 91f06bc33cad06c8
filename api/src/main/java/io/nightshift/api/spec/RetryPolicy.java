package io.nightshift.api.spec;

/** How often a failed task is retried ({@code max} retries after the first attempt) and how long to wait. */
public record RetryPolicy(int max, Backoff backoff) {
    public static final RetryPolicy NONE = new RetryPolicy(0, Backoff.DEFAULT);

    public RetryPolicy {
        if (max < 0) throw new InvalidSpecException("/retries/max", "must not be negative");
        backoff = backoff == null ? Backoff.DEFAULT : backoff;
    }
}
