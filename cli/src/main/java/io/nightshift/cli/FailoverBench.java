package io.nightshift.cli;

import io.nightshift.agent.Agent;
import io.nightshift.agent.AgentConfig;
import io.nightshift.agent.AgentSettings;
import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.client.NightshiftException;
import io.nightshift.api.config.Config;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.TaskState;
import io.nightshift.testkit.CoordinatorProcess;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code nightshift bench --failover N}: N times, two coordinators in their own JVMs (one Hazelcast
 * cluster, one store) and an agent that knows both; kill -9 of the leader, then the time until the
 * surviving coordinator has placed a job submitted right after the kill (the new leader's first
 * placement). Prints min / median / max.
 */
final class FailoverBench {
    private final int runs;
    private final Path dir;
    private final PrintWriter err;

    FailoverBench(int runs, Path dir, PrintWriter err) {
        this.runs = runs;
        this.dir = dir;
        this.err = err;
    }

    /** The failover times, one per run, in ms. */
    List<Long> run() throws InterruptedException {
        List<Long> times = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            times.add(once(i));
            err.println("failover run " + i + "/" + runs + ": " + times.get(times.size() - 1) + " ms");
            err.flush();
        }
        return times;
    }

    private long once(int run) throws InterruptedException {
        Path d = dir.resolve("run-" + run);
        String cluster = "failover-bench-" + run + "-" + Long.toString(System.nanoTime(), 36);
        int hzA = CoordinatorProcess.freePort(), hzB = CoordinatorProcess.freePort();
        CoordinatorProcess a = start(d, "a", hzA, hzB, cluster);
        CoordinatorProcess b = null;
        Agent agent = null;
        try {
            waitRole(NightshiftClient.connect(a.url(), NightshiftClient.DEFAULT_REQUEST_TIMEOUT, a.adminToken()), "leader");
            b = start(d, "b", hzB, hzA, cluster);
            NightshiftClient viaB = NightshiftClient.connect(b.url(), NightshiftClient.DEFAULT_REQUEST_TIMEOUT, a.adminToken());
            waitRole(viaB, "follower");
            agent = Agent.start(AgentConfig.from(Config.defaults(AgentSettings.ALL)
                    .with(AgentSettings.COORDINATOR, a.url() + "," + b.url())
                    .with(AgentSettings.TOKEN, a.adminToken())
                    .with(AgentSettings.WORK_DIR, d.resolve("agent").toString())
                    .with(AgentSettings.RECONNECT_INITIAL_BACKOFF, "PT0.05S")
                    .with(AgentSettings.RECONNECT_MAX_BACKOFF, "PT0.5S")));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!agent.connected() && System.nanoTime() < until) TimeUnit.MILLISECONDS.sleep(20);

            long killed = System.nanoTime();
            a.killHard();
            JobSpec probe = JobSpec.command("sleep", "1").id("probe-" + run).resources(0.01, 16).labels(Map.of("bench", "failover")).build();
            while (true) { // the follower answers 503 until it leads
                try {
                    viaB.submit(probe);
                    break;
                } catch (NightshiftException e) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                if (System.nanoTime() - killed > TimeUnit.SECONDS.toNanos(60)) throw new IllegalStateException("no new leader within 60 s");
            }
            while (true) {
                JobDetail detail = viaB.get(probe.id());
                var task = detail.runs().get(0).tasks().get(0);
                if (!task.attempts().isEmpty() && task.state() != TaskState.PENDING) return (System.nanoTime() - killed) / 1_000_000;
                if (System.nanoTime() - killed > TimeUnit.SECONDS.toNanos(60)) throw new IllegalStateException("no placement within 60 s");
                TimeUnit.MILLISECONDS.sleep(10);
            }
        } finally {
            if (agent != null) agent.stop(true);
            if (b != null) b.close();
            a.close();
        }
    }

    private static CoordinatorProcess start(Path d, String name, int hzPort, int otherHzPort, String cluster) {
        return CoordinatorProcess.start(d.resolve(name + ".log"), "--port", "0", "--data-dir", d.resolve("state").toString(),
                "--cluster-name", cluster, "--hazelcast.port", Integer.toString(hzPort),
                "--hazelcast.members", "127.0.0.1:" + otherHzPort);
    }

    /** Waits up to 60 s for the coordinator behind {@code c} to report {@code role} on {@code /health}. */
    static void waitRole(NightshiftClient c, String role) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            try {
                if (role.equals(c.getJson("/health").path("role").asText())) return;
            } catch (NightshiftException e) {
                // not up yet
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new IllegalStateException("coordinator did not become " + role + " within 60 s");
    }

    static String summary(List<Long> times) {
        List<Long> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        long median = sorted.get(sorted.size() / 2);
        return "failover (leader kill -9 -> first placement by the new leader) over " + times.size() + " runs: min "
                + sorted.get(0) + " ms, median " + median + " ms, max " + sorted.get(sorted.size() - 1) + " ms";
    }
}
