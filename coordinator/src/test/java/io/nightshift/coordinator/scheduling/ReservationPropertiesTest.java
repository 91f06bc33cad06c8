package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.queue.QueueSpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.nightshift.coordinator.scheduling.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * EASY backfill under random clusters (jqwik): 4-cpu agents partly busy with tasks that end at known times (or
 * never), a wide gang at the head of its queue, and a stream of small tasks with or without a maxRuntime.
 * The world is run event by event with exact run times (a task with a maxRuntime runs exactly that long; one
 * without runs on), placing what each plan says. Properties: the gang's reservation never moves later while
 * smaller work backfills; the gang starts no later than its first reservation (no starvation); and DRF still
 * alternates two equal queues of like tasks over the room left to backfill.
 */
class ReservationPropertiesTest {

    private static final double AGENT_CPUS = 4;
    private final OfferCycle core = new OfferCycle(SchedulingPolicy.defaults().withPreemption(false));

    /** A task on agent {@code agent}, ending after {@code endsIn} seconds (0: never). */
    record Busy(int agent, int cpus, int endsIn) {
    }

    /** A small task arriving {@code at} seconds in, asking {@code cpus}, running {@code runtime} s (0: unknown, forever). */
    record Small(int at, int cpus, int runtime, int queue) {
    }

    record World(int agents, List<Busy> busy, int gangSize, int gangCpus, List<Small> small) {
    }

