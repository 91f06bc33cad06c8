package io.nightshift.api.spec;

/**
 * One thing wrong with a user's input, named by JSON Pointer path (RFC 6901), e.g.
 * {@code /resources/cpus}. The message says what is wrong and what is allowed.
 */
public record Problem(String path, String message) {
    @Override
    public String toString() {
        return (path == null || path.isEmpty() ? "/" : path) + ": " + message;
    }
}
