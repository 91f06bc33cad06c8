package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.api.spec.Constraint;
import io.nightshift.coordinator.simulation.Invariants;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.nightshift.coordinator.scheduling.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core under random clusters and workloads (jqwik, 200 tries): three queues with weights, guarantees,
 * limits and maxRunning; agents of random sizes, some nearly full; tasks of random sizes with
 * constraints, a gang job, back-off and deadlines; running tasks to count and preempt. Each try runs
 * three cycles on a virtual clock, carrying offers, decline filters and gang holds, and applying
 * placements and preemptions as the shell does. Every cycle must keep the {@link Invariants}: no agent
 * over-committed, no queue over its limit or maxRunning, no task placed twice, every pending task placed
 * or told why, gangs all or nothing; and the same snapshot must give the same plan.
 */
class SchedulingPropertiesTest {

    private final OfferCycle core = new OfferCycle(SchedulingPolicy.defaults());

    record QueueShape(int weight, int guaranteeCpus, int limitCpus, int maxRunning) {
    }

    record AgentShape(int cpusTenths, int memSteps, int gpus, int rack, boolean totalKnown) {
    }

    record TaskShape(int queue, int job, int cpusTenths, int memSteps, int gpus, int priority, boolean backoff) {
    }

    record RunningShape(int agent, int queue, int job, int cpusTenths, int memSteps, int priority, int preemptions,
                        boolean terminating) {
    }

