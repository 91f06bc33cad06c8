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
 * @param lent       the part of {@code free} that the agent's pool lends (its reservation inside an open
 *                   window, less what the owners use): only revocable tasks may use it. Never null.
 * @param pool       nullable: the agent's pool (its windows decide where windowed tasks may start)
 */
public record AgentSlot(String agentId, Resources free, Map<String, String> attributes, Resources total, Resources lent,
                        io.nightshift.api.pool.PoolSpec pool) {

    public AgentSlot {
        if (agentId == null || agentId.isBlank()) {
            throw new IllegalArgumentException("agentId must not be blank");
        }
        Objects.requireNonNull(free, () -> "free resources of agent " + agentId);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        lent = lent == null ? Resources.ZERO : lent;
    }

    /** An agent outside any pool: nothing lent. */
    public AgentSlot(String agentId, Resources free, Map<String, String> attributes, Resources total) {
        this(agentId, free, attributes, total, Resources.ZERO, null);
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
