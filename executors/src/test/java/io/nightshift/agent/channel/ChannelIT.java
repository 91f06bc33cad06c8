package io.nightshift.agent.channel;

import io.nightshift.agent.Agent;
import io.nightshift.agent.AgentConfig;
import io.nightshift.agent.AgentSettings;
import io.nightshift.agent.TestSupport;
import io.nightshift.api.Resources;
import io.nightshift.api.config.Config;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.protocol.AgentMessage.StatusUpdate;
import io.nightshift.api.protocol.CoordinatorMessage;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The agent against a real WebSocket server that speaks the coordinator's side of the protocol. */
class ChannelIT {
    static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path work;
    TestCoordinator coordinator;
    Agent agent;

    @BeforeEach
    void startCoordinator() throws Exception {
        coordinator = new TestCoordinator();
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) agent.stop(true);
        coordinator.close();
    }

    @AfterAll
    static void safetyNet() {
        TestSupport.killLeftovers();
    }

    private Agent startAgent(Map<String, String> extra) {
        Map<String, String> flags = new HashMap<>(Map.of(
                "agent.coordinator", coordinator.url(),
                "agent.work-dir", work.toString(),
                "agent.cpus", "2", "agent.mem-mb", "1024", "agent.disk-mb", "2048",
                "agent.attributes", "rack=r1,zone=z9",
                "agent.reconnect.initial-backoff", "50ms", "agent.reconnect.max-backoff", "200ms"));
        flags.putAll(extra);
        agent = Agent.start(AgentConfig.from(Config.load(AgentSettings.ALL, null, Map.of(), flags)));
        return agent;
    }

    private static List<TaskState> states(List<StatusUpdate> updates) {
        return updates.stream().map(StatusUpdate::state).toList();
    }

    @Test
    void registersWithItsIdentityCapacityAndIsolation() {
        startAgent(Map.of());
        await().atMost(T).until(() -> !coordinator.received(AgentMessage.Register.class).isEmpty());
        AgentMessage.Register r = coordinator.received(AgentMessage.Register.class).get(0);
        assertThat(r.agentId()).isEqualTo(agent.id()).isNotBlank();
        assertThat(r.httpUrl()).isEqualTo(agent.httpUrl()).isEqualTo("http://127.0.0.1:" + agent.httpPort());
        assertThat(r.host()).isNotBlank();
        assertThat(r.total()).isEqualTo(new Resources(2, 1024, 2048, 0));
        assertThat(r.attributes()).containsExactlyInAnyOrderEntriesOf(Map.of("rack", "r1", "zone", "z9"));
        assertThat(r.isolation()).isEqualTo(agent.isolation()).endsWith("env-scan");
        assertThat(r.version()).isNotBlank();
        assertThat(r.running()).isEmpty();
        await().atMost(T).until(agent::connected);
    }

    @Test
    void theChannelLeavesFromTheConfiguredLocalAddress() {
        // without agent.local-address a socket to 127.0.0.1 leaves from 127.0.0.1; with it, from that address
        startAgent(Map.of("agent.local-address", "127.0.0.41"));
        await().atMost(T).until(agent::connected);
        assertThat(coordinator.remoteHosts).isNotEmpty().allMatch("127.0.0.41"::equals);
    }

    @Test
    void heartbeatsArriveAtTheIntervalTheCoordinatorAsked() {
        startAgent(Map.of());
        await().atMost(T).until(() -> coordinator.received(AgentMessage.Heartbeat.class).size() >= 3);
        assertThat(coordinator.received(AgentMessage.Heartbeat.class))
                .allSatisfy(h -> {
                    assertThat(h.agentId()).isEqualTo(agent.id());
                    assertThat(h.runningAttempts()).isZero();
                });
    }

    @Test
    void aLaunchIsReportedStagingToFinishedWithIncreasingSeqAndADuplicateIsIgnored() {
        startAgent(Map.of());
        await().atMost(T).until(agent::connected);
        var launch = TestSupport.launch(JobSpec.shell("echo hi").id("hello").build());
        coordinator.send(launch);
        coordinator.send(launch);
        await().atMost(T).until(() -> coordinator.updates(launch.attemptId()).stream().anyMatch(u -> u.state().isTerminal()));
        coordinator.send(launch); // after the end, too
        await().atMost(T).until(() -> coordinator.received(AgentMessage.Heartbeat.class).size() >= 3);

        List<StatusUpdate> updates = coordinator.updates(launch.attemptId());
        assertThat(states(updates)).containsExactly(TaskState.STAGING, TaskState.FETCHING, TaskState.RUNNING, TaskState.FINISHED);
        assertThat(updates).extracting(StatusUpdate::seq).isSorted().doesNotHaveDuplicates();
        StatusUpdate last = updates.get(3);
        assertThat(last.reason()).isEqualTo(Reason.EXIT_CODE);
        assertThat(last.exitCode()).isZero();
        assertThat(last.taskId()).isEqualTo(launch.taskId());
        assertThat(last.time()).isNotNull();
    }

    @Test
    void unacknowledgedUpdatesAreResentAfterAReconnectAndAnAckStopsThat() {
        coordinator.autoAck = false;
        startAgent(Map.of());
        await().atMost(T).until(agent::connected);
        var launch = TestSupport.launch(JobSpec.command("/bin/true").id("resend").build());
        coordinator.send(launch);
        await().atMost(T).until(() -> coordinator.updates(launch.attemptId()).size() == 4);
        List<Long> seqs = coordinator.updates(launch.attemptId()).stream().map(StatusUpdate::seq).toList();

        int mark = coordinator.received.size();
        coordinator.drop();
        await().atMost(T).until(() -> coordinator.connections.get() == 2 && agent.connected());
        await().atMost(T).until(() -> coordinator.since(mark).filter(StatusUpdate.class::isInstance).count() == 4);
        assertThat(coordinator.since(mark).filter(StatusUpdate.class::isInstance).map(m -> ((StatusUpdate) m).seq()))
                .containsExactlyElementsOf(seqs);
        // the new connection starts with Register, before any update is resent (a heartbeat the old connection sent
        // just before it dropped may come first)
        assertThat(coordinator.since(mark).dropWhile(AgentMessage.Heartbeat.class::isInstance).findFirst()).get()
                .isInstanceOf(AgentMessage.Register.class);

        coordinator.send(new CoordinatorMessage.Ack(seqs.get(3)));
        // The ack is processed in order on the channel: once a later heartbeat arrives, it has been applied.
        int afterAck = coordinator.received.size();
        await().atMost(T).until(() -> coordinator.since(afterAck).anyMatch(AgentMessage.Heartbeat.class::isInstance));
        int mark2 = coordinator.received.size();
        coordinator.drop();
        await().atMost(T).until(() -> coordinator.connections.get() == 3 && agent.connected());
        await().atMost(T).until(() -> coordinator.since(mark2).filter(AgentMessage.Heartbeat.class::isInstance).count() >= 2);
        assertThat(coordinator.since(mark2).filter(StatusUpdate.class::isInstance)).isEmpty();
    }

    @Test
    void aKillStopsTheAttemptAndAKillForAnUnknownAttemptIsIgnored() {
        startAgent(Map.of());
        await().atMost(T).until(agent::connected);
        var launch = TestSupport.launch(JobSpec.command("sleep", "60").id("victim").build());
        coordinator.send(launch);
        await().atMost(T).until(() -> states(coordinator.updates(launch.attemptId())).contains(TaskState.RUNNING));
        assertThat(agent.runningAttempts()).containsExactly(launch.attemptId());
        await().atMost(T).until(() -> coordinator.received(AgentMessage.Heartbeat.class).stream().anyMatch(h -> h.runningAttempts() == 1));

        coordinator.send(new CoordinatorMessage.Kill("no.such.attempt", Duration.ofSeconds(1), Reason.KILLED_BY_USER));
        coordinator.send(new CoordinatorMessage.Kill(launch.attemptId(), Duration.ofSeconds(1), Reason.KILLED_BY_USER));
        await().atMost(T).until(() -> coordinator.updates(launch.attemptId()).stream().anyMatch(u -> u.state().isTerminal()));
        StatusUpdate end = coordinator.updates(launch.attemptId()).get(3);
        assertThat(end.state()).isEqualTo(TaskState.KILLED);
        assertThat(end.reason()).isEqualTo(Reason.KILLED_BY_USER);
        assertThat(coordinator.updates("no.such.attempt")).isEmpty();
        assertThat(agent.runningAttempts()).isEmpty();
        assertThat(TestSupport.markedProcesses(launch.attemptId())).isEmpty();
    }

    @Test
    void malformedFramesAreIgnoredAndTheChannelStaysUp() {
        startAgent(Map.of());
        await().atMost(T).until(agent::connected);
        coordinator.sendRaw("not json at all");
        coordinator.sendRaw("{\"type\":\"bogus\"}");
        coordinator.sendRaw("{\"type\":\"launch\",\"attemptId\":\"x\"}");
        var launch = TestSupport.launch(JobSpec.command("/bin/true").id("after").build());
        coordinator.send(launch);
        await().atMost(T).until(() -> coordinator.updates(launch.attemptId()).stream().anyMatch(u -> u.state() == TaskState.FINISHED));
        assertThat(coordinator.connections.get()).isEqualTo(1);
        // The structurally valid but spec-less launch was refused, not half-started.
        assertThat(states(coordinator.updates("x"))).containsExactly(TaskState.FAILED);
        assertThat(coordinator.updates("x").get(0).reason()).isEqualTo(Reason.LAUNCH_FAILED);
        assertThat(agent.runningAttempts()).isEmpty();
    }

    @Test
    void aRejectedAgentRetriesWithBackoffUntilAccepted() {
        coordinator.reject = "not today";
        startAgent(Map.of());
        await().atMost(T).until(() -> coordinator.received(AgentMessage.Register.class).size() >= 3);
        assertThat(agent.connected()).isFalse();
        coordinator.reject = null;
        await().atMost(T).until(agent::connected);
    }

    @Test
    void stopWithKillTasksKillsRunningAttemptsAndReportsThemBeforeLeaving() {
        startAgent(Map.of());
        await().atMost(T).until(agent::connected);
        var launch = TestSupport.launch(JobSpec.command("sleep", "60").id("shutdown").build());
        coordinator.send(launch);
        await().atMost(T).until(() -> states(coordinator.updates(launch.attemptId())).contains(TaskState.RUNNING));

        agent.stop(true);

        StatusUpdate end = coordinator.updates(launch.attemptId()).get(3);
        assertThat(end.state()).isEqualTo(TaskState.KILLED);
        assertThat(end.reason()).isEqualTo(Reason.AGENT_SHUTDOWN);
        assertThat(TestSupport.markedProcesses(launch.attemptId())).isEmpty();
    }

    @Test
    void theIdAndSeqSurviveARestart() {
        startAgent(Map.of());
        await().atMost(T).until(agent::connected);
        var launch = TestSupport.launch(JobSpec.command("/bin/true").id("before").build());
        coordinator.send(launch);
        await().atMost(T).until(() -> coordinator.updates(launch.attemptId()).size() == 4);
        String id = agent.id();
        long lastSeq = coordinator.updates(launch.attemptId()).get(3).seq();
        agent.close();

        startAgent(Map.of());
        assertThat(agent.id()).isEqualTo(id);
        await().atMost(T).until(agent::connected);
        var again = TestSupport.launch(JobSpec.command("/bin/true").id("after").build());
        coordinator.send(again);
        await().atMost(T).until(() -> coordinator.updates(again.attemptId()).size() == 4);
        assertThat(coordinator.updates(again.attemptId()).get(0).seq()).isGreaterThan(lastSeq);
    }

    @Test
    void closeLeavesTasksRunningAndTheNextAgentReattachesToThem() {
        startAgent(Map.of());
        await().atMost(T).until(agent::connected);
        var launch = TestSupport.launch(JobSpec.command("sleep", "60").id("detached").build());
        coordinator.send(launch);
        await().atMost(T).until(() -> states(coordinator.updates(launch.attemptId())).contains(TaskState.RUNNING));
        // RUNNING may be reported while the wrapper is still forking the task: wait until the tree is settled
        List<List<Long>> seen = new ArrayList<>();
        await().atMost(T).pollInterval(Duration.ofMillis(200)).until(() -> {
            seen.add(TestSupport.markedProcesses(launch.attemptId()));
            return seen.size() >= 2 && seen.get(seen.size() - 1).equals(seen.get(seen.size() - 2));
        });
        List<Long> pids = seen.get(seen.size() - 1);

        agent.close(); // agent.kill-tasks-on-stop defaults to false
        assertThat(TestSupport.markedProcesses(launch.attemptId())).containsExactlyInAnyOrderElementsOf(pids);
        assertThat(states(coordinator.updates(launch.attemptId()))).doesNotContain(TaskState.KILLED);

        int registers = coordinator.received(AgentMessage.Register.class).size();
        startAgent(Map.of());
        await().atMost(T).until(() -> coordinator.received(AgentMessage.Register.class).size() > registers);
        assertThat(coordinator.received(AgentMessage.Register.class).get(registers).running())
                .containsExactly(launch.attemptId());
        assertThat(agent.runningAttempts()).containsExactly(launch.attemptId());
        await().atMost(T).until(agent::connected);

        coordinator.send(new CoordinatorMessage.Kill(launch.attemptId(), Duration.ofSeconds(5), Reason.KILLED_BY_USER));
        await().atMost(T).until(() -> coordinator.updates(launch.attemptId()).stream().anyMatch(u -> u.state().isTerminal()));
        StatusUpdate end = coordinator.updates(launch.attemptId()).get(coordinator.updates(launch.attemptId()).size() - 1);
        assertThat(end.state()).isEqualTo(TaskState.KILLED);
        assertThat(end.exitCode()).isEqualTo(143);
        assertThat(TestSupport.markedProcesses(launch.attemptId())).isEmpty();
    }

    @Test
    void commandsOfAnOlderEpochAreIgnoredAndTheEpochIsKept() throws Exception {
        coordinator.epoch = 5;
        startAgent(Map.of());
        await().atMost(T).until(agent::connected);
        await().atMost(T).until(() -> agent.leaderEpoch() == 5);

        var old = TestSupport.launch(JobSpec.command("/bin/true").id("fenced").build());
        coordinator.send(withEpoch(old, 4));
        coordinator.send(old); // epoch 0: only while no epoch has been seen
        var current = TestSupport.launch(JobSpec.command("sleep", "60").id("current").build());
        coordinator.send(withEpoch(current, 5));
        await().atMost(T).until(() -> states(coordinator.updates(current.attemptId())).contains(TaskState.RUNNING));
        coordinator.send(new CoordinatorMessage.Kill(current.attemptId(), Duration.ZERO, Reason.KILLED_BY_USER, 4));
        int mark = coordinator.received.size();
        await().atMost(T).until(() -> coordinator.since(mark).filter(AgentMessage.Heartbeat.class::isInstance).count() >= 3);

        assertThat(coordinator.updates(old.attemptId())).isEmpty();
        assertThat(agent.runningAttempts()).containsExactly(current.attemptId());
        await().atMost(T).until(() -> java.nio.file.Files.exists(work.resolve(Fencing.FILE)));
        assertThat(java.nio.file.Files.readString(work.resolve(Fencing.FILE)).trim()).isEqualTo("5");

        coordinator.send(new CoordinatorMessage.Kill(current.attemptId(), Duration.ZERO, Reason.KILLED_BY_USER, 6));
        await().atMost(T).until(() -> states(coordinator.updates(current.attemptId())).contains(TaskState.KILLED));

        coordinator.send(withEpoch(current, 5)); // a duplicate
        // the agent's own record of who launched what under which epoch
        await().atMost(T).until(() -> LaunchRecord.read(work).size() == 4);
        assertThat(LaunchRecord.read(work)).extracting(e -> e.attemptId() + " " + e.epoch() + " " + e.verdict()).containsExactly(
                old.attemptId() + " 4 fenced", old.attemptId() + " 0 fenced", current.attemptId() + " 5 launched",
                current.attemptId() + " 5 ignored");
    }

    @Test
    void aDeposedLeaderWithAnOlderEpochDoesNotGetTheAgent() throws Exception {
        coordinator.epoch = 7;
        startAgent(Map.of());
        await().atMost(T).until(() -> agent.leaderEpoch() == 7);
        coordinator.epoch = 6; // the same address now answers as an older leader
        int registers = coordinator.received(AgentMessage.Register.class).size();
        coordinator.drop();
        await().atMost(T).until(() -> coordinator.received(AgentMessage.Register.class).size() >= registers + 2);
        assertThat(agent.connected()).isFalse();
        coordinator.epoch = 8;
        await().atMost(T).until(agent::connected);
        assertThat(agent.leaderEpoch()).isEqualTo(8);
    }

    @Test
    void severalCoordinatorsAreTriedInTurn() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (TestCoordinator second = new TestCoordinator()) {
            startAgent(Map.of("agent.coordinator", "http://127.0.0.1:" + closedPort + "," + second.url()));
            await().atMost(T).until(agent::connected);
            assertThat(agent.registeredWith().toString()).isEqualTo(second.url());
            assertThat(second.received(AgentMessage.Register.class)).hasSize(1);

            // the second goes away: the agent moves on to the next in turn (the first, here)
            coordinator.close();
            coordinator = new TestCoordinator();
            agent.stop(true);
            startAgent(Map.of("agent.coordinator", second.url() + "," + coordinator.url()));
            await().atMost(T).until(agent::connected);
            assertThat(agent.registeredWith().toString()).isEqualTo(second.url());
            second.reject = "shutting down";
            second.drop();
            await().atMost(T).until(() -> agent.connected() && coordinator.url().equals(String.valueOf(agent.registeredWith())));
        }
    }

    @Test
    void aRejectionThatNamesTheLeaderIsFollowed() throws Exception {
        try (TestCoordinator leader = new TestCoordinator()) {
            coordinator.reject = "not the leader";
            coordinator.leaderUrl = leader.url();
            startAgent(Map.of("agent.reconnect.initial-backoff", "50ms", "agent.reconnect.max-backoff", "10s"));
            await().atMost(T).until(agent::connected);
            assertThat(agent.registeredWith().toString()).isEqualTo(leader.url());
            assertThat(coordinator.received(AgentMessage.Register.class)).hasSize(1);
            assertThat(leader.received(AgentMessage.Register.class)).hasSize(1);
        }
    }

    @Test
    void aLeaderUrlThatIsNotHttpIsNotFollowed() {
        coordinator.reject = "not the leader";
        coordinator.leaderUrl = "file:///etc/passwd";
        startAgent(Map.of());
        await().atMost(T).until(() -> coordinator.received(AgentMessage.Register.class).size() >= 3);
        assertThat(agent.connected()).isFalse();
    }

    @Test
    void anAgentHoldingACredentialIgnoresARegisteredThatDoesNotProveTheCoordinatorKnowsIt() throws Exception {
        String credential = io.nightshift.api.protocol.AgentProof.newCredential();
        java.nio.file.Files.createDirectories(work);
        java.nio.file.Files.writeString(work.resolve("agent-credential"), credential + "\n");
        coordinator.epoch = 1_000_000; // a forged Registered that would fence out the real leader
        startAgent(Map.of());
        await().atMost(T).until(() -> coordinator.received(AgentMessage.Register.class).size() >= 2);
        assertThat(agent.connected()).isFalse();
        assertThat(coordinator.received(AgentMessage.Heartbeat.class)).isEmpty();
        assertThat(coordinator.presented).allMatch(credential::equals);

        coordinator.epoch = 3;
        coordinator.credential = credential; // the real coordinator proves itself
        await().atMost(T).until(() -> agent.connected());
        // the forged epoch was never taken: the highest epoch the agent keeps is the real leader's
        java.nio.file.Path epochFile = work.resolve(Fencing.FILE);
        await().atMost(T).until(() -> java.nio.file.Files.isRegularFile(epochFile)
                && java.nio.file.Files.readString(epochFile).strip().equals("3"));
    }

    @Test
    void aCredentialIssuedAtTheFirstRegistrationIsKeptForTheOwnerOnlyAndPresentedOnReconnect() throws Exception {
        String credential = io.nightshift.api.protocol.AgentProof.newCredential();
        coordinator.issue = credential;
        coordinator.credential = credential;
        startAgent(Map.of());
        await().atMost(T).until(() -> agent.connected());
        java.nio.file.Path file = work.resolve("agent-credential");
        assertThat(java.nio.file.Files.readString(file).strip()).isEqualTo(credential);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(coordinator.presented.get(0)).isEmpty();
        coordinator.issue = null;
        coordinator.drop();
        await().atMost(T).until(() -> coordinator.presented.size() >= 2 && agent.connected());
        assertThat(coordinator.presented.get(coordinator.presented.size() - 1)).isEqualTo(credential);
    }

    private static CoordinatorMessage.Launch withEpoch(CoordinatorMessage.Launch l, long epoch) {
        return new CoordinatorMessage.Launch(l.jobId(), l.runId(), l.taskId(), l.attemptId(), l.attemptNumber(), l.spec(), epoch);
    }
}
