package io.nightshift.coordinator.state.jdbc;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.Map;

/**
 * Real Hazelcast members for the tests, wired as the coordinator will be: each state map writes
 * through (write delay 0) to the database's stores and loads eagerly. Loopback only, a cluster
 * name of their own, no discovery, ports by auto-increment.
 */
final class HazelcastMembers {
    private HazelcastMembers() {
    }

    static HazelcastInstance start(String clusterName, Database db) {
        Config hc = new Config();
        hc.setClusterName(clusterName);
        hc.setProperty("hazelcast.phone.home.enabled", "false");
        hc.setProperty("hazelcast.logging.type", "slf4j");
        hc.setProperty("hazelcast.shutdownhook.enabled", "false");
        hc.setProperty("hazelcast.local.localAddress", "127.0.0.1");
        hc.getJetConfig().setEnabled(false);
        NetworkConfig net = hc.getNetworkConfig();
        net.setPort(5701).setPortAutoIncrement(true).setPortCount(200);
        net.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(false);
        for (Map.Entry<String, Object> e : Map.<String, Object>of(
                Tables.JOBS_MAP, db.jobs(), Tables.RUNS_MAP, db.runs(), Tables.TASKS_MAP, db.tasks(),
                Tables.AGENTS_MAP, db.agents(), Tables.IDEMPOTENCY_MAP, db.idempotency(), Tables.POOLS_MAP, db.pools(),
                Tables.POOL_PROFILES_MAP, db.poolProfiles(), Tables.RUNTIMES_MAP, db.runtimes()).entrySet()) {
            hc.addMapConfig(new MapConfig(e.getKey()).setMapStoreConfig(new MapStoreConfig()
                    .setEnabled(true)
                    .setImplementation(e.getValue())
                    .setWriteDelaySeconds(0)
                    .setInitialLoadMode(MapStoreConfig.InitialLoadMode.EAGER)));
        }
        return Hazelcast.newHazelcastInstance(hc);
    }
}
