package io.nightshift.api.model;

/**
 * Why a pending task is not placed, as data: a machine-readable {@code code} from the scheduler's closed
 * set (e.g. {@code insufficient.cpus}, {@code backoff}, {@code no.agents}), how many agents it applies to,
 * and a plain sentence with the numbers (e.g. {@code asks 8 cpus; the largest agent has 4 in total}).
 */
public record PendingReason(String code, int agents, String message) {
}
