package io.nightshift.coordinator.agents;

import io.nightshift.api.protocol.CoordinatorMessage;

/** The coordinator's end of one agent's channel. Sends never block; a closed link drops messages. */
public interface AgentLink {
    void send(CoordinatorMessage message);

    void close(String reason);

    boolean isOpen();
}
