package io.nightshift.coordinator;

import io.nightshift.api.config.Setting;
import java.time.Duration;
import java.util.List;

/** The leader's lease in the shared store, and the quorum it needs (issue 14); part of {@link CoordinatorSettings#ALL}. */
public final class LeadershipSettings {
    private LeadershipSettings() {
    }

    public static final Setting<Duration> LEASE = Setting.duration("coordinator.leader.lease", Duration.ofSeconds(3),
            Duration.ofMillis(500), Duration.ofMinutes(5),
            "A leader that could not renew its lease in the store for this long steps down (stops scheduling, launching "
                    + "and firing, leaves the cluster and starts again as a follower); a new leader waits this long (plus "
                    + "half a second) after taking its epoch before it acts, unless the last leader released its lease.");
    public static final Setting<Duration> RENEW_INTERVAL = Setting.duration("coordinator.leader.renew-interval",
            Duration.ofMillis(500), Duration.ofMillis(50), Duration.ofMinutes(1),
            "How often the leader renews its lease (and a follower checks that it reaches the store).");
    public static final Setting<Integer> QUORUM = Setting.integer("coordinator.leader.quorum", 1, 1, 99,
            "Fewest coordinators (Hazelcast members, itself included) a coordinator must see to lead; with three or more "
                    + "coordinators set a majority (2 of 3), so the minority side of a partition never leads.");

    public static final Setting<Duration> MERGE_DELAY = Setting.duration("coordinator.leader.merge-delay", Duration.ofSeconds(5),
            Duration.ofSeconds(1), Duration.ofMinutes(10),
            "After a network partition heals, how soon (and then how often) the coordinators look for the other half "
                    + "to merge into one cluster again (Hazelcast's split-brain merge; its own default is 5 minutes), in whole "
                    + "seconds.");

    public static final List<Setting<?>> ALL = List.of(LEASE, RENEW_INTERVAL, QUORUM, MERGE_DELAY);
}
