package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.util.Map;
import java.util.Objects;

/**
 * One agent as the scheduler sees it in a snapshot.
 *
 * @param agentId    unique in the snapshot
 * @param free       what the agent can give this cycle (idle capacity minus what is already placed)
 * @param attributes agent attributes for constraints (rack, zone, os…); never null, immutable
 * @param total      optional: the agent's whole capacity. When known, a task asking more than this in
 *                   some dimension gets a {@link Veto.Kind#STATIC} veto (it can never fit there), and
 *                   best fit normalizes by it. {@code null} means unknown: vetoes are DYNAMIC and best
 *                   fit normalizes by {@code free}.
 */
public record AgentSlot(String agentId, Resources free, Map<String, String> attributes, Resources total) {

    public AgentSlot {
        if (agentId == null || agentId.isBlank()) {
            throw new IllegalArgumentException("agentId must not be blank");
        }
        Objects.requireNonNull(free, () -> "free resources of agent " + agentId);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** An agent whose total capacity is not known. */
    public AgentSlot(String agentId, Resources free, Map<String, String> attributes) {
        this(agentId, free, attributes, null);
    }

    /** What best fit divides remaining resources by: {@code total} when known, else {@code free}. */
    Resources scale() {
        return total != null ? total : free;
    }
}
