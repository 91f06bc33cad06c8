package io.nightshift.api.model;

/**
 * Why a pending task is not placed, as data: a machine-readable {@code code} (e.g.
 * {@code insufficient.cpus}, {@code backoff}, {@code no.agents}), how many agents it applies to,
 * and a sentence for people (e.g. {@code cpus: asked 64, largest free 2}).
 */
public record PendingReason(String code, int agents, String message) {
}