    record Scenario(List<QueueShape> queues, List<AgentShape> agents, List<TaskShape> tasks, List<RunningShape> running,
                    List<Integer> jobConstraints, boolean gang, List<Integer> steps) {
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<QueueShape> queue = Combinators.combine(Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(0, 6), Arbitraries.integers().between(0, 30),
                Arbitraries.integers().between(0, 12)).as(QueueShape::new);
        Arbitrary<AgentShape> agent = Combinators.combine(Arbitraries.integers().between(0, 320),
                Arbitraries.integers().between(0, 64), Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 2), Arbitraries.of(true, false)).as(AgentShape::new);
        Arbitrary<TaskShape> task = Combinators.combine(Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 80),
                Arbitraries.integers().between(0, 32), Arbitraries.of(0, 0, 0, 1), Arbitraries.integers().between(0, 3),
                Arbitraries.of(false, false, false, true)).as(TaskShape::new);
        Arbitrary<RunningShape> running = Combinators.combine(Arbitraries.integers().between(0, 11),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(1, 40), Arbitraries.integers().between(0, 16),
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 3),
                Arbitraries.of(false, false, false, true)).as(RunningShape::new);
        return Combinators.combine(queue.list().ofSize(3), agent.list().ofMinSize(1).ofMaxSize(12),
                task.list().ofMaxSize(40), running.list().ofMaxSize(20),
                Arbitraries.integers().between(0, 6).list().ofSize(6), Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 200).list().ofSize(3)).as(Scenario::new);
    }

    @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
    void safetyPropertiesHoldOverSeveralCycles(@ForAll("scenarios") Scenario s) {
        List<QueueSpec> queues = queues(s);
        Map<String, Resources> totals = new LinkedHashMap<>();
        Map<String, Map<String, String>> attributes = new HashMap<>();
        Map<String, Boolean> known = new HashMap<>();
        for (int i = 0; i < s.agents().size(); i++) {
            AgentShape a = s.agents().get(i);
            totals.put("a" + i, new Resources(a.cpusTenths() / 10.0, 256L * a.memSteps(), 0, a.gpus()));
            attributes.put("a" + i, Map.of("rack", "r" + a.rack()));
            known.put("a" + i, a.totalKnown());
        }
        List<RunningTask> running = new ArrayList<>();
        Map<String, Resources> used = new HashMap<>();
        int k = 0;
        for (RunningShape r : s.running()) {
            String agent = "a" + r.agent();
            Resources res = new Resources(r.cpusTenths() / 10.0, 256L * r.memSteps(), 0, 0);
            if (!totals.containsKey(agent) || !totals.get(agent).fits(used.getOrDefault(agent, Resources.ZERO).plus(res))) continue;
            used.merge(agent, res, Resources::plus);
            running.add(new RunningTask("r" + k++, "j" + r.job(), "j" + r.job() + ".r1", "q" + r.queue(), agent, res,
                    r.priority(), NOW.minusSeconds(60L * k), r.preemptions(), r.terminating()));
        }
        List<PendingTask> pending = pending(s);

        Plan previous = null;
        Instant now = NOW;
        for (int step = 0; step < s.steps().size(); step++) {
            now = now.plusSeconds(s.steps().get(step));
            List<AgentSlot> agents = new ArrayList<>();
            for (Map.Entry<String, Resources> e : totals.entrySet()) {
                Resources free = e.getValue().minus(used.getOrDefault(e.getKey(), Resources.ZERO));
                agents.add(new AgentSlot(e.getKey(), free, attributes.get(e.getKey()), known.get(e.getKey()) ? e.getValue() : null));
            }
            ClusterSnapshot.Builder b = ClusterSnapshot.builder(step + 1, now).queues(queues).agents(agents)
                    .pending(pending).running(running);
            if (previous != null) {
                b.offers(previous.offers()).declineFilters(previous.declineFilters()).gangHolds(previous.gangHolds());
            }
            ClusterSnapshot snapshot = b.build();
            Plan plan = core.plan(snapshot);

            Invariants.check(snapshot, plan);
            assertThat(new OfferCycle(SchedulingPolicy.defaults()).plan(snapshot)).as("deterministic").isEqualTo(plan);
            Statistics.collect(plan.placements().isEmpty() ? "nothing placed" : "placed",
                    plan.preemptions().isEmpty() ? "no preemption" : "preempted");

            // apply as the shell does
            Map<String, PendingTask> byId = new HashMap<>();
            pending.forEach(t -> byId.put(t.taskId(), t));
            for (Placement p : plan.placements()) {
                PendingTask t = byId.get(p.taskId());
                used.merge(p.agentId(), p.resources(), Resources::plus);
                running.add(new RunningTask(t.taskId(), t.jobId(), t.runId(), t.queue(), p.agentId(), t.resources(),
                        t.priority(), now, 0, false));
            }
            List<String> placed = plan.placements().stream().map(Placement::taskId).toList();
            pending = new ArrayList<>(pending.stream().filter(t -> !placed.contains(t.taskId())).toList());
            List<String> victims = plan.preemptions().stream().map(Preemption::taskId).toList();
            running = new ArrayList<>(running.stream().map(r -> victims.contains(r.taskId()) ? r.asTerminating() : r).toList());
            previous = plan;
        }
    }

    private static List<QueueSpec> queues(Scenario s) {
        List<QueueSpec> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            QueueShape q = s.queues().get(i);
            QueueSpec spec = QueueSpec.of("q" + i, q.weight());
            if (q.limitCpus() > 0) {
                spec = spec.withLimit(new Resources(q.limitCpus(), 1 << 30, 1 << 30, 8));
            }
            int guarantee = q.limitCpus() > 0 ? Math.min(q.guaranteeCpus(), q.limitCpus()) : q.guaranteeCpus();
            spec = spec.withGuarantee(Resources.of(guarantee, 0));
            if (q.maxRunning() > 0) spec = spec.withMaxRunning(q.maxRunning());
            out.add(spec);
        }
        return out;
    }

    private static List<PendingTask> pending(Scenario s) {
        Map<Integer, Integer> instances = new HashMap<>();
        s.tasks().forEach(t -> instances.merge(t.job(), 1, Integer::sum));
        Map<Integer, TaskShape> firstOfJob = new HashMap<>();
        List<PendingTask> out = new ArrayList<>();
        for (int i = 0; i < s.tasks().size(); i++) {
            TaskShape shape = s.tasks().get(i);
            // all instances of a job share its queue, size and constraints, as they do in a real run
            TaskShape job = firstOfJob.computeIfAbsent(shape.job(), j -> shape);
            boolean gang = s.gang() && shape.job() == 5;
            List<Constraint> constraints = switch (s.jobConstraints().get(shape.job())) {
                case 3 -> List.of(Constraint.unique("hostname"));
                case 4 -> List.of(Constraint.maxPer("rack", 1));
                case 5 -> List.of(Constraint.like("rack", "r[01]"));
                case 6 -> List.of(Constraint.groupBy("rack"), Constraint.cluster("rack"));
                default -> List.of();
            };
            out.add(new PendingTask("t" + i, "j" + shape.job(), job.priority(), NOW.minusSeconds(100 - i),
                    shape.backoff() && !gang ? NOW.plusSeconds(50) : null,
                    new Resources(job.cpusTenths() / 10.0, 128L * job.memSteps(), 0, job.gpus()), "q" + job.queue(),
                    "j" + shape.job() + ".r1", instances.get(shape.job()), gang, constraints,
                    shape.job() % 2 == 0 ? NOW.plusSeconds(3600L * shape.job()) : null));
        }
        return out;
    }
}
