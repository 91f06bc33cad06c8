package io.nightshift.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nightshift.api.config.Config;
import io.nightshift.coordinator.state.jdbc.Database;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real partition between coordinators: three coordinators on 127.0.0.31-33 (one Hazelcast cluster, one
 * store, quorum 2), and packet filter rules on loopback that drop everything between the leader and the two
 * others. The leader, left alone below its quorum, steps down; the majority elects a leader with a newer
 * epoch that acts only after the old lease ran out; at no moment do two coordinators lead; after the heal the
 * old leader, started afresh, follows. The rules are removed in a finally block.
 */
class PartitionIT {
    static final String[] HOSTS = {"127.0.0.31", "127.0.0.32", "127.0.0.33"};

    @TempDir
    Path dir;

    static int freePort(String host) throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    @Test
    void aLeaderCutOffFromTheOtherCoordinatorsStepsDownAndTheMajorityLeadsWithANewerEpochNeverTwoAtOnce() throws Exception {
        String cluster = "partition-" + UUID.randomUUID().toString().substring(0, 8);
        int[] hz = new int[HOSTS.length];
        for (int i = 0; i < HOSTS.length; i++) hz[i] = freePort(HOSTS[i]);
        List<String> members = new ArrayList<>();
        for (int i = 0; i < HOSTS.length; i++) members.add(HOSTS[i] + ":" + hz[i]);
        Config[] configs = new Config[HOSTS.length];
        for (int i = 0; i < HOSTS.length; i++) {
            configs[i] = TestCoordinators.config(dir.resolve("shared-state")) // one SQLite file on one machine
                    .with(CoordinatorSettings.CLUSTER_NAME, cluster)
                    .with(CoordinatorSettings.HOST, HOSTS[i])
                    .with(CoordinatorSettings.HAZELCAST_HOST, HOSTS[i])
                    .with(CoordinatorSettings.HAZELCAST_PORT, Integer.toString(hz[i]))
                    .with(CoordinatorSettings.HAZELCAST_MEMBERS, String.join(",", members))
                    .with(LeadershipSettings.QUORUM, "2")
                    .with(LeadershipSettings.LEASE, "PT1.5S")
                    .with(LeadershipSettings.RENEW_INTERVAL, "PT0.2S");
        }
        // the coordinators share one data directory: its secrets key exists before they start together
        Path shared = java.nio.file.Files.createDirectories(dir.resolve("shared-state"));
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        java.nio.file.Files.writeString(shared.resolve("secrets.key"), java.util.Base64.getEncoder().encodeToString(key) + "\n");
        java.nio.file.Files.setPosixFilePermissions(shared.resolve("secrets.key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        List<Coordinator> running = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        AtomicInteger mostLeadersAtOnce = new AtomicInteger();
        try (LoopbackFirewall firewall = new LoopbackFirewall(cluster)) {
            // the first two start together (neither leads alone: quorum 2), the third joins
            var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> Coordinator.start(CoordinatorConfig.from(configs[1])));
            running.add(Coordinator.start(CoordinatorConfig.from(configs[0])));
            running.add(second.get(180, TimeUnit.SECONDS));
            running.add(Coordinator.start(CoordinatorConfig.from(configs[2])));
            await().atMost(Duration.ofSeconds(60)).until(() -> running.stream().allMatch(c -> c.memberCount() == 3)
                    && running.stream().filter(Coordinator::isLeader).count() == 1);
            Coordinator leader = running.stream().filter(Coordinator::isLeader).findFirst().orElseThrow();
            List<Coordinator> others = running.stream().filter(c -> c != leader).toList();
            String leaderHost = leader.config().host();
            long oldEpoch;
            try (Database db = Database.open(null, null, null, dir.resolve("shared-state"))) {
                oldEpoch = db.currentEpoch();
            }

            Thread watcher = new Thread(() -> {
                while (watching.get()) {
                    int n = (int) List.copyOf(running).stream().filter(Coordinator::isLeader).count();
                    mostLeadersAtOnce.accumulateAndGet(n, Math::max);
                    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                }
            }, "leader-watcher");
            watcher.setDaemon(true);
            watcher.start();

            for (Coordinator o : others) firewall.cut(leaderHost, o.config().host());
            String why = leader.steppedDown().get(30, TimeUnit.SECONDS);
            assertThat(why).contains("fewer than the quorum of 2");
            await().atMost(Duration.ofSeconds(30)).until(() -> others.stream().anyMatch(Coordinator::isLeader));
            try (Database db = Database.open(null, null, null, dir.resolve("shared-state"))) {
                assertThat(db.currentEpoch()).isGreaterThan(oldEpoch);
            }

            firewall.healAll();
            leader.close();
            running.remove(leader);
            int i = List.of(HOSTS).indexOf(leaderHost);
            Coordinator again = Coordinator.start(CoordinatorConfig.from(configs[i]));
            running.add(again);
            await().atMost(Duration.ofSeconds(60)).until(() -> again.memberCount() == 3);
            assertThat(again.isLeader()).isFalse();
            watching.set(false);
            watcher.join(5_000);
            assertThat(mostLeadersAtOnce.get()).as("coordinators leading at the same moment").isEqualTo(1);
        } finally {
            watching.set(false);
            for (Coordinator c : running) c.close();
        }
    }
}
