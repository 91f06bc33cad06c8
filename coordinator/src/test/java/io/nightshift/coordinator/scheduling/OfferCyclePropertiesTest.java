package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.nightshift.coordinator.scheduling.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/**
 * Safety properties of the offer cycle over a few hundred random clusters (fixed seeds, so a failure
 * names the seed and replays exactly). Sizes and amounts are on realistic grids: cpus in 0.1 steps,
 * memory in 128 MiB steps; some agents are nearly full, some tasks are huge, some are in back-off.
 */
class OfferCyclePropertiesTest {

    private static final int CASES = 400;

    private final OfferCycle cycle = new OfferCycle(OfferPolicy.defaults());

    @Test
    void safetyPropertiesHoldOnRandomClusters() {
        Map<String, Integer> seen = new HashMap<>();   // what the random cases exercised, by reason code
        for (long seed = 1; seed <= CASES; seed++) {
            ClusterSnapshot snapshot = randomSnapshot(new Random(seed));
            Plan plan = cycle.plan(snapshot);
            checkProperties("seed " + seed, snapshot, plan);
            seen.merge("placed", plan.placements().size(), Integer::sum);
            plan.pendingReasons().values().forEach(rs -> rs.forEach(r -> seen.merge(r.code(), 1, Integer::sum)));
        }
        // The generator must reach every branch, or the properties above prove little.
        assertThat(seen).containsKeys("placed", "backoff", "no.agents", "insufficient.cpus", "insufficient.memMb",
                "insufficient.diskMb", "insufficient.gpus");
        assertThat(seen.get("placed")).isGreaterThan(CASES);
    }

    private static void checkProperties(String name, ClusterSnapshot snapshot, Plan plan) {
        Map<String, AgentSlot> agents = new HashMap<>();
        snapshot.agents().forEach(a -> agents.put(a.agentId(), a));
        Map<String, PendingTask> tasks = new HashMap<>();
        snapshot.pending().forEach(t -> tasks.put(t.taskId(), t));

        // Placements only on existing agents, of existing tasks, each task at most once, with what it asked.
        Set<String> placed = new HashSet<>();
        Map<String, Resources> used = new HashMap<>();
        for (Placement p : plan.placements()) {
            assertThat(agents).as("%s: placement %s on a known agent", name, p).containsKey(p.agentId());
            assertThat(tasks).as("%s: placement %s of a known task", name, p).containsKey(p.taskId());
            assertThat(placed.add(p.taskId())).as("%s: task %s placed twice", name, p.taskId()).isTrue();
            assertThat(p.resources()).as(name).isEqualTo(tasks.get(p.taskId()).resources());
            assertThat(p.offerId()).as(name).isEqualTo("o-" + snapshot.cycle() + "-" + p.agentId());
            assertThat(tasks.get(p.taskId()).backingOffAt(snapshot.now()))
                    .as("%s: task %s placed during back-off", name, p.taskId()).isFalse();
            used.merge(p.agentId(), p.resources(), Resources::plus);
        }

        // No agent over-committed in any dimension.
        used.forEach((agentId, sum) -> assertThat(agents.get(agentId).free().fits(sum))
                .as("%s: agent %s free %s, placed %s", name, agentId, agents.get(agentId).free(), sum).isTrue());

        // Every task is either placed exactly once or says why it waits, never both.
        for (PendingTask t : snapshot.pending()) {
            boolean isPlaced = placed.contains(t.taskId());
            boolean hasReasons = !plan.reasonsFor(t.taskId()).isEmpty();
            assertThat(isPlaced ^ hasReasons)
                    .as("%s: task %s placed=%s reasons=%s", name, t.taskId(), isPlaced, plan.reasonsFor(t.taskId()))
                    .isTrue();
        }
        assertThat(tasks.keySet()).as(name).containsAll(plan.pendingReasons().keySet());

        // Outstanding offers are exactly what is left: free minus placed, non-zero, one per agent.
        Set<String> offered = new HashSet<>();
        for (Offer o : plan.offers()) {
            assertThat(offered.add(o.agentId())).as("%s: two offers on %s", name, o.agentId()).isTrue();
            AgentSlot agent = agents.get(o.agentId());
            Resources left = agent.free().minus(used.getOrDefault(o.agentId(), Resources.ZERO));
            assertThat(o.resources().isZero()).as(name).isFalse();
            assertThat(o.resources().cpus()).as(name).isCloseTo(left.cpus(), offset(1e-6));
            assertThat(o.resources().memMb()).as(name).isEqualTo(left.memMb());
            assertThat(o.resources().diskMb()).as(name).isEqualTo(left.diskMb());
            assertThat(o.resources().gpus()).as(name).isEqualTo(left.gpus());
            assertThat(o.id()).as(name).isEqualTo("o-" + snapshot.cycle() + "-" + o.agentId());
        }
        for (AgentSlot a : snapshot.agents()) {
            Resources left = a.free().minus(used.getOrDefault(a.agentId(), Resources.ZERO));
            assertThat(offered.contains(a.agentId())).as("%s: agent %s with %s left has an offer", name, a.agentId(), left)
                    .isEqualTo(!left.isZero());
        }

        // nextWakeUp is the earliest back-off among waiting tasks.
        Instant earliest = snapshot.pending().stream().filter(t -> t.backingOffAt(snapshot.now()))
                .map(PendingTask::notBefore).min(Instant::compareTo).orElse(null);
        assertThat(plan.nextWakeUp()).as(name).isEqualTo(earliest);

        // Same snapshot, same plan.
        assertThat(new OfferCycle(OfferPolicy.defaults()).plan(snapshot)).as(name).isEqualTo(plan);
    }

