package io.nightshift.agent;

import io.nightshift.agent.TestSupport.RecordingSink;
import io.nightshift.agent.TestSupport.Report;
import io.nightshift.agent.process.Isolation;
import io.nightshift.agent.process.ProcTable;
import io.nightshift.agent.process.Supervisor;
import io.nightshift.agent.runner.Runners;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.state.Reason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** Attempts wired to real processes and a recording sink, without Vert.x or a coordinator. */
public final class AttemptsHarness implements AutoCloseable {
    public static final String AGENT_SECRET = "AGENT_ONLY_SECRET";

    public final RecordingSink sink = new RecordingSink();
    public final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(2);
    public final Isolation isolation;
    public final Attempts attempts;
    public final Path sandboxes;

    public AttemptsHarness(Path workDir, boolean cgroups) {
        this(workDir, cgroups, null);
    }

    /** {@code stager}: how artifacts are fetched; null for an agent that fetches none. */
    public AttemptsHarness(Path workDir, boolean cgroups, io.nightshift.connectors.stage.ArtifactStager stager) {
        this(workDir, cgroups, stager, ProcTable.SYSTEM);
    }

    /** {@code procs}: the process table the supervisor reads (one of its own lets a test count its readings). */
    public AttemptsHarness(Path workDir, boolean cgroups, io.nightshift.connectors.stage.ArtifactStager stager,
                           ProcTable procs) {
        this.isolation = Isolation.detect(cgroups);
        this.sandboxes = workDir.resolve("sandboxes");
        Map<String, String> agentEnv = new HashMap<>(System.getenv());
        agentEnv.put(AGENT_SECRET, "must-not-reach-tasks");
        this.attempts = new Attempts(sandboxes, Runners.defaults(), new Supervisor(isolation, procs, scheduler),
                sink, scheduler, agentEnv, Path.of(System.getProperty("java.home")), java.time.Clock.systemUTC(), stager);
    }

    /** Launches and waits for the terminal report. */
    public Report run(Launch launch, Duration timeout) {
        attempts.launch(launch);
        return awaitTerminal(launch.attemptId(), timeout);
    }

    public Report awaitTerminal(String attemptId, Duration timeout) {
        await().atMost(timeout).until(() -> sink.terminal(attemptId) != null);
        return sink.terminal(attemptId);
    }

    /** The leader pid from the RUNNING report ("pid N"). */
    public long awaitRunningPid(String attemptId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.reports.stream()
                .anyMatch(r -> r.attemptId().equals(attemptId) && r.state() == io.nightshift.api.state.TaskState.RUNNING));
        return sink.reports.stream()
                .filter(r -> r.attemptId().equals(attemptId) && r.state() == io.nightshift.api.state.TaskState.RUNNING)
                .map(r -> Long.parseLong(r.message().replace("pid ", ""))).findFirst().orElseThrow();
    }

    private boolean detached;

    /** Like an agent stopped with stop(false): stops supervising, leaves every process running. */
    public void detach() {
        detached = true;
        attempts.detach();
        scheduler.shutdownNow();
    }

    @Override
    public void close() throws Exception {
        if (detached) return;
        try {
            attempts.killAll(Reason.AGENT_SHUTDOWN, Duration.ofSeconds(1)).get(30, TimeUnit.SECONDS);
        } finally {
            scheduler.shutdownNow();
        }
    }
}
