package io.nightshift.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A coordinator in its own JVM ({@code io.nightshift.coordinator.CoordinatorMain}) on the current
 * classpath, for tests that kill it for real (kill -9) and start it again on the same data directory.
 */
public final class CoordinatorProcess implements AutoCloseable {
    private final Process process;
    private final URI url;

    private CoordinatorProcess(Process process, URI url) {
        this.process = process;
        this.url = url;
    }

    /** Starts and waits (up to 90 s) until it serves. {@code flags}: setting names without {@code coordinator.}. */
    public static CoordinatorProcess start(Path log, String... flags) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "io.nightshift.coordinator.CoordinatorMain"));
        cmd.addAll(List.of(flags));
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            // Everything it prints goes to the log; the reader keeps draining the pipe for the whole
            // life of the process (a full pipe would block the coordinator's logging).
            CompletableFuture<URI> ready = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                     var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                             StandardOpenOption.APPEND)) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (!ready.isDone() && line.startsWith("nightshift-coordinator ready "))
                            ready.complete(URI.create(line.substring("nightshift-coordinator ready ".length()).trim()));
                        out.write(line);
                        out.newLine();
                        out.flush();
                    }
                } catch (IOException e) {
                    ready.completeExceptionally(e);
                } finally {
                    ready.complete(null);
                }
            }, "coordinator-process-output");
            reader.setDaemon(true);
            reader.start();
            URI url = ready.get(90, TimeUnit.SECONDS);
            if (url == null) throw new IllegalStateException("coordinator exited before serving; see " + log);
            return new CoordinatorProcess(p, url);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start coordinator process (log " + log + "): " + e.getMessage(), e);
        }
    }

    /** A port that was free a moment ago (to restart a coordinator on the same address). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI url() {
        return url;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9: no shutdown hook, no flush, nothing. */
    public void killHard() {
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) killHard();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
