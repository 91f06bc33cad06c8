package io.nightshift.cli;

import io.nightshift.api.config.Config;
import io.nightshift.coordinator.CoordinatorSettings;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the server commands share: picking the port, turning bind failures into one line, serving until Ctrl-C. */
final class Servers {
    private static final Logger log = LoggerFactory.getLogger(Servers.class);

    /** Resource a server command holds until the JVM is asked to stop. */
    interface Stoppable {
        void stop() throws Exception;
    }

    private Servers() {
    }

    /**
     * For {@code local} and {@code demo}: the default port (7070) when it is free, else a free one.
     * A port the user chose (file, env, flag) is kept as is: failing loudly beats surprising them.
     */
    static Config preferDefaultPort(Config config) {
        boolean chosen = config.entries().stream()
                .anyMatch(e -> e.setting() == CoordinatorSettings.PORT && e.source() != Config.Source.DEFAULT);
        int port = config.get(CoordinatorSettings.PORT);
        if (chosen || port == 0 || isFree(config.get(CoordinatorSettings.HOST), port)) return config;
        log.info("port {} is taken; using a free port instead", port);
        return config.with(CoordinatorSettings.PORT, "0");
    }

    static boolean isFree(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts a server; a port already in use becomes one line saying which setting to change. */
    static <T> T start(Supplier<T> starter, Config config) {
        try {
            return starter.get();
        } catch (RuntimeException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof BindException || (c.getMessage() != null && c.getMessage().contains("Address already in use")))
                    throw new CliException(CliException.FAILED, "cannot listen on " + config.get(CoordinatorSettings.HOST) + ":"
                            + config.get(CoordinatorSettings.PORT) + " (address already in use); choose another with "
                            + "--set " + CoordinatorSettings.PORT.name() + "=PORT (0 = any free port)", e);
            }
            throw e;
        }
    }

    /** The log file of {@code local} and {@code demo}: {@code nightshift.log} in the coordinator's data directory. */
    static java.nio.file.Path logFile(Config config) {
        return config.get(CoordinatorSettings.DATA_DIR).resolve("nightshift.log").toAbsolutePath().normalize();
    }

    /** Sends every log line to {@link #logFile} (and the console only with {@code --verbose}); returns the file. */
    static java.nio.file.Path logToFile(Nightshift root) {
        java.nio.file.Path file = logFile(root.config());
        Logging.toFile(file, root.verbose);
        return file;
    }

    /** {@code http://host:port/} — the address people open in a browser. */
    static String browserUrl(URI url) {
        String s = url.toString();
        return s.endsWith("/") ? s : s + "/";
    }

    /** Blocks until the JVM is asked to stop (Ctrl-C, SIGTERM); then stops {@code what} before the JVM exits. */
    static void serveUntilStopped(Stoppable what) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                what.stop();
            } catch (Exception e) {
                log.warn("while stopping: {}", e.toString());
            } finally {
                stopped.countDown();
            }
        }, "nightshift-shutdown"));
        stopped.await();
    }
}
