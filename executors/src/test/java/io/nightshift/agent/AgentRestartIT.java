package io.nightshift.agent;

import io.nightshift.agent.channel.TestCoordinator;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.protocol.AgentMessage.StatusUpdate;
import io.nightshift.api.protocol.CoordinatorMessage;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of the agent JVM while its tasks run, then a new agent on the same work dir: every task
 * still alive is re-attached (and its log keeps streaming), the one that ended meanwhile is reported
 * with its real exit code, unacknowledged updates come back from the journal, and kills through the
 * coordinator still leave nothing behind.
 */
class AgentRestartIT {
    static final Duration T = Duration.ofSeconds(60);
    static final String TICKER = "i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.2; done";

    @TempDir
    Path work;

    @AfterAll
    static void safetyNet() {
        TestSupport.killLeftovers();
    }

    @Test
    void afterAKillMinus9TheNextAgentReattachesCollectsExitCodesAndResendsWhatWasNotAcknowledged() throws Exception {
        Path agentDir = work.resolve("agent");
        Path sandboxes = agentDir.resolve("sandboxes");
        try (TestCoordinator coordinator = new TestCoordinator()) {
            List<Launch> tickers = new ArrayList<>();
            Launch seven;
            Launch unacked;
            try (AgentJvm first = AgentJvm.start(coordinator.url(), "restart-it", agentDir, work.resolve("agent-1.log"))) {
                first.awaitReady();
                await().atMost(T).until(() -> !coordinator.received(AgentMessage.Heartbeat.class).isEmpty());
                for (int i = 0; i < 3; i++) {
                    Launch l = TestSupport.launch(JobSpec.shell(TICKER).id("ticker").killGracePeriod(Duration.ofSeconds(5)).build());
                    tickers.add(l);
                    coordinator.send(l);
                }
                for (Launch l : tickers) awaitState(coordinator, l, TaskState.RUNNING);

                coordinator.autoAck = false; // from here on nothing is acknowledged before the crash
                unacked = TestSupport.launch(JobSpec.command("/bin/true").id("unacked").build());
                coordinator.send(unacked);
                awaitState(coordinator, unacked, TaskState.FINISHED);
                seven = TestSupport.launch(JobSpec.shell("sleep 3; echo bye; exit 7").id("seven").build());
                coordinator.send(seven);
                awaitState(coordinator, seven, TaskState.RUNNING);

                first.killHard(); // kill -9: no shutdown hook, no clean-up
            }
            List<Long> unackedSeqs = coordinator.updates(unacked.attemptId()).stream().map(StatusUpdate::seq).toList();
            long lastSeqBefore = coordinator.received(StatusUpdate.class).stream().mapToLong(StatusUpdate::seq).max().orElseThrow();

            // The tasks outlived their agent; the short one ends while no agent watches it.
            for (Launch l : tickers) assertThat(TestSupport.markedProcesses(l.attemptId())).as(l.attemptId()).isNotEmpty();
            await().atMost(T).until(() -> TestSupport.markedProcesses(seven.attemptId()).isEmpty());
            assertThat(Files.readString(sandboxes.resolve(seven.attemptId()).resolve("exit"))).isEqualTo("7\n");
            assertThat(coordinator.updates(seven.attemptId()).stream().map(StatusUpdate::state)).doesNotContain(TaskState.FAILED);

            coordinator.autoAck = true;
            int registers = coordinator.received(AgentMessage.Register.class).size();
            try (AgentJvm second = AgentJvm.start(coordinator.url(), "restart-it", agentDir, work.resolve("agent-2.log"))) {
                String url = second.awaitReady();
                await().atMost(T).until(() -> coordinator.received(AgentMessage.Register.class).size() > registers);
                AgentMessage.Register again = coordinator.received(AgentMessage.Register.class).get(registers);

                // 100 % of the live attempts re-attached; the ended and the unacknowledged ones are reported
                assertThat(again.running()).containsExactlyInAnyOrderElementsOf(tickers.stream().map(Launch::attemptId).toList());
                assertThat(again.reported()).contains(seven.attemptId(), unacked.attemptId());

                StatusUpdate end = awaitState(coordinator, seven, TaskState.FAILED);
                assertThat(end.reason()).isEqualTo(Reason.EXIT_CODE);
                assertThat(end.exitCode()).isEqualTo(7);
                assertThat(end.seq()).isGreaterThan(lastSeqBefore);
                assertThat(end.message()).contains("ended while the agent was down");

                // the journal gave back exactly what was never acknowledged, with the same seqs
                await().atMost(T).until(() -> coordinator.updates(unacked.attemptId()).size() == 2 * unackedSeqs.size());
                assertThat(coordinator.updates(unacked.attemptId()).stream().map(StatusUpdate::seq).distinct())
                        .containsExactlyElementsOf(unackedSeqs);

                // logs continue: following from where the file stood returns lines written after the restart
                Launch watched = tickers.get(0);
                Path stdout = sandboxes.resolve(watched.attemptId()).resolve("stdout");
                long offset = Files.size(stdout);
                String lastBefore = lastLine(Files.readString(stdout));
                String next = firstFollowedLine(url + "/v1/sandboxes/" + watched.attemptId() + "/stdout?follow=true&offset=" + offset);
                assertThat(next).startsWith("tick ");
                assertThat(tickNumber(next)).isGreaterThan(tickNumber(lastBefore));

                // re-attached attempts are killed like any other: whole tree, real status
                for (Launch l : tickers)
                    coordinator.send(new CoordinatorMessage.Kill(l.attemptId(), Duration.ofSeconds(5), Reason.KILLED_BY_USER));
                for (Launch l : tickers) {
                    StatusUpdate killed = awaitState(coordinator, l, TaskState.KILLED);
                    assertThat(killed.reason()).isEqualTo(Reason.KILLED_BY_USER);
                    assertThat(killed.exitCode()).isEqualTo(143);
                    assertThat(TestSupport.markedProcesses(l.attemptId())).as(l.attemptId()).isEmpty();
                }
                assertThat(TestSupport.processesOfThisRun()).isEmpty();
            }
        }
    }

