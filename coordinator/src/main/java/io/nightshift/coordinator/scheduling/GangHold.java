package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Resources held for a gang (all instances of one run of a gang job) that could not start yet, so that
 * smaller work does not take them while the gang waits for the rest. Data, kept by the shell: it stores
 * {@link Plan#gangHolds()} and passes them back in the next snapshot; the core subtracts held resources
 * from what other tasks may use.
 *
 * <p>Life: the first cycle the gang fits only in part, it holds what it fit ({@code heldSince = now}).
 * Once the gang starts, the hold is gone. If it has not started {@code gangTimeout} after
 * {@code heldSince}, the hold is released, {@code releases} counts up and the gang may hold again only
 * from {@code holdAgainAt = now + gangTimeout × 2^(releases-1)} (capped): two gangs that each hold half
 * of what both need cannot block each other for good, and the one that was released less often wins.
 *
 * @param gang        the gang's key: the run id of its tasks
 * @param held        agentId → resources held there; empty while released
 * @param heldSince   when the current hold began; null while nothing is held
 * @param releases    how often this gang's hold has timed out
 * @param holdAgainAt nullable: the gang may not hold before this instant (back-off after a release)
 */
public record GangHold(String gang, String queue, Map<String, Resources> held, Instant heldSince, int releases,
                       Instant holdAgainAt) {

    public GangHold {
        Objects.requireNonNull(gang, "gang");
        Objects.requireNonNull(queue, "queue");
        held = held == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(held));
        if (!held.isEmpty()) Objects.requireNonNull(heldSince, () -> "heldSince of a gang holding resources: " + gang);
        if (releases < 0) throw new IllegalArgumentException("releases must not be negative: " + gang);
    }

    /** Everything held, summed over agents. */
    public Resources total() {
        Resources sum = Resources.ZERO;
        for (Resources r : held.values()) sum = sum.plus(r);
        return sum;
    }
}
