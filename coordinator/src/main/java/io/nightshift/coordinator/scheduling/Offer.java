package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.time.Instant;
import java.util.Objects;

/**
 * A slice of one agent's free resources, valid until {@code expiresAt}. In a {@link Plan} the
 * resources are what is still outstanding after this cycle's placements.
 */
public record Offer(String id, String agentId, Resources resources, Instant createdAt, Instant expiresAt) {

    public Offer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (expiresAt.isBefore(createdAt)) {
            throw new IllegalArgumentException("offer " + id + " expires (" + expiresAt + ") before it is created (" + createdAt + ")");
        }
    }

    /** The id the core gives the offer of {@code agentId} in {@code cycle}. */
    public static String idFor(long cycle, String agentId) {
        return "o-" + cycle + "-" + agentId;
    }
}
