package io.nightshift.testkit;

import io.nightshift.agent.spark.SparkSettings;
import java.util.Optional;

import io.nightshift.agent.Agent;
import io.nightshift.agent.AgentConfig;
import io.nightshift.agent.AgentSettings;
import io.nightshift.api.config.Config;
import io.nightshift.api.config.Setting;
import io.nightshift.coordinator.Coordinator;
import io.nightshift.coordinator.CoordinatorConfig;
import io.nightshift.coordinator.CoordinatorSettings;
import io.nightshift.coordinator.auth.Authenticator;
import io.nightshift.coordinator.auth.Roles;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * A real cluster in one process: a coordinator (embedded Hazelcast, REST API) and N agents that
 * run tasks as real child processes. Used by {@code nightshift local|demo|bench} and by tests.
 * The agents' work directories live beside the coordinator's data directory.
 */
public final class LocalCluster implements AutoCloseable {
    private final Coordinator coordinator;
    private final List<Agent> agents = new CopyOnWriteArrayList<>();
    private final Config config;
    private final String agentToken;

    private LocalCluster(Config config, int agentCount) {
        this(config, agentCount, null);
    }

    /** {@code schedulerClock} null: the coordinator's own (the system's, or {@code coordinator.clock.start}'s). */
    private LocalCluster(Config config, int agentCount, java.time.Clock schedulerClock) {
        this.config = config;
        CoordinatorConfig cfg = CoordinatorConfig.from(config);
        this.coordinator = schedulerClock == null ? Coordinator.start(cfg) : Coordinator.start(cfg, schedulerClock);
        try {
            this.agentToken = coordinator.auth() == null ? null : joinToken(coordinator, config.get(CoordinatorSettings.DATA_DIR));
            for (int i = 1; i <= agentCount; i++) addAgent();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The join token of this cluster's own agents: kept in {@code <dataDir>/agent.token} (0600) and
     * created (role agent) on the first start, so a restart on the same directory reuses it.
     */
    private static String joinToken(Coordinator c, Path dataDir) {
        Path file = dataDir.resolve("agent.token");
        var existing = Authenticator.readTokenFile(file);
        if (existing.isPresent() && c.auth().store().verify(existing.get()).isPresent()) return existing.get();
        String token = c.auth().store().create("local-agents", List.of(Roles.AGENT), "local", java.time.Instant.now()).token();
        Authenticator.writePrivate(file, token);
        return token;
    }

    /** Every setting a local cluster understands: the coordinator's and the agent's. */
    public static List<Setting<?>> settings() {
        return Stream.concat(CoordinatorSettings.ALL.stream(), AgentSettings.ALL.stream()).toList();
    }

    public static LocalCluster start(Config config, int agents) {
        return new LocalCluster(config, agents);
    }

    /** A cluster whose coordinator schedules on {@code schedulerClock} (tests of windows); the agents keep real time. */
    public static LocalCluster start(Config config, int agents, java.time.Clock schedulerClock) {
        return new LocalCluster(config, agents, schedulerClock);
    }

    /** A cluster for tests: ports 0, data under {@code dir}, a Hazelcast cluster name of its own. */
    public static LocalCluster forTest(Path dir, int agents) {
        return start(testConfig(dir), agents);
    }

    public static Config testConfig(Path dir) {
        return Config.defaults(settings())
                .with(CoordinatorSettings.PORT, "0")
                .with(CoordinatorSettings.DATA_DIR, dir.resolve("coordinator").toString())
                .with(CoordinatorSettings.CLUSTER_NAME, "test-" + java.util.UUID.randomUUID().toString().substring(0, 8))
                .with(AgentSettings.WORK_DIR, dir.resolve("agent").toString());
    }

    /**
     * Starts one more in-process agent (id {@code local-N}, work dir {@code <agent.work-dir>-N} after the
     * first) and returns once it has registered (or after 30 s).
     */
    public synchronized Agent addAgent() {
        return addAgent(java.util.function.UnaryOperator.identity());
    }

    /**
     * The same with settings of its own: {@code settings} changes the agent's config before it starts (its pool,
     * its cpus, how often it samples its owners' load), after the id and the work dir have been set.
     */
    public synchronized Agent addAgent(java.util.function.UnaryOperator<Config> settings) {
        int n = agents.size() + 1;
        Config c = config.with(AgentSettings.COORDINATOR, coordinator.url().toString());
        Optional<SparkHome> spark = config.get(SparkSettings.HOMES).isBlank() ? SparkHome.local() : Optional.empty();
        if (spark.isPresent()) c = c.with(SparkSettings.HOMES, spark.get().setting()); // the Spark home this build assembled
        if (agentToken != null && config.get(AgentSettings.TOKEN) == null) c = c.with(AgentSettings.TOKEN, agentToken);
        if (config.get(AgentSettings.ID) == null || n > 1) c = c.with(AgentSettings.ID, "local-" + n);
        if (n > 1) c = c.with(AgentSettings.WORK_DIR, config.get(AgentSettings.WORK_DIR) + "-" + n);
        var tls = coordinator.tls();
        if (tls != null && c.get(io.nightshift.agent.security.AgentSecuritySettings.TLS_CERT_FILE) == null) {
            // local agents serve their logs over https with the coordinator's pair and trust the coordinator's CA
            c = c.with(io.nightshift.agent.security.AgentSecuritySettings.TLS_CERT_FILE, tls.cert().toString())
                    .with(io.nightshift.agent.security.AgentSecuritySettings.TLS_KEY_FILE, tls.key().toString());
            if (c.get(io.nightshift.agent.security.AgentSecuritySettings.TLS_CA_FILE) == null)
                c = c.with(io.nightshift.agent.security.AgentSecuritySettings.TLS_CA_FILE,
                        (coordinator.config().tlsCaFile() != null ? coordinator.config().tlsCaFile() : tls.cert()).toString());
        }
        Agent agent = Agent.start(AgentConfig.from(settings.apply(c)));
        agents.add(agent);
        // A local cluster is ready when its agents are: wait (bounded) for the registration.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (!agent.connected() && System.nanoTime() < deadline) java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        return agent;
    }

    public URI url() {
        return coordinator.url();
    }

    /** The admin token ({@code <coordinator.data-dir>/admin.token}); null when auth is off. */
    public String adminToken() {
        return coordinator.adminToken();
    }

    /** The join token this cluster's agents use (role agent); null when auth is off. */
    public String agentToken() {
        return agentToken;
    }

    public Coordinator coordinator() {
        return coordinator;
    }

    public List<Agent> agents() {
        return List.copyOf(agents);
    }

    @Override
    public void close() {
        List<RuntimeException> errors = new ArrayList<>();
        for (Agent a : agents) {
            try {
                a.stop(true);
            } catch (RuntimeException e) {
                errors.add(e);
            }
        }
        if (coordinator != null) coordinator.close();
        if (!errors.isEmpty()) throw errors.get(0);
    }
}
