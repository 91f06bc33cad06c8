package io.nightshift.coordinator.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reconciliation at every heartbeat, not only at registration: an agent's heartbeat lists the attempts it
 * supervises ({@code running}) and those it has unacknowledged updates for ({@code reported}). An attempt the
 * leader believes active on the agent that the agent has not listed for {@code grace} is gone (a launch that
 * never arrived: the old leader stored it and died before sending it); one the agent has run for {@code grace}
 * that the leader does not know is to be killed. The grace covers a launch or an update still on the wire when
 * the agent built its heartbeat. One per agent; pure (the caller applies the verdict); core thread only.
 */
final class HeartbeatReconciler {
    /** What disagrees for longer than the grace: attempts to reconcile as gone, attempts to kill. */
    record Verdict(List<String> gone, List<String> kill) {
        boolean isEmpty() {
            return gone.isEmpty() && kill.isEmpty();
        }
    }

    /** Attempt → when a heartbeat first left out an attempt the leader believes active here. */
    private final Map<String, Instant> missingSince = new HashMap<>();
    /** Attempt → when a heartbeat first listed an attempt the leader does not know. */
    private final Map<String, Instant> unknownSince = new HashMap<>();

    /**
     * @param expectedHere the attempts the leader believes active on this agent
     * @param knownAnywhere every attempt the leader believes active (on any agent)
     * @param running      the attempts the heartbeat says the agent supervises
     * @param reported     the attempts the heartbeat says have updates not yet acknowledged
     */
    Verdict onHeartbeat(Set<String> expectedHere, Set<String> knownAnywhere, Collection<String> running,
                        Collection<String> reported, Instant now, Duration grace) {
        Set<String> listed = new HashSet<>(running);
        listed.addAll(reported);
        List<String> gone = new ArrayList<>();
        missingSince.keySet().removeIf(a -> listed.contains(a) || !expectedHere.contains(a));
        for (String a : expectedHere) {
            if (listed.contains(a)) continue;
            Instant since = missingSince.computeIfAbsent(a, k -> now);
            if (!now.isBefore(since.plus(grace))) gone.add(a);
        }
        gone.forEach(missingSince::remove);

        List<String> kill = new ArrayList<>();
        Set<String> runningNow = new HashSet<>(running);
        unknownSince.keySet().removeIf(a -> !runningNow.contains(a) || knownAnywhere.contains(a));
        for (String a : running) {
            if (knownAnywhere.contains(a)) continue;
            Instant since = unknownSince.computeIfAbsent(a, k -> now);
            if (!now.isBefore(since.plus(grace))) kill.add(a);
        }
        kill.forEach(unknownSince::remove);
        gone.sort(null);
        kill.sort(null);
        return new Verdict(gone, kill);
    }

    /** A registration reconciled everything afresh: what was suspected starts over. */
    void reset() {
        missingSince.clear();
        unknownSince.clear();
    }
}
