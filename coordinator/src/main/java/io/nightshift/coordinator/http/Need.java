package io.nightshift.coordinator.http;

/**
 * What a route asks of the caller's token, checked before the route runs (finer checks against a
 * job's or queue's ACL happen in the route). Every route declares one (see {@link HttpApi#needs()}).
 */
public enum Need {
    /** No token: health checks and the dashboard's static files (it logs in itself). */
    OPEN(null),
    /** Any valid token. */
    TOKEN(null),
    /** A token that may read at least one queue (listings are filtered to what it may read). */
    SOME_READ("read (on at least one queue: read, read:QUEUE, submit:QUEUE or a queue ACL)"),
    /** A token that may submit into at least one queue (the body's queue is checked in the route). */
    SOME_SUBMIT("submit (on at least one queue: submit:QUEUE, submit:* or a queue ACL)"),
    /** The global {@code read} role (or admin): agents, offers, events, metrics. */
    READ("read"),
    /** The {@code agent} role (a join token) or admin. */
    AGENT("agent"),
    /** The {@code admin} role. */
    ADMIN("admin");

    /** What a token lacking it misses, as said in the 403. */
    public final String role;

    Need(String role) {
        this.role = role;
    }
}
