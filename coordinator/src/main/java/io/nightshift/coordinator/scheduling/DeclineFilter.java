package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.time.Instant;
import java.util.Objects;

/**
 * Queue {@code queue} declined agent {@code agentId}'s offer of {@code declined}: until {@code until} the
 * agent is not offered to that queue again, as long as what it has free fits in {@code declined}
 * (Mesos' refused-offer filter: a bigger offer goes through). A queue that gets new pending work after
 * {@code createdAt} revives: its filters no longer apply. Data: the shell keeps
 * {@link Plan#declineFilters()} and passes them back in the next snapshot.
 */
public record DeclineFilter(String queue, String agentId, Resources declined, Instant createdAt, Instant until) {

    public DeclineFilter {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(declined, "declined");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(until, "until");
    }
}
