package io.nightshift.coordinator.auth;

import java.time.Instant;
import java.util.List;

/**
 * A stored secret as the API shows it: never its value. {@code queues} are the queues whose jobs may
 * reference it ({@code *}: every queue).
 */
public record SecretInfo(String name, List<String> queues, Instant updatedAt, String updatedBy) {
    public SecretInfo {
        queues = List.copyOf(queues);
    }

    /** True when jobs of {@code queue} may use this secret. */
    public boolean allows(String queue) {
        return queues.contains("*") || queues.contains(queue);
    }
}
