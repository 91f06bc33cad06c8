package io.nightshift.coordinator;

import io.nightshift.api.config.Config;
import io.nightshift.api.config.ConfigException;
import io.nightshift.coordinator.scheduling.SchedulingPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The coordinator's typed settings: every accessor reads its value from the {@link Config} through the
 * setting's one declaration in {@link CoordinatorSettings} (or {@link SchedulingPolicy}), so a new setting
 * is one declaration plus, where code needs it, one accessor. Cross-setting rules are checked here.
 */
public final class CoordinatorConfig {
    private final Config c;
    private final List<String> hazelcastMembers;
    private final SchedulingPolicy scheduling;
    private final java.time.Instant clockStart;

    private CoordinatorConfig(Config c) {
        this.c = c;
        this.hazelcastMembers = Arrays.stream(c.get(CoordinatorSettings.HAZELCAST_MEMBERS).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String m : hazelcastMembers) {
            if (!m.matches("[A-Za-z0-9.\\-]+(:\\d{1,5})?"))
                throw new ConfigException(CoordinatorSettings.HAZELCAST_MEMBERS.name() + ": '" + m + "' is not HOST or HOST:PORT");
        }
        if (heartbeatTimeout().compareTo(heartbeatInterval().multipliedBy(2)) < 0)
            throw new ConfigException(CoordinatorSettings.HEARTBEAT_TIMEOUT.name() + " must be at least twice "
                    + CoordinatorSettings.HEARTBEAT_INTERVAL.name());
        if (utilizationKept().toMillis() / utilizationInterval().toMillis() > MAX_UTILIZATION_SAMPLES)
            throw new ConfigException(CoordinatorSettings.UTILIZATION_KEPT.name() + " / " + CoordinatorSettings.UTILIZATION_INTERVAL.name()
                    + " must be at most " + MAX_UTILIZATION_SAMPLES + " samples, got "
                    + utilizationKept().toMillis() / utilizationInterval().toMillis());
        if (authInsecure() && !loopback(host()))
            throw new ConfigException(CoordinatorSettings.AUTH_INSECURE.name() + " turns authentication off and is allowed only when "
                    + CoordinatorSettings.HOST.name() + " is a loopback address (127.0.0.1, ::1, localhost), not '" + host() + "'");
        try {
            this.scheduling = SchedulingPolicy.from(c);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("coordinator.scheduler: " + e.getMessage());
        }
        String start = c.get(CoordinatorSettings.CLOCK_START);
        try {
            this.clockStart = start.isBlank() ? null : java.time.Instant.parse(start.trim());
        } catch (java.time.format.DateTimeParseException e) {
            throw new ConfigException(CoordinatorSettings.CLOCK_START.name() + ": expected an ISO-8601 instant such as "
                    + "2026-03-29T00:59:50Z, got '" + (start.length() > 40 ? start.substring(0, 40) + "..." : start) + "'");
        }
    }

    /**
     * The scheduler's clock: the system's, or (tests only) one that reads {@code coordinator.clock.start} the first
     * time it is read (when this member starts to lead) and runs at real speed from there.
     */
    public java.time.Clock schedulerClock() {
        java.time.Clock system = java.time.Clock.systemUTC();
        return clockStart == null ? system : new StartingClock(system, clockStart);
    }

    /** A clock that shows {@code start} at its first reading, then moves with {@code base}. */
    private static final class StartingClock extends java.time.Clock {
        private final java.time.Clock base;
        private final java.time.Instant start;
        private volatile java.time.Duration offset;

        StartingClock(java.time.Clock base, java.time.Instant start) {
            this.base = base;
            this.start = start;
        }

        @Override
        public java.time.ZoneId getZone() {
            return base.getZone();
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return new StartingClock(base.withZone(zone), start);
        }

        @Override
        public java.time.Instant instant() {
            java.time.Instant now = base.instant();
            java.time.Duration o = offset;
            if (o == null) {
                synchronized (this) {
                    if (offset == null) offset = java.time.Duration.between(now, start);
                    o = offset;
                }
            }
            return now.plus(o);
        }
    }

    public static CoordinatorConfig from(Config c) {
        return new CoordinatorConfig(c);
    }

    public static CoordinatorConfig defaults() {
        return from(Config.defaults(CoordinatorSettings.ALL));
    }

    /** The underlying configuration. */
    public Config config() {
        return c;
    }

