package io.nightshift.coordinator;

import io.nightshift.api.config.Config;
import java.nio.file.Path;
import java.util.UUID;

/** Coordinators for tests: port 0, their own data dir, a cluster name of their own (never joins another test's). */
public final class TestCoordinators {
    private TestCoordinators() {
    }

    public static Config config(Path dataDir) {
        return Config.defaults(CoordinatorSettings.ALL)
                .with(CoordinatorSettings.PORT, "0")
                .with(CoordinatorSettings.DATA_DIR, dataDir.toString())
                .with(CoordinatorSettings.CLUSTER_NAME, "test-" + UUID.randomUUID().toString().substring(0, 8));
    }

    public static Coordinator start(Path dataDir) {
        return Coordinator.start(CoordinatorConfig.from(config(dataDir)));
    }
}
