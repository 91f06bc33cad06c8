package io.nightshift.agent;

import io.nightshift.api.config.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Every agent setting, declared once. Environment: {@code NIGHTSHIFT_AGENT_...}
 * (see {@link Setting#envName()}); flags: {@code --<name without "agent.">}.
 */
public final class AgentSettings {
    private AgentSettings() {
    }

    /** Attempt-id-like: letters, digits, {@code _ - .}, not starting with a dot. */
    static final String ID_PATTERN = "[A-Za-z0-9][A-Za-z0-9_.-]{0,99}";

    public static final Setting<String> ID = Setting.string("agent.id", null, ID_PATTERN,
            "This agent's id; when unset one is generated once and kept in the work dir, so a restart keeps it.");
    /** One coordinator base URL: http(s) or ws(s), a host, an optional path; no query, no comma. */
    static final String COORDINATOR_URL = "(?i)(https?|wss?)://[^\\s/?#,]+(/[^\\s?#,]*)?";

    public static final Setting<String> COORDINATOR = Setting.string("agent.coordinator", "http://127.0.0.1:7070",
            COORDINATOR_URL + "(\\s*,\\s*" + COORDINATOR_URL + ")*",
            "Base URL of the coordinator whose agent channel this agent joins; several, separated by commas, are "
                    + "tried in turn (the agent follows a non-leader's pointer to the leader).");
    public static final Setting<String> HOST = Setting.string("agent.host", null,
            "Host name the agent advertises to the coordinator; default this machine's host name, or 127.0.0.1.");
    /** An IPv4 or IPv6 literal (no host name: a name could resolve to an address this machine does not have). */
    static final String IP_LITERAL = "\\d{1,3}(\\.\\d{1,3}){3}|[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}";
    public static final Setting<String> LOCAL_ADDRESS = Setting.string("agent.local-address", null, IP_LITERAL,
            "Local IP address the agent's channel to the coordinator binds to (one of this machine's); default the "
                    + "system's choice. Lets a packet filter tell agents on one host apart (e.g. 127.0.0.x on loopback).");
    public static final Setting<String> HTTP_HOST = Setting.string("agent.http-host", "127.0.0.1",
            "Address the log HTTP server binds to (0.0.0.0 for every interface).");
    public static final Setting<Integer> HTTP_PORT = Setting.integer("agent.http-port", 0, 0, 65535,
            "Port of the log HTTP server; 0 picks a free one.");
    public static final Setting<Path> WORK_DIR = Setting.path("agent.work-dir", Path.of("nightshift-data", "agent"),
            "Directory for the agent's id, status sequence and task sandboxes.");
    public static final Setting<Double> CPUS = Setting.decimal("agent.cpus", null, 0, 4096,
            "CPUs offered to tasks; default the number of available processors.");
    public static final Setting<Long> MEM_MB = Setting.longValue("agent.mem-mb", null, 0, 1L << 32,
            "Memory in MiB offered to tasks; default physical memory minus a 512 MiB reserve.");
    public static final Setting<Long> DISK_MB = Setting.longValue("agent.disk-mb", null, 0, 1L << 40,
            "Disk in MiB offered to tasks; default the usable space of the work dir's file system.");
    public static final Setting<Integer> GPUS = Setting.integer("agent.gpus", null, 0, 1024,
            "GPUs offered to tasks; default 0 (no detection yet).");
    public static final Setting<String> ATTRIBUTES = Setting.string("agent.attributes", "",
            "Placement attributes as k=v pairs separated by commas, e.g. rack=r1,zone=eu-1.");
    public static final Setting<Duration> RECONNECT_INITIAL_BACKOFF = Setting.duration("agent.reconnect.initial-backoff",
            Duration.ofMillis(500), Duration.ofMillis(10), Duration.ofMinutes(5),
            "First wait before reconnecting to the coordinator; doubles per failure, with jitter.");
    public static final Setting<Duration> RECONNECT_MAX_BACKOFF = Setting.duration("agent.reconnect.max-backoff",
            Duration.ofSeconds(10), Duration.ofMillis(10), Duration.ofHours(1),
            "Longest wait between two attempts to reconnect to the coordinator.");
    public static final Setting<Duration> SANDBOX_MAX_AGE = Setting.duration("agent.sandbox.max-age",
            Duration.ofDays(7), Duration.ofMinutes(1), Duration.ofDays(3650),
            "A finished attempt's sandbox idle for longer than this is deleted.");
    public static final Setting<Long> SANDBOX_DISK_BUDGET_MB = Setting.longValue("agent.sandbox.disk-budget-mb",
            10_240L, 0, 1L << 40,
            "When all sandboxes together exceed this many MiB, finished ones are deleted, oldest first.");
    public static final Setting<Duration> SANDBOX_GC_INTERVAL = Setting.duration("agent.sandbox.gc-interval",
            Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofDays(1),
            "How often sandbox garbage collection runs.");
    public static final Setting<Boolean> CGROUPS = Setting.bool("agent.cgroups", true,
            "Put each attempt in its own cgroup v1 groups (memory, cpu, pids, freezer) where the hierarchies are writable.");

    public static final Setting<Boolean> KILL_TASKS_ON_STOP = Setting.bool("agent.kill-tasks-on-stop", false,
            "Whether stopping the agent (SIGTERM, Agent.close) kills its running tasks; by default they keep running "
                    + "and the next agent started on the same work dir re-attaches to them.");

    public static final Setting<String> KAFKA_HARNESS_CLASSPATH = Setting.string("agent.kafka.harness-classpath", null,
            "Classpath (entries separated by ':', 'dir/*' for every jar of a directory) of the Kafka consumer harness "
                    + "that kafka tasks run; default the harness this agent was built with, when it is on the agent's classpath.");

    public static final Setting<String> TOKEN = Setting.secret("agent.token",
            "Join token (role agent, created by an admin with 'nightshift tokens create --role agent') sent when "
                    + "connecting to the coordinator; required unless the coordinator runs with auth off.");

    public static final Setting<String> POOL = Setting.string("agent.pool", null, "[a-z0-9][a-z0-9-]{0,62}",
            "The pool this machine belongs to (its owner reservation, headroom and windows are the pool's); sent as "
                    + "the attribute pool=<name>. Unset: the agent lends nothing and only takes unreserved work.");
    public static final Setting<Duration> OWNER_LOAD_INTERVAL = Setting.duration("agent.owner-load.interval",
            Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofMinutes(1),
            "How often the machine's owner load (CPU and memory not used by Nightshift) is sampled from /proc.");
    public static final Setting<Duration> OWNER_LOAD_HALF_LIFE = Setting.duration("agent.owner-load.half-life",
            Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofHours(1),
            "Half-life of the owner load's moving average: a step change is half reflected after this long.");
    public static final Setting<Duration> OWNER_LOAD_PEAK_WINDOW = Setting.duration("agent.owner-load.peak-window",
            Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofHours(1),
            "The owner load's peak is the highest raw sample of this recent window.");
    public static final Setting<String> OWNER_LOAD_CGROUP = Setting.string("agent.owner-load.cgroup", null,
            "/?[A-Za-z0-9_.@-]+(/[A-Za-z0-9_.@-]+)*",
            "The cgroup the owners' services run in (e.g. system.slice): when set, the owner load is that group's CPU "
                    + "and anonymous memory (cgroup v1 cpuacct and memory hierarchies, or v2) instead of the whole machine "
                    + "minus Nightshift's tasks; for machines that run other work besides the owners and Nightshift.");

    public static final List<Setting<?>> ALL = java.util.stream.Stream.concat(java.util.stream.Stream.of(ID, COORDINATOR,
            HOST, HTTP_HOST, HTTP_PORT, WORK_DIR, CPUS, MEM_MB, DISK_MB, GPUS, ATTRIBUTES, RECONNECT_INITIAL_BACKOFF,
            RECONNECT_MAX_BACKOFF, SANDBOX_MAX_AGE, SANDBOX_DISK_BUDGET_MB, SANDBOX_GC_INTERVAL, CGROUPS, KILL_TASKS_ON_STOP,
            KAFKA_HARNESS_CLASSPATH, TOKEN, POOL, OWNER_LOAD_INTERVAL, OWNER_LOAD_HALF_LIFE, OWNER_LOAD_PEAK_WINDOW,
            OWNER_LOAD_CGROUP, LOCAL_ADDRESS),
            java.util.stream.Stream.concat(io.nightshift.agent.fetch.FetchSettings.ALL.stream(),
                    java.util.stream.Stream.concat(io.nightshift.agent.spark.SparkSettings.ALL.stream(),
                            io.nightshift.agent.security.AgentSecuritySettings.ALL.stream()))).toList();
}
