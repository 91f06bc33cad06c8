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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A coordinator in its own JVM ({@code io.nightshift.coordinator.CoordinatorMain}) on the current
 * classpath, for tests that kill it for real (kill -9) and start it again on the same data directory.
 */
public final class CoordinatorProcess extends ForkedJvm {
    private final URI url;
    private final Path dataDir;

    private CoordinatorProcess(Process process, URI url, Path dataDir) {
        super(process);
        this.url = url;
        this.dataDir = dataDir;
    }

    /** The value of {@code --data-dir} among {@code flags} (or {@code --data-dir=...}), null when absent. */
    static Path dataDir(String... flags) {
        for (int i = 0; i < flags.length; i++) {
            if (flags[i].equals("--data-dir") && i + 1 < flags.length) return Path.of(flags[i + 1]);
            if (flags[i].startsWith("--data-dir=")) return Path.of(flags[i].substring("--data-dir=".length()));
        }
        return null;
    }

    /**
     * The admin token the coordinator wrote to {@code <data-dir>/admin.token} on the cluster's first
     * start (null when there is none: another coordinator of the cluster wrote it, or auth is off).
     */
    public String adminToken() {
        if (dataDir == null) throw new IllegalStateException("started without --data-dir: no admin.token to read");
        return io.nightshift.coordinator.auth.Authenticator.readTokenFile(dataDir.resolve("admin.token")).orElse(null);
    }

    /** Starts and waits (up to 90 s) until it serves. {@code flags}: setting names without {@code coordinator.}. */
    public static CoordinatorProcess start(Path log, String... flags) {
        List<String> cmd = command("512m", "io.nightshift.coordinator.CoordinatorMain", List.of(flags));
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
            return new CoordinatorProcess(p, url, dataDir(flags));
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
}
