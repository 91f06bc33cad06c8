package io.nightshift.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import io.nightshift.coordinator.state.HazelcastStateStore;
import io.nightshift.coordinator.state.jdbc.Database;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HazelcastAsyncTest {
    @TempDir
    Path dir;

    /**
     * A member as the coordinator starts it (write-through maps over SQLite): 200 durable map writes must not start a
     * thread each. Before the pool, on a 2-core machine (common pool parallelism 1), Hazelcast started one or more
     * threads per write.
     */
    @Test
    void durableMapWritesReuseThreadsInsteadOfStartingOneEach() {
        HazelcastAsync.install();
        try (Database db = Database.open(null, null, null, dir.resolve("data"))) {
            HazelcastInstance hz = Hazelcast.newHazelcastInstance(
                    Coordinator.hazelcastConfig(CoordinatorConfig.from(TestCoordinators.config(dir)), db));
            try {
                hz.getCluster().promoteLocalLiteMember(); // as a coordinator alone on its store does
                IMap<String, String> keys = hz.getMap(HazelcastStateStore.IDEMPOTENCY);
                for (int i = 0; i < 20; i++) keys.setAllAsync(Map.of("warm-" + i, "job-" + i)).toCompletableFuture().join();
                var threads = ManagementFactory.getThreadMXBean();
                long before = threads.getTotalStartedThreadCount();
                for (int i = 0; i < 200; i++) keys.setAllAsync(Map.of("key-" + i, "job-" + i)).toCompletableFuture().join();
                long started = threads.getTotalStartedThreadCount() - before;
                assertThat(started).as("threads started by 200 durable map writes").isLessThan(20);
                assertThat(keys.get("key-199")).isEqualTo("job-199");
            } finally {
                hz.getLifecycleService().terminate();
            }
        }
    }
}
