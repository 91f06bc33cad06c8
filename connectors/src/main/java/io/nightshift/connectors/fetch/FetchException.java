package io.nightshift.connectors.fetch;

import io.nightshift.api.spec.ArtifactRules;

/**
 * A fetch went wrong. {@link Retry#TRANSIENT} (timeouts, 5xx, a reset connection) is worth retrying
 * with back-off; {@link Retry#PERMANENT} (404, access denied, checksum mismatch, refused address,
 * too large) fails the attempt now with {@code FETCH_FAILED}. The message names the URI with its
 * credentials redacted ({@link ArtifactRules#redact}) and the cause.
 */
public final class FetchException extends Exception {
    public enum Retry { TRANSIENT, PERMANENT }

    private final Retry retry;
    private final String uri;

    public FetchException(String uri, String cause, Retry retry) {
        this(uri, cause, retry, null);
    }

    public FetchException(String uri, String cause, Retry retry, Throwable e) {
        super(ArtifactRules.redact(uri) + ": " + cause, e, false, true);
        this.retry = retry;
        this.uri = ArtifactRules.redact(uri);
    }

    public static FetchException permanent(String uri, String cause) {
        return new FetchException(uri, cause, Retry.PERMANENT);
    }

    public static FetchException transientError(String uri, String cause, Throwable e) {
        return new FetchException(uri, cause, Retry.TRANSIENT, e);
    }

    public Retry retry() {
        return retry;
    }

    public boolean isTransient() {
        return retry == Retry.TRANSIENT;
    }

    /** The URI, redacted. */
    public String uri() {
        return uri;
    }
}
