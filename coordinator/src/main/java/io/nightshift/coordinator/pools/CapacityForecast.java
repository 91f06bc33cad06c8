package io.nightshift.coordinator.pools;

import io.nightshift.api.Resources;
import java.time.Instant;
import java.util.Optional;

/**
 * What a pool is expected to have idle at a future instant (the sum over its machines), from what it had
 * at the same hour of the week before. For deadline admission and capacity planning. Empty when the pool
 * is unknown or that hour has never been observed.
 */
public interface CapacityForecast {
    Optional<Resources> idleAt(String pool, Instant at);
}