    public String host() { return c.get(CoordinatorSettings.HOST); }
    public int port() { return c.get(CoordinatorSettings.PORT); }
    public Path dataDir() { return c.get(CoordinatorSettings.DATA_DIR); }
    public String clusterName() { return c.get(CoordinatorSettings.CLUSTER_NAME); }
    public String hazelcastHost() { return c.get(CoordinatorSettings.HAZELCAST_HOST); }
    public int hazelcastPort() { return c.get(CoordinatorSettings.HAZELCAST_PORT); }
    public List<String> hazelcastMembers() { return hazelcastMembers; }
    public Duration heartbeatInterval() { return c.get(CoordinatorSettings.HEARTBEAT_INTERVAL); }
    public Duration heartbeatTimeout() { return c.get(CoordinatorSettings.HEARTBEAT_TIMEOUT); }
    public Duration cycleInterval() { return c.get(CoordinatorSettings.CYCLE_INTERVAL); }
    public int eventBuffer() { return c.get(CoordinatorSettings.EVENT_BUFFER); }
    public int apiWorkers() { return c.get(CoordinatorSettings.API_WORKERS); }
    public String jdbcUrl() { return c.get(CoordinatorSettings.JDBC_URL); }
    public String jdbcUser() { return c.get(CoordinatorSettings.JDBC_USER); }
    public String jdbcPassword() { return c.get(CoordinatorSettings.JDBC_PASSWORD); }
    public int jdbcPoolSize() { return c.get(CoordinatorSettings.JDBC_POOL); }
    public String sqliteSynchronous() { return c.get(CoordinatorSettings.SQLITE_SYNC); }
    public Duration historyRetention() { return c.get(CoordinatorSettings.HISTORY_RETENTION); }
    public Duration historyCompactInterval() { return c.get(CoordinatorSettings.HISTORY_COMPACT_INTERVAL); }
    public long eventsKept() { return c.get(CoordinatorSettings.EVENTS_KEPT); }
    public Duration utilizationInterval() { return c.get(CoordinatorSettings.UTILIZATION_INTERVAL); }
    public Duration utilizationKept() { return c.get(CoordinatorSettings.UTILIZATION_KEPT); }
    public boolean authInsecure() { return c.get(CoordinatorSettings.AUTH_INSECURE); }
    public Duration tokenCache() { return c.get(CoordinatorSettings.AUTH_TOKEN_CACHE); }
    public boolean metricsOpen() { return c.get(CoordinatorSettings.METRICS_OPEN); }
    public String allowedHosts() { return c.get(CoordinatorSettings.ALLOWED_HOSTS); }
    public int maxEventStreams() { return c.get(CoordinatorSettings.MAX_EVENT_STREAMS); }
    public int maxEventStreamsPerToken() { return c.get(CoordinatorSettings.MAX_EVENT_STREAMS_PER_TOKEN); }
    public int maxLogFollows() { return c.get(CoordinatorSettings.MAX_LOG_FOLLOWS); }
    public int maxLogFollowsPerToken() { return c.get(CoordinatorSettings.MAX_LOG_FOLLOWS_PER_TOKEN); }
    public double submitRate() { return c.get(SecuritySettings.SUBMIT_RATE); }
    public int submitBurst() { return c.get(SecuritySettings.SUBMIT_BURST); }
    public int maxQueuedPerQueue() { return c.get(SecuritySettings.MAX_QUEUED); }
    public int maxConnections() { return c.get(SecuritySettings.MAX_CONNECTIONS); }
    public Duration idleTimeout() { return c.get(SecuritySettings.IDLE_TIMEOUT); }
    public Duration leaderLease() { return c.get(LeadershipSettings.LEASE); }
    public Duration leaderRenewInterval() { return c.get(LeadershipSettings.RENEW_INTERVAL); }
    public int leaderQuorum() { return c.get(LeadershipSettings.QUORUM); }
    public Duration mergeDelay() { return c.get(LeadershipSettings.MERGE_DELAY); }
    /** The secrets key file: the setting, or {@code secrets.key} in the data directory. */
    public Path secretsKeyFile() {
        String f = c.get(SecuritySettings.SECRETS_KEY_FILE);
        return f.isBlank() ? dataDir().resolve("secrets.key") : Path.of(f);
    }

    /**
     * The TLS pair the coordinator serves with: the configured files, else (coordinator.tls.self-signed) the
     * generated pair under the data directory, else null (plain http). Both files or neither: else a
     * {@link io.nightshift.api.config.ConfigException}.
     */
    public io.nightshift.coordinator.tls.SelfSigned.Pair tlsPair() {
        Path cert = c.get(SecuritySettings.TLS_CERT_FILE);
        Path key = c.get(SecuritySettings.TLS_KEY_FILE);
        if ((cert == null) != (key == null))
            throw new io.nightshift.api.config.ConfigException(SecuritySettings.TLS_CERT_FILE.name() + " and "
                    + SecuritySettings.TLS_KEY_FILE.name() + " go together: set both for https, or neither");
        if (cert != null) {
            for (Path p : new Path[]{cert, key})
                if (!java.nio.file.Files.isReadable(p)) throw new io.nightshift.api.config.ConfigException("cannot read " + p.toAbsolutePath());
            return new io.nightshift.coordinator.tls.SelfSigned.Pair(cert, key);
        }
        return c.get(SecuritySettings.TLS_SELF_SIGNED) ? io.nightshift.coordinator.tls.SelfSigned.ensure(dataDir()) : null;
    }

    /** The CAs the coordinator's own clients trust (agents' log servers, other coordinators); null: the JDK's. */
    public Path tlsCaFile() {
        Path ca = c.get(SecuritySettings.TLS_CA_FILE);
        if (ca != null && !java.nio.file.Files.isReadable(ca))
            throw new io.nightshift.api.config.ConfigException("cannot read " + ca.toAbsolutePath());
        return ca;
    }

    /** Most samples of utilization history a coordinator holds (kept / interval). */
    public static final long MAX_UTILIZATION_SAMPLES = 1_000_000;

    /** How many utilization samples cover {@link #utilizationKept}. */
    public int utilizationSamples() {
        return (int) Math.max(1, utilizationKept().toMillis() / utilizationInterval().toMillis());
    }

    /** True for an address only this machine can reach (by its literal form; names other than localhost are not resolved). */
    static boolean loopback(String host) {
        String h = host.trim().toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.equals("::1") || h.equals("[::1]") || h.matches("127(\\.\\d{1,3}){3}");
    }

    /** Every knob of the scheduling core ({@code coordinator.scheduler.*}). */
    public SchedulingPolicy scheduling() { return scheduling; }

    @Override
    public String toString() { // never the password
        return "CoordinatorConfig[host=" + host() + ", port=" + port() + ", dataDir=" + dataDir() + ", cluster=" + clusterName()
                + ", store=" + (jdbcUrl().isBlank() ? "sqlite" : jdbcUrl().replaceAll("\\?.*", "")) + "]";
    }
}
