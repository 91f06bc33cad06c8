package io.nightshift.cli;

import io.nightshift.agent.AgentSettings;
import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.config.Config;
import io.nightshift.coordinator.CoordinatorSettings;
import io.nightshift.testkit.LocalCluster;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * {@code nightshift bench --streams S --follows F}: does a crowd of clients that open event streams
 * and log follows and never read stall the API? On a cluster of its own (1 agent), it measures the
 * latency of N sequential submits with no streams open (the baseline), then opens S event streams
 * (replaying from event 0) and F log follows of a chatty task on raw sockets with a 4 KiB receive
 * buffer that are never read, and measures N submits again, in the same run. The jobs ask for more
 * CPUs than the agent has, so they stay pending: what is measured is the API and the core, not
 * process launches. Also reports whether the agent stayed connected.
 */
final class StreamsBench {
    private final int streams;
    private final int follows;
    private final int submits;
    private final PrintWriter err;

    StreamsBench(int streams, int follows, int submits, PrintWriter err) {
        this.streams = streams;
        this.follows = follows;
        this.submits = submits;
        this.err = err;
    }

    record Result(List<Long> baseMicros, List<Long> loadedMicros, int opened, int refused, boolean agentConnected) {
    }

    Result run(Config base, Path dir, String runId) throws Exception {
        Config config = base.with(CoordinatorSettings.PORT, "0")
                .with(CoordinatorSettings.DATA_DIR, dir.resolve("coordinator").toString())
                .with(CoordinatorSettings.CLUSTER_NAME, "bench-" + runId)
                .with(AgentSettings.WORK_DIR, dir.resolve("agent").toString())
                .with(CoordinatorSettings.MAX_EVENT_STREAMS, Integer.toString(streams + 16))
                .with(CoordinatorSettings.MAX_EVENT_STREAMS_PER_TOKEN, Integer.toString(streams + 16))
                .with(CoordinatorSettings.MAX_LOG_FOLLOWS, Integer.toString(follows + 16))
                .with(CoordinatorSettings.MAX_LOG_FOLLOWS_PER_TOKEN, Integer.toString(follows + 16));
        try (LocalCluster cluster = LocalCluster.start(config, 1)) {
            NightshiftClient client = NightshiftClient.connect(cluster.url(), Duration.ofSeconds(60), cluster.adminToken());
            client.submitRaw(("{\"id\":\"chatty\",\"type\":\"command\",\"command\":{\"shell\":\"while :; do echo tick tick tick; "
                    + "sleep 0.01; done\"},\"resources\":{\"cpus\":0.1,\"memMb\":32}}").getBytes(StandardCharsets.UTF_8), "application/json");
            String task = awaitTask(client);
            err.println("bench: baseline, " + submits + " submits with no streams open");
            List<Long> baseline = submitLatencies(client, "base-" + runId);
            List<Socket> sockets = new ArrayList<>();
            int refused = 0;
            try {
                err.println("bench: opening " + streams + " event streams and " + follows + " log follows that never read");
                for (int i = 0; i < streams + follows; i++) {
                    String path = i < streams ? "/v1/events?from=0" : "/v1/tasks/" + task + "/logs/stdout?follow=true";
                    Socket s = new Socket();
                    s.setReceiveBufferSize(4096);
                    s.connect(new InetSocketAddress("127.0.0.1", cluster.url().getPort()), 5000);
                    s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + cluster.url().getPort()
                            + "\r\nAuthorization: Bearer " + cluster.adminToken() + "\r\nAccept: text/event-stream\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    sockets.add(s);
                }
                Thread.sleep(3000); // let the replays and the task's output fill their buffers
                err.println("bench: " + submits + " submits with them open");
                List<Long> loaded = submitLatencies(client, "loaded-" + runId);
                boolean connected = cluster.agents().get(0).connected();
                return new Result(baseline, loaded, sockets.size(), refused, connected);
            } finally {
                for (Socket s : sockets) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            }
        }
    }

    private static String awaitTask(NightshiftClient client) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            var d = client.get("chatty");
            if (!d.runs().isEmpty() && !d.runs().get(0).tasks().isEmpty() && d.runs().get(0).tasks().get(0).currentAttempt() != null
                    && d.job().state().name().equals("RUNNING"))
                return d.runs().get(0).tasks().get(0).id();
            Thread.sleep(100);
        }
        throw new CliException(CliException.FAILED, "the chatty job did not start within 60 s");
    }

    /** Microseconds per submit, sequentially; the jobs stay pending (more CPUs than any agent has). */
    private List<Long> submitLatencies(NightshiftClient client, String prefix) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < submits; i++) {
            byte[] body = ("{\"id\":\"" + prefix + "-" + i + "\",\"type\":\"command\",\"command\":{\"argv\":[\"true\"]},"
                    + "\"resources\":{\"cpus\":1024,\"memMb\":8}}").getBytes(StandardCharsets.UTF_8);
            long t0 = System.nanoTime();
            client.submitRaw(body, "application/json");
            out.add((System.nanoTime() - t0) / 1000);
        }
        return out;
    }

    static long pct(List<Long> values, double p) {
        List<Long> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p * s.size()) - 1));
    }

    static String summary(Result r, int streams, int follows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "streams bench: %d event streams + %d log follows opened, never read; %d submits each phase%n",
                streams, follows, r.baseMicros().size()));
        for (double p : new double[] {0.5, 0.9, 0.99}) {
            long b = pct(r.baseMicros(), p), l = pct(r.loadedMicros(), p);
            sb.append(String.format(Locale.ROOT, "  submit p%-3s %8.2f ms baseline  %8.2f ms with streams  ratio %.2f%n",
                    (int) (p * 100), b / 1000.0, l / 1000.0, b == 0 ? 0 : (double) l / b));
        }
        sb.append("  agent still connected: ").append(r.agentConnected() ? "yes" : "NO").append('\n');
        return sb.toString();
    }
}