    @Provide
    Arbitrary<World> worlds() {
        Arbitrary<Busy> busy = Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.integers().between(1, 4),
                Arbitraries.of(0, 30, 60, 120, 200, 300, 450, 600, 900)).as(Busy::new);
        Arbitrary<Small> small = Combinators.combine(Arbitraries.integers().between(0, 900), Arbitraries.integers().between(1, 2),
                Arbitraries.of(0, 20, 45, 90, 150, 300, 1200), Arbitraries.integers().between(0, 1)).as(Small::new);
        return Combinators.combine(Arbitraries.integers().between(2, 6), busy.list().ofMinSize(2).ofMaxSize(16),
                Arbitraries.integers().between(2, 6), Arbitraries.of(2, 3, 4), small.list().ofMaxSize(30)).as(World::new);
    }

    @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
    void theHeadGangStartsNoLaterThanItsFirstReservationAndBackfillNeverDelaysIt(@ForAll("worlds") World w) {
        Sim sim = new Sim(w, false);
        Plan first = sim.plan();
        Reservation r1 = first.reservationOf("gang").orElse(null);
        Assume.that(r1 != null);
        Instant promised = r1.start();
        Instant started = null;
        Plan plan = first;
        for (int step = 0; step < 500 && started == null; step++) {
            if (step > 0) plan = sim.plan();
            plan.reservationOf("gang").ifPresent(r -> assertThat(r.start()).as("the reservation never moves later")
                    .isBeforeOrEqualTo(promised));
            if (sim.apply(plan)) started = sim.now;
            else sim.advance(promised);
        }
        assertThat(started).as("the gang started").isNotNull();
        assertThat(started).as("no later than its first reservation").isBeforeOrEqualTo(promised);
    }

    @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
    void drfStillAlternatesEqualQueuesOverTheWorkThatBackfills(@ForAll("worlds") World w) {
        Sim sim = new Sim(w, true);
        Plan plan = sim.plan();
        Assume.that(plan.reservationOf("gang").isPresent());
        Map<String, Integer> placed = new HashMap<>(Map.of("a", 0, "b", 0));
        Map<String, Integer> left = new HashMap<>(Map.of("a", 0, "b", 0));
        for (Placement p : plan.placements()) placed.merge(p.queue(), 1, Integer::sum);
        for (PendingTask t : sim.pending.values()) {
            if (!t.isGang() && plan.placementOf(t.taskId()).isEmpty()) left.merge(t.queue(), 1, Integer::sum);
        }
        if (left.get("a") > 0 && left.get("b") > 0) {
            assertThat(Math.abs(placed.get("a") - placed.get("b"))).as("placements per queue " + placed).isLessThanOrEqualTo(1);
        }
    }

    /** The world, event by event: agents with what runs there, pending work, small tasks still to arrive. */
    private final class Sim {
        final int agents;
        final boolean twoQueues;
        final Map<String, PendingTask> pending = new LinkedHashMap<>();
        final Map<String, Instant> ends = new HashMap<>();   // running task id → actual end (null: never)
        final Map<String, RunningTask> running = new LinkedHashMap<>();
        final List<Small> toArrive;
        final Map<String, Small> smallById = new HashMap<>();
        Instant now = NOW;
        long cycle;

        Sim(World w, boolean twoQueues) {
            this.agents = w.agents();
            this.twoQueues = twoQueues;
            double[] used = new double[agents];
            int k = 0;
            for (Busy b : w.busy()) {
                int a = b.agent() % agents;
                if (used[a] + b.cpus() > AGENT_CPUS) continue;
                used[a] += b.cpus();
                Instant end = b.endsIn() == 0 ? null : NOW.plusSeconds(b.endsIn());
                String id = "busy" + k++;
                running.put(id, new RunningTask(id, id, id, "busy", agent(a), Resources.of(b.cpus(), 256), 0,
                        NOW.minusSeconds(60), 0, false, end));
                ends.put(id, end);
            }
            int size = Math.min(w.gangSize(), agents);
            for (int i = 0; i < size; i++) {
                pending.put("gang." + i, new PendingTask("gang." + i, "gang", 10, NOW.minusSeconds(100), null,
                        Resources.of(w.gangCpus(), 256), "a", "gang", size, true, List.of(), null, null, null));
            }
            this.toArrive = new ArrayList<>(w.small());
            toArrive.sort((x, y) -> Integer.compare(x.at(), y.at()));
            if (twoQueues) {   // the DRF property looks at one cycle: everything has arrived, all alike
                int runtime = toArrive.isEmpty() ? 0 : toArrive.get(0).runtime();
                for (Small s : List.copyOf(toArrive)) arrive(new Small(0, 1, runtime, s.queue()));
                toArrive.clear();
            } else {
                while (!toArrive.isEmpty() && toArrive.get(0).at() == 0) arrive(toArrive.remove(0));
            }
        }

        private void arrive(Small s) {
            String id = "s" + smallById.size();
            smallById.put(id, s);
            String queue = twoQueues ? (s.queue() == 0 ? "a" : "b") : "a";
            pending.put(id, new PendingTask(id, id, 0, now, null, Resources.of(s.cpus(), 128), queue, id, 1, false, List.of(),
                    null, null, s.runtime() == 0 ? null : Duration.ofSeconds(s.runtime())));
        }

        Plan plan() {
            double[] used = new double[agents];
            long[] mem = new long[agents];
            for (RunningTask r : running.values()) {
                int a = Integer.parseInt(r.agentId().substring(1));
                used[a] += r.resources().cpus();
                mem[a] += r.resources().memMb();
            }
            List<AgentSlot> slots = new ArrayList<>();
            for (int a = 0; a < agents; a++) {
                slots.add(new AgentSlot(agent(a), new Resources(Math.max(0, AGENT_CPUS - used[a]), 65_536 - mem[a], 0, 0),
                        Map.of(), new Resources(AGENT_CPUS, 65_536, 0, 0)));
            }
            List<QueueSpec> queues = List.of(QueueSpec.of("a", 1), QueueSpec.of("b", 1), QueueSpec.of("busy", 1));
            return core.plan(ClusterSnapshot.builder(++cycle, now).agents(slots).pending(List.copyOf(pending.values()))
                    .queues(queues).running(List.copyOf(running.values())).build());
        }

        /** Starts what {@code plan} placed; true when the gang started. */
        boolean apply(Plan plan) {
            boolean gang = false;
            for (Placement p : plan.placements()) {
                PendingTask t = pending.remove(p.taskId());
                Instant end = t.maxRuntime() == null ? (t.isGang() ? now.plusSeconds(60) : null) : now.plus(t.maxRuntime());
                running.put(t.taskId(), new RunningTask(t.taskId(), t.jobId(), t.runId(), t.queue(), p.agentId(), t.resources(),
                        t.priority(), now, 0, false, t.maxRuntime() == null ? null : end));
                ends.put(t.taskId(), end);
                if (t.isGang()) gang = true;
            }
            return gang;
        }

        /** Jumps to the next end, arrival or {@code promised}, whichever comes first after now. */
        void advance(Instant promised) {
            Instant next = promised.isAfter(now) ? promised : null;
            for (Instant e : ends.values()) {
                if (e != null && e.isAfter(now) && (next == null || e.isBefore(next))) next = e;
            }
            if (!toArrive.isEmpty()) {
                Instant a = NOW.plusSeconds(toArrive.get(0).at());
                if (a.isAfter(now) && (next == null || a.isBefore(next))) next = a;
            }
            now = next == null ? now.plusSeconds(60) : next;
            ends.entrySet().removeIf(e -> {
                boolean done = e.getValue() != null && !e.getValue().isAfter(now);
                if (done) running.remove(e.getKey());
                return done;
            });
            while (!toArrive.isEmpty() && !NOW.plusSeconds(toArrive.get(0).at()).isAfter(now)) arrive(toArrive.remove(0));
        }
    }

    private static String agent(int i) {
        return "a" + i;
    }
}
