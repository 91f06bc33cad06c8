package io.nightshift.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded Hazelcast member listens on the configured interface only and speaks no client protocol. */
class HazelcastMemberIT {
    @TempDir
    Path dir;

    @Test
    void theMemberPortIsBoundToTheConfiguredInterfaceAndAdmitsNoHazelcastClient() throws Exception {
        try (Coordinator c = TestCoordinators.start(dir)) {
            int port = c.hazelcastAddress().getPort();
            // /proc/net/tcp and tcp6: local address as hex IP:port, state 0A = LISTEN
            String hexPort = String.format(Locale.ROOT, "%04X", port);
            List<String> listening = new java.util.ArrayList<>();
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                Files.readAllLines(Path.of(table)).stream().skip(1).map(l -> l.trim().split("\\s+"))
                        .filter(f -> f[3].equals("0A") && f[1].endsWith(":" + hexPort)).forEach(f -> listening.add(f[1]));
            }
            assertThat(listening).isNotEmpty().allSatisfy(a -> assertThat(a).as("bound to 127.0.0.1, not every interface")
                    .isIn("0100007F:" + hexPort, "0000000000000000FFFF00000100007F:" + hexPort));

            ClientConfig cc = new ClientConfig();
            cc.setClusterName(c.config().clusterName()); // knows the cluster name, as an intruder on the network could
            cc.getNetworkConfig().addAddress("127.0.0.1:" + port);
            cc.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(3000);
            assertThatThrownBy(() -> HazelcastClient.newHazelcastClient(cc).shutdown()).isInstanceOf(IllegalStateException.class);
        }
    }
}