    private static ClusterSnapshot randomSnapshot(Random r) {
        int agentCount = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(12);
        List<AgentSlot> agents = new ArrayList<>();
        for (int i = 0; i < agentCount; i++) {
            Resources total = new Resources(tenths(r, 1, 64), 128L * (1 + r.nextInt(256)), 1024L * r.nextInt(100),
                    r.nextInt(4) == 0 ? r.nextInt(5) : 0);
            Resources free = switch (r.nextInt(5)) {
                case 0 -> Resources.ZERO;                                   // nothing free
                case 1 -> total;                                            // idle
                default -> new Resources(Math.min(total.cpus(), tenths(r, 0, 32)), Math.min(total.memMb(), 128L * r.nextInt(128)),
                        total.diskMb() / (1 + r.nextInt(3)), r.nextInt(total.gpus() + 1));
            };
            agents.add(new AgentSlot("a" + i, free, Map.of("rack", "r" + r.nextInt(3)), r.nextBoolean() ? total : null));
        }
        int taskCount = r.nextInt(40);
        List<PendingTask> pending = new ArrayList<>();
        for (int i = 0; i < taskCount; i++) {
            boolean huge = r.nextInt(15) == 0;
            Resources asked = new Resources(huge ? 128 : tenths(r, 0, 8), huge ? 1 << 20 : 128L * r.nextInt(64),
                    r.nextInt(3) == 0 ? 512L * r.nextInt(20) : 0, r.nextInt(6) == 0 ? 1 + r.nextInt(2) : 0);
            Instant notBefore = switch (r.nextInt(6)) {
                case 0 -> NOW.plusSeconds(1 + r.nextInt(600));             // backing off
                case 1 -> NOW.minusSeconds(r.nextInt(600));                 // back-off over
                default -> null;
            };
            pending.add(new PendingTask("t" + i, "job" + r.nextInt(5), r.nextInt(4), NOW.minusSeconds(r.nextInt(100)),
                    notBefore, asked));
        }
        return new ClusterSnapshot(r.nextInt(1000), NOW, agents, pending);
    }

    /** A cpu amount in [min, max] in 0.1 steps. */
    private static double tenths(Random r, int min, int max) {
        return (min * 10 + r.nextInt((max - min) * 10 + 1)) / 10.0;
    }
}
