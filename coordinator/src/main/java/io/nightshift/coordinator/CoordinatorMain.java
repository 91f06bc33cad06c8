package io.nightshift.coordinator;

import io.nightshift.api.config.Config;
import io.nightshift.api.config.ConfigException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a coordinator in its own JVM until SIGTERM (used by tests that kill coordinators for real;
 * the real CLI is {@code nightshift coordinator}). Flags map to settings by name without the
 * {@code coordinator.} prefix: {@code --port 0}, {@code --data-dir DIR}, {@code --cluster-name N},
 * {@code --state.jdbc-url URL}, ... Once serving it prints {@code nightshift-coordinator ready <url>}.
 */
public final class CoordinatorMain {
    private CoordinatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Coordinator coordinator;
        try {
            coordinator = Coordinator.start(CoordinatorConfig.from(
                    Config.load(CoordinatorSettings.ALL, null, System.getenv(), flags(args))));
        } catch (IllegalArgumentException | ConfigException e) {
            System.err.println("nightshift-coordinator: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            coordinator.close();
            stopped.countDown();
        }, "nightshift-coordinator-shutdown"));
        System.out.println("nightshift-coordinator ready " + coordinator.url());
        System.out.flush();
        stopped.await();
    }

    static Map<String, String> flags(String[] args) {
        return Config.flags("coordinator", CoordinatorSettings.ALL, args);
    }
}
