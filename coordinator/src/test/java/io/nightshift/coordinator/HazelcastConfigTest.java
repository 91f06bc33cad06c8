package io.nightshift.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.coordinator.state.jdbc.Database;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HazelcastConfigTest {
    @TempDir
    Path dir;

    @Test
    void aHealedPartitionMergesAfterTheConfiguredDelayNotHazelcastsFiveMinutes() {
        try (Database db = Database.open(null, null, null, dir.resolve("data"))) {
            var defaults = Coordinator.hazelcastConfig(CoordinatorConfig.from(TestCoordinators.config(dir)), db);
            assertThat(defaults.getProperty("hazelcast.merge.first.run.delay.seconds")).isEqualTo("5");
            assertThat(defaults.getProperty("hazelcast.merge.next.run.delay.seconds")).isEqualTo("5");

            var slower = Coordinator.hazelcastConfig(CoordinatorConfig.from(TestCoordinators.config(dir)
                    .with(LeadershipSettings.MERGE_DELAY, "90s")), db);
            assertThat(slower.getProperty("hazelcast.merge.first.run.delay.seconds")).isEqualTo("90");
            assertThat(slower.getProperty("hazelcast.merge.next.run.delay.seconds")).isEqualTo("90");
        }
    }
}
