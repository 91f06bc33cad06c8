package io.nightshift.coordinator;

import io.nightshift.api.config.Config;
import io.nightshift.api.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** The coordinator's typed settings; built from a {@link Config} over {@link CoordinatorSettings#ALL}. */
public record CoordinatorConfig(
        String host,
        int port,
        Path dataDir,
        String clusterName,
        String hazelcastHost,
        int hazelcastPort,
        List<String> hazelcastMembers,
        Duration heartbeatInterval,
        Duration heartbeatTimeout,
        Duration cycleInterval,
        Duration offerTtl,
        int eventBuffer,
        int apiWorkers,
        String jdbcUrl,
        String jdbcUser,
        String jdbcPassword,
        int jdbcPoolSize,
        String sqliteSynchronous,
        Duration historyRetention,
        Duration historyCompactInterval,
        long eventsKept,
        Duration utilizationInterval,
        Duration utilizationKept,
        boolean authInsecure,
        Duration tokenCache,
        boolean metricsOpen,
        String allowedHosts,
        int maxEventStreams,
        int maxEventStreamsPerToken,
        int maxLogFollows,
        int maxLogFollowsPerToken) {

    /** Most samples of utilization history a coordinator holds (kept / interval). */
    public static final long MAX_UTILIZATION_SAMPLES = 1_000_000;

    /** How many utilization samples cover {@link #utilizationKept}. */
    public int utilizationSamples() {
        return (int) Math.max(1, utilizationKept.toMillis() / utilizationInterval.toMillis());
    }

    @Override
    public String toString() { // never the password
        return "CoordinatorConfig[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", cluster=" + clusterName
                + ", store=" + (jdbcUrl.isBlank() ? "sqlite" : jdbcUrl.replaceAll("\\?.*", "")) + "]";
    }

    public static CoordinatorConfig from(Config c) {
        List<String> members = Arrays.stream(c.get(CoordinatorSettings.HAZELCAST_MEMBERS).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String m : members) {
            if (!m.matches("[A-Za-z0-9.\\-]+(:\\d{1,5})?"))
                throw new ConfigException(CoordinatorSettings.HAZELCAST_MEMBERS.name() + ": '" + m + "' is not HOST or HOST:PORT");
        }
        Duration hbInterval = c.get(CoordinatorSettings.HEARTBEAT_INTERVAL);
        Duration hbTimeout = c.get(CoordinatorSettings.HEARTBEAT_TIMEOUT);
        if (hbTimeout.compareTo(hbInterval.multipliedBy(2)) < 0)
            throw new ConfigException(CoordinatorSettings.HEARTBEAT_TIMEOUT.name() + " must be at least twice "
                    + CoordinatorSettings.HEARTBEAT_INTERVAL.name());
        Duration utilInterval = c.get(CoordinatorSettings.UTILIZATION_INTERVAL);
        Duration utilKept = c.get(CoordinatorSettings.UTILIZATION_KEPT);
        if (utilKept.toMillis() / utilInterval.toMillis() > MAX_UTILIZATION_SAMPLES)
            throw new ConfigException(CoordinatorSettings.UTILIZATION_KEPT.name() + " / " + CoordinatorSettings.UTILIZATION_INTERVAL.name()
                    + " must be at most " + MAX_UTILIZATION_SAMPLES + " samples, got " + utilKept.toMillis() / utilInterval.toMillis());
        if (c.get(CoordinatorSettings.AUTH_INSECURE) && !loopback(c.get(CoordinatorSettings.HOST)))
            throw new ConfigException(CoordinatorSettings.AUTH_INSECURE.name() + " turns authentication off and is allowed only when "
                    + CoordinatorSettings.HOST.name() + " is a loopback address (127.0.0.1, ::1, localhost), not '"
                    + c.get(CoordinatorSettings.HOST) + "'");
        return new CoordinatorConfig(c.get(CoordinatorSettings.HOST), c.get(CoordinatorSettings.PORT),
                c.get(CoordinatorSettings.DATA_DIR), c.get(CoordinatorSettings.CLUSTER_NAME),
                c.get(CoordinatorSettings.HAZELCAST_HOST), c.get(CoordinatorSettings.HAZELCAST_PORT), members,
                hbInterval, hbTimeout, c.get(CoordinatorSettings.CYCLE_INTERVAL), c.get(CoordinatorSettings.OFFER_TTL),
                c.get(CoordinatorSettings.EVENT_BUFFER), c.get(CoordinatorSettings.API_WORKERS),
                c.get(CoordinatorSettings.JDBC_URL), c.get(CoordinatorSettings.JDBC_USER),
                c.get(CoordinatorSettings.JDBC_PASSWORD), c.get(CoordinatorSettings.JDBC_POOL),
                c.get(CoordinatorSettings.SQLITE_SYNC), c.get(CoordinatorSettings.HISTORY_RETENTION),
                c.get(CoordinatorSettings.HISTORY_COMPACT_INTERVAL), c.get(CoordinatorSettings.EVENTS_KEPT),
                utilInterval, utilKept,
                c.get(CoordinatorSettings.AUTH_INSECURE), c.get(CoordinatorSettings.AUTH_TOKEN_CACHE),
                c.get(CoordinatorSettings.METRICS_OPEN), c.get(CoordinatorSettings.ALLOWED_HOSTS),
                c.get(CoordinatorSettings.MAX_EVENT_STREAMS), c.get(CoordinatorSettings.MAX_EVENT_STREAMS_PER_TOKEN),
                c.get(CoordinatorSettings.MAX_LOG_FOLLOWS), c.get(CoordinatorSettings.MAX_LOG_FOLLOWS_PER_TOKEN));
    }

    /** True for an address only this machine can reach (by its literal form; names other than localhost are not resolved). */
    static boolean loopback(String host) {
        String h = host.trim().toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.equals("::1") || h.equals("[::1]") || h.matches("127(\\.\\d{1,3}){3}");
    }

    public static CoordinatorConfig defaults() {
        return from(Config.defaults(CoordinatorSettings.ALL));
    }
}
