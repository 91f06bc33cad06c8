package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.time.Instant;
import java.util.Objects;

/**
 * A slice of one agent's free resources, valid until {@code expiresAt}. In a {@link Plan} the
 * resources are what is still outstanding after this cycle's placements.
 *
 * @param queue the one queue the agent is offered to: while the offer is outstanding and unexpired, only
 *              that queue may place on the agent, and it either does or declines (a {@link DeclineFilter}).
 *              {@code null}: an open offer, idle capacity no queue currently wants; it holds nothing.
 */
public record Offer(String id, String agentId, Resources resources, Instant createdAt, Instant expiresAt,
                    String queue) {

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

    /** An open offer (no queue). */
    public Offer(String id, String agentId, Resources resources, Instant createdAt, Instant expiresAt) {
        this(id, agentId, resources, createdAt, expiresAt, null);
    }

    /** The same offer with what is left of it now. */
    Offer withResources(Resources v) {
        return new Offer(id, agentId, v, createdAt, expiresAt, queue);
    }

    /** The id the core gives the offer of {@code agentId} in {@code cycle}. */
    public static String idFor(long cycle, String agentId) {
        return "o-" + cycle + "-" + agentId;
    }
}
