package io.nightshift.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An agent in its own JVM ({@code io.nightshift.agent.AgentMain}) on the current classpath, for
 * tests that kill agents for real. Its output goes to {@code <workDir>.log}.
 */
public final class AgentProcess extends ForkedJvm {
    private final String id;
    private final Path log;

    private AgentProcess(Process process, String id, Path log) {
        super(process);
        this.id = id;
        this.log = log;
    }

    /** An agent of {@code cluster}, joining with the cluster's agent token (passed in the environment, not argv). */
    public static AgentProcess start(LocalCluster cluster, String id, Path workDir, String... extraFlags) {
        return start(cluster.url(), cluster.agentToken(), id, workDir, extraFlags);
    }

    public static AgentProcess start(URI coordinator, String id, Path workDir, String... extraFlags) {
        return start(coordinator, null, id, workDir, extraFlags);
    }

    /** {@code token}: the join token (agent.token), null for none. */
    public static AgentProcess start(URI coordinator, String token, String id, Path workDir, String... extraFlags) {
        List<String> args = new ArrayList<>(List.of("--coordinator", coordinator.toString(), "--id", id,
                "--work-dir", workDir.toString()));
        args.addAll(List.of(extraFlags));
        List<String> cmd = command("256m", "io.nightshift.agent.AgentMain", args);
        Path log = Path.of(workDir + ".log");
        try {
            Files.createDirectories(workDir.getParent());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            if (token != null) pb.environment().put(io.nightshift.agent.AgentSettings.TOKEN.envName(), token);
            Process p = pb.start();
            return new AgentProcess(p, id, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start agent process", e);
        }
    }

    public String id() {
        return id;
    }

    public Path log() {
        return log;
    }
}
