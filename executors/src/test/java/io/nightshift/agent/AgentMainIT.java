package io.nightshift.agent;

import io.nightshift.agent.channel.TestCoordinator;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.protocol.AgentMessage.StatusUpdate;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The agent in a JVM of its own, the way integration tests of other modules run it. */
class AgentMainIT {
    static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @AfterAll
    static void safetyNet() {
        TestSupport.killLeftovers();
    }

    @Test
    void runsInItsOwnJvmAndOnSigtermLeavesItsTasksRunningAndExits() throws Exception {
        runThenSigterm(false);
    }

    @Test
    void withKillTasksOnStopSigtermKillsItsTasksAndReportsThem() throws Exception {
        runThenSigterm(true);
    }

    private void runThenSigterm(boolean killTasksOnStop) throws Exception {
        try (TestCoordinator coordinator = new TestCoordinator()) {
            Path out = work.resolve("agent.out");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process agent = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                    AgentMain.class.getName(),
                    "--coordinator", coordinator.url(), "--id", "main-it", "--work-dir", work.resolve("agent").toString(),
                    "--cpus", "1", "--mem-mb", "512", "--http-port", "0", "--attributes", "pool=it",
                    "--kill-tasks-on-stop", Boolean.toString(killTasksOnStop))
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            try {
                await().atMost(T).until(() -> Files.readString(out).contains("nightshift-agent main-it ready http://127.0.0.1:"));
                String url = Files.readAllLines(out).stream().filter(l -> l.startsWith("nightshift-agent main-it ready "))
                        .findFirst().orElseThrow().substring("nightshift-agent main-it ready ".length()).trim();

                await().atMost(T).until(() -> !coordinator.received(AgentMessage.Register.class).isEmpty());
                AgentMessage.Register r = coordinator.received(AgentMessage.Register.class).get(0);
                assertThat(r.agentId()).isEqualTo("main-it");
                assertThat(r.httpUrl()).isEqualTo(url);
                assertThat(r.attributes()).containsEntry("pool", "it");
                assertThat(r.total().cpus()).isEqualTo(1.0);
                assertThat(r.total().memMb()).isEqualTo(512);

                HttpResponse<String> health = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(url + "/health")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("\"status\":\"UP\"", "\"isolation\":\"" + r.isolation() + "\"");

                var launch = TestSupport.launch(JobSpec.command("sleep", "60").id("main").build());
                await().atMost(T).until(() -> coordinator.received(AgentMessage.Heartbeat.class).size() >= 1);
                coordinator.send(launch);
                await().atMost(T).until(() -> coordinator.updates(launch.attemptId()).stream()
                        .anyMatch(u -> u.state() == TaskState.RUNNING));

                agent.destroy(); // SIGTERM
                assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();

                List<StatusUpdate> updates = coordinator.updates(launch.attemptId());
                StatusUpdate last = updates.get(updates.size() - 1);
                if (killTasksOnStop) {
                    assertThat(last.state()).isEqualTo(TaskState.KILLED);
                    assertThat(last.reason()).isEqualTo(Reason.AGENT_SHUTDOWN);
                    assertThat(TestSupport.markedProcesses(launch.attemptId())).isEmpty();
                } else {
                    assertThat(last.state()).isEqualTo(TaskState.RUNNING);
                    assertThat(TestSupport.markedProcesses(launch.attemptId())).isNotEmpty();
                    assertThat(Files.readString(out)).contains("leaving 1 attempt(s) running");
                }
            } finally {
                agent.destroyForcibly();
                TestSupport.killLeftovers();
            }
        }
    }

    @Test
    void aBadFlagExitsWithUsage() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), AgentMain.class.getName(),
                "--attributes", "nonsense").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(output).contains("agent.attributes", "k=v");
    }
}
