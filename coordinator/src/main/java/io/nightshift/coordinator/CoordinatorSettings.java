package io.nightshift.coordinator;

import io.nightshift.api.config.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import io.nightshift.coordinator.scheduling.SchedulingPolicy;

/**
 * Every coordinator setting, declared once ({@code coordinator.scheduler.*} knobs of the scheduling core are
 * declared in {@link SchedulingPolicy} and listed here). {@code docs/operations.md} lists them (a test checks).
 */
public final class CoordinatorSettings {
    private CoordinatorSettings() {
    }

    public static final Setting<String> HOST = Setting.string("coordinator.host", "127.0.0.1",
            "Address the REST API and agent channel bind to (0.0.0.0 for every interface).");
    public static final Setting<Integer> PORT = Setting.integer("coordinator.port", 7070, 0, 65535,
            "Port of the REST API, dashboard and agent channel; 0 picks a free one.");
    public static final Setting<Path> DATA_DIR = Setting.path("coordinator.data-dir", Path.of("nightshift-data", "coordinator"),
            "Directory for the coordinator's durable state.");
    public static final Setting<String> CLUSTER_NAME = Setting.string("coordinator.cluster-name", "nightshift",
            "[a-z0-9][a-z0-9-]{0,62}", "Hazelcast cluster name; coordinators with the same name form one cluster.");
    public static final Setting<String> HAZELCAST_HOST = Setting.string("coordinator.hazelcast.host", "127.0.0.1",
            "Address the embedded Hazelcast member binds to and advertises.");
    public static final Setting<Integer> HAZELCAST_PORT = Setting.integer("coordinator.hazelcast.port", 5701, 0, 65535,
            "First port the embedded Hazelcast member tries (it auto-increments when taken).");
    public static final Setting<String> HAZELCAST_MEMBERS = Setting.string("coordinator.hazelcast.members", "",
            "Comma-separated HOST:PORT list of other coordinators to join (empty: stand alone).");
    public static final Setting<Duration> HEARTBEAT_INTERVAL = Setting.duration("coordinator.agent.heartbeat-interval",
            Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofMinutes(1),
            "How often agents are told to heartbeat.");
    public static final Setting<Duration> HEARTBEAT_TIMEOUT = Setting.duration("coordinator.agent.heartbeat-timeout",
            Duration.ofSeconds(15), Duration.ofMillis(500), Duration.ofHours(1),
            "An agent silent for this long is LOST and its tasks are rescheduled per their retry policy.");
    public static final Setting<Duration> CYCLE_INTERVAL = Setting.duration("coordinator.scheduler.cycle-interval",
            Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMinutes(1),
            "Longest time between two offer cycles; a submit, a finished task or a new agent triggers one at once.");
    public static final Setting<Integer> EVENT_BUFFER = Setting.integer("coordinator.events.buffer", 100_000, 100, 10_000_000,
            "How many recent events GET /v1/events can replay to a client reconnecting with Last-Event-ID.");
    public static final Setting<Integer> API_WORKERS = Setting.integer("coordinator.api.workers", 4, 1, 256,
            "Worker threads for API reads against the state maps.");

    public static final Setting<String> JDBC_URL = Setting.string("coordinator.state.jdbc-url", "",
            "Durable store: empty for the embedded SQLite file under the data directory, or a jdbc:postgresql:// URL.");
    public static final Setting<String> JDBC_USER = Setting.string("coordinator.state.jdbc-user", "",
            "User for a PostgreSQL store.");
    public static final Setting<String> JDBC_PASSWORD = Setting.secret("coordinator.state.jdbc-password",
            "Password for a PostgreSQL store (never logged nor shown).");
    public static final Setting<Integer> JDBC_POOL = Setting.integer("coordinator.state.pool-size", 0, 0, 256,
            "Connections to the durable store; 0 picks 4 for SQLite, 10 for PostgreSQL.");
    public static final Setting<String> SQLITE_SYNC = Setting.string("coordinator.state.sqlite-synchronous", "FULL",
            "FULL|NORMAL", "FULL survives a machine crash; NORMAL survives a process crash (kill -9) and writes faster.");