    private static StatusUpdate awaitState(TestCoordinator c, Launch l, TaskState state) {
        await().atMost(T).until(() -> c.updates(l.attemptId()).stream().anyMatch(u -> u.state() == state));
        return c.updates(l.attemptId()).stream().filter(u -> u.state() == state).findFirst().orElseThrow();
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\n");
        return lines[lines.length - 1];
    }

    private static int tickNumber(String line) {
        return Integer.parseInt(line.substring("tick ".length()).trim());
    }

    /** Follows a log and returns its first complete line (the request is dropped afterwards). */
    private static String firstFollowedLine(String url) throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                HttpResponse<InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertThat(r.statusCode()).isEqualTo(200);
                try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                    return in.readLine();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        return line.get(30, TimeUnit.SECONDS);
    }

    /** An agent in a JVM of its own (the pattern of testkit's AgentProcess, which this module cannot use). */
    static final class AgentJvm implements AutoCloseable {
        final Process process;
        final String id;
        final Path log;

        private AgentJvm(Process process, String id, Path log) {
            this.process = process;
            this.id = id;
            this.log = log;
        }

        static AgentJvm start(String coordinator, String id, Path workDir, Path log, String... extraFlags) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                    AgentMain.class.getName(), "--coordinator", coordinator, "--id", id, "--work-dir", workDir.toString(),
                    "--cpus", "2", "--mem-mb", "1024", "--http-port", "0"));
            cmd.addAll(List.of(extraFlags));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new AgentJvm(p, id, log);
        }

        /** Waits for the ready line; returns the log server's URL. */
        String awaitReady() {
            String prefix = "nightshift-agent " + id + " ready ";
            await().atMost(T).until(() -> Files.readString(log).contains(prefix) || !process.isAlive());
            assertThat(process.isAlive()).as("agent JVM alive (see %s)", log).isTrue();
            try {
                return Files.readAllLines(log).stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow()
                        .substring(prefix.length()).trim();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void killHard() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        @Override
        public void close() throws InterruptedException {
            if (!process.isAlive()) return;
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) killHard();
        }
    }
}
