package io.nightshift.benchmarks;

import io.nightshift.api.Resources;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.api.spec.Constraint;
import io.nightshift.coordinator.scheduling.AgentSlot;
import io.nightshift.coordinator.scheduling.ClusterSnapshot;
import io.nightshift.coordinator.scheduling.PendingTask;
import io.nightshift.coordinator.scheduling.RunningTask;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The benchmark cluster, seeded and so the same on every run:
 * <ul>
 *   <li>agents of 16 cpus / 64 GiB (every 20th also 4 gpus), on 50 racks in 3 zones, each already
 *       running one 2-cpu / 4 GiB task (so shares, counts and preemption have data);</li>
 *   <li>3 queues of weights 1, 2, 3;</li>
 *   <li>pending tasks in jobs of 10 instances: 0.5-4 cpus, 0.5-8 GiB, priorities 0-9, spread over the
 *       queues; 20 % of the jobs carry a constraint (UNIQUE hostname, MAX_PER rack 2, GROUP_BY zone,
 *       LIKE rack, UNLIKE zone, in turn).</li>
 * </ul>
 */
final class Workloads {

    static final Instant NOW = Instant.parse("2026-03-01T22:00:00Z");

    private Workloads() {
    }

    static ClusterSnapshot snapshot(int agentCount, int taskCount, double constrainedFraction, long seed) {
        Random r = new Random(seed);
        List<AgentSlot> agents = new ArrayList<>(agentCount);
        List<RunningTask> running = new ArrayList<>(agentCount);
        List<QueueSpec> queues = List.of(QueueSpec.of("q1", 1), QueueSpec.of("q2", 2), QueueSpec.of("q3", 3));
        for (int i = 0; i < agentCount; i++) {
            String id = "agent-%06d".formatted(i);
            Resources total = new Resources(16, 65_536, 500_000, i % 20 == 0 ? 4 : 0);
            Resources used = new Resources(2, 4096, 0, 0);
            agents.add(new AgentSlot(id, total.minus(used),
                    Map.of("hostname", id, "rack", "r" + (i % 50), "zone", "z" + (i % 3)), total));
            running.add(new RunningTask("run-" + i, "running-job-" + (i % 100), "q" + (1 + i % 3), id, used, r.nextInt(10),
                    NOW.minusSeconds(r.nextInt(3600))));
        }
        double[] cpus = {0.5, 1, 2, 4};
        long[] mem = {512, 1024, 2048, 4096, 8192};
        List<PendingTask> pending = new ArrayList<>(taskCount);
        for (int job = 0; job * 10 < taskCount; job++) {
            Resources asked = new Resources(cpus[r.nextInt(cpus.length)], mem[r.nextInt(mem.length)], 0, 0);
            String queue = "q" + (1 + r.nextInt(3));
            int priority = r.nextInt(10);
            List<Constraint> constraints = List.of();
            if (r.nextDouble() < constrainedFraction) {
                constraints = List.of(switch (job % 5) {
                    case 0 -> Constraint.unique("hostname");
                    case 1 -> Constraint.maxPer("rack", 2);
                    case 2 -> Constraint.groupBy("zone");
                    case 3 -> Constraint.like("rack", "r[1-4]?[0-9]");
                    default -> Constraint.unlike("zone", "z2");
                });
            }
            int instances = Math.min(10, taskCount - job * 10);
            String jobId = "job-%05d".formatted(job);
            for (int k = 0; k < instances; k++) {
                pending.add(new PendingTask(jobId + ".r1." + k, jobId, priority, NOW.minusSeconds(r.nextInt(600)), null,
                        asked, queue, jobId + ".r1", instances, false, constraints, null));
            }
        }
        return ClusterSnapshot.builder(1, NOW).agents(agents).pending(pending).queues(queues).running(running).build();
    }
}