    public static final Setting<Duration> HISTORY_RETENTION = Setting.duration("coordinator.history.retention",
            Duration.ofDays(7), Duration.ofSeconds(1), Duration.ofDays(3650),
            "Finished jobs older than this are deleted with their runs, tasks and idempotency keys (their sandboxes follow the agents' GC).");
    public static final Setting<Duration> HISTORY_COMPACT_INTERVAL = Setting.duration("coordinator.history.compact-interval",
            Duration.ofMinutes(10), Duration.ofMillis(100), Duration.ofDays(1),
            "How often the leader deletes finished jobs past their retention and events past the kept count.");
    public static final Setting<Long> EVENTS_KEPT = Setting.longValue("coordinator.events.kept", 1_000_000L, 1_000L, 1_000_000_000L,
            "How many of the newest events the store keeps for clients resuming with Last-Event-ID.");

    public static final Setting<Duration> UTILIZATION_INTERVAL = Setting.duration("coordinator.utilization.interval",
            Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(10),
            "How often the coordinator records the cluster's used and total resources (GET /v1/cluster/utilization).");
    public static final Setting<Duration> UTILIZATION_KEPT = Setting.duration("coordinator.utilization.kept",
            Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofDays(31),
            "How much utilization history is kept (in utilization.csv under the data directory); at most 1,000,000 samples.");
    public static final Setting<Boolean> AUTH_INSECURE = Setting.bool("coordinator.auth.insecure", false,
            "Turns authentication off: every caller is admin. Refused unless coordinator.host is a loopback address.");
    public static final Setting<Duration> AUTH_TOKEN_CACHE = Setting.duration("coordinator.auth.token-cache",
            Duration.ofSeconds(5), Duration.ZERO, Duration.ofMinutes(10),
            "How long a verified token is trusted before the database is asked again: the longest a revocation "
                    + "made on another coordinator takes to apply here.");
    public static final Setting<Boolean> METRICS_OPEN = Setting.bool("coordinator.metrics.open", false,
            "Serve /metrics without a token (for a Prometheus that cannot send one); by default it needs the read role.");
    public static final Setting<String> ALLOWED_HOSTS = Setting.string("coordinator.http.allowed-hosts", "",
            "Host names clients may use to reach the API and dashboard besides IP addresses, localhost and this machine's "
                    + "own names (comma-separated; * for any); other Host headers are refused, against DNS rebinding.");
    public static final Setting<Integer> MAX_EVENT_STREAMS = Setting.integer("coordinator.events.max-streams", 2_000, 1, 1_000_000,
            "Most GET /v1/events streams this coordinator serves at once; more get 429 with Retry-After.");
    public static final Setting<Integer> MAX_EVENT_STREAMS_PER_TOKEN = Setting.integer("coordinator.events.max-streams-per-token",
            16, 1, 1_000_000, "Most GET /v1/events streams one token holds at once.");
    public static final Setting<Integer> MAX_LOG_FOLLOWS = Setting.integer("coordinator.logs.max-follows", 500, 1, 1_000_000,
            "Most log follows (follow=true) this coordinator proxies at once; more get 429 with Retry-After.");
    public static final Setting<Integer> MAX_LOG_FOLLOWS_PER_TOKEN = Setting.integer("coordinator.logs.max-follows-per-token",
            32, 1, 1_000_000, "Most log follows one token holds at once.");

    public static final Setting<String> CLOCK_START = Setting.string("coordinator.clock.start", "",
            "For tests and rehearsals only: the scheduler's clock shows this ISO-8601 instant when the coordinator starts "
                    + "to lead and runs at real speed from there (e.g. to watch cron jobs cross a DST change). Empty: the real time.");

    public static final List<Setting<?>> ALL = Stream.concat(Stream.<Setting<?>>of(HOST, PORT, DATA_DIR, CLUSTER_NAME,
            HAZELCAST_HOST, HAZELCAST_PORT, HAZELCAST_MEMBERS, HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT, CYCLE_INTERVAL,
            EVENT_BUFFER, API_WORKERS, JDBC_URL, JDBC_USER, JDBC_PASSWORD, JDBC_POOL, SQLITE_SYNC, HISTORY_RETENTION,
            HISTORY_COMPACT_INTERVAL, EVENTS_KEPT, UTILIZATION_INTERVAL, UTILIZATION_KEPT, AUTH_INSECURE, AUTH_TOKEN_CACHE,
            METRICS_OPEN, ALLOWED_HOSTS, MAX_EVENT_STREAMS, MAX_EVENT_STREAMS_PER_TOKEN, MAX_LOG_FOLLOWS,
            MAX_LOG_FOLLOWS_PER_TOKEN, CLOCK_START, io.nightshift.coordinator.scheduling.FinishRates.WINDOW),
            Stream.concat(Stream.concat(SchedulingPolicy.SETTINGS.stream(), SecuritySettings.ALL.stream()),
            LeadershipSettings.ALL.stream())).toList();
}
