package io.nightshift.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An agent in its own JVM ({@code io.nightshift.agent.AgentMain}) on the current classpath, for
 * tests that kill agents for real. Its output goes to {@code <workDir>.log}.
 */
public final class AgentProcess implements AutoCloseable {
    private final Process process;
    private final String id;
    private final Path log;

    private AgentProcess(Process process, String id, Path log) {
        this.process = process;
        this.id = id;
        this.log = log;
    }

    public static AgentProcess start(URI coordinator, String id, Path workDir, String... extraFlags) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.nightshift.agent.AgentMain", "--coordinator", coordinator.toString(), "--id", id,
                "--work-dir", workDir.toString()));
        cmd.addAll(List.of(extraFlags));
        Path log = Path.of(workDir + ".log");
        try {
            Files.createDirectories(workDir.getParent());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new AgentProcess(p, id, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start agent process", e);
        }
    }

    public String id() {
        return id;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9: the agent gets no chance to clean up. */
    public void killHard() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) killHard();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
