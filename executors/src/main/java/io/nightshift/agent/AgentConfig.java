package io.nightshift.agent;

import io.nightshift.api.Resources;
import io.nightshift.api.config.Config;
import io.nightshift.api.config.ConfigException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agent's typed settings, built from a {@link Config} over {@link AgentSettings#ALL}. Unset
 * resources are detected here (cpus, memory, disk); {@code id} stays null when unset (the agent
 * generates and persists one in its work dir). {@code coordinators} is the list given in
 * {@code agent.coordinator}, in order, without duplicates.
 */
public record AgentConfig(
        String id,
        List<URI> coordinators,
        String host,
        String httpHost,
        int httpPort,
        Path workDir,
        Resources resources,
        Map<String, String> attributes,
        Duration reconnectInitialBackoff,
        Duration reconnectMaxBackoff,
        Duration sandboxMaxAge,
        long sandboxDiskBudgetMb,
        Duration sandboxGcInterval,
        boolean cgroups,
        boolean killTasksOnStop,
        String kafkaHarnessClasspath,
        String token,
        io.nightshift.agent.fetch.FetchConfig fetch,
        OwnerLoadConfig ownerLoad,
        io.nightshift.agent.spark.SparkConfig spark,
        io.nightshift.agent.security.AgentSecurityConfig security,
        String localAddress) {

    /** How the owner load is sampled and smoothed (see {@link io.nightshift.agent.load.OwnerLoadSampler}). */
    public record OwnerLoadConfig(Duration interval, Duration halfLife, Duration peakWindow, String cgroup) {
        public static final OwnerLoadConfig DEFAULTS = new OwnerLoadConfig(AgentSettings.OWNER_LOAD_INTERVAL.defaultValue(),
                AgentSettings.OWNER_LOAD_HALF_LIFE.defaultValue(), AgentSettings.OWNER_LOAD_PEAK_WINDOW.defaultValue());

        /** The whole machine minus ours. */
        public OwnerLoadConfig(Duration interval, Duration halfLife, Duration peakWindow) {
            this(interval, halfLife, peakWindow, null);
        }
    }

    @Override
    public String toString() { // never the token
        return "AgentConfig[id=" + id + ", coordinators=" + coordinators + ", host=" + host + ", workDir=" + workDir
                + ", resources=" + resources + ", token=" + (token == null ? "none" : "****") + "]";
    }

    /** Memory kept back for the OS and the agent when memory is detected. */
    public static final long MEM_RESERVE_MB = 512;

    public AgentConfig {
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        workDir = workDir.toAbsolutePath().normalize();
        coordinators = List.copyOf(coordinators);
        fetch = fetch == null ? io.nightshift.agent.fetch.FetchConfig.DEFAULTS : fetch;
        ownerLoad = ownerLoad == null ? OwnerLoadConfig.DEFAULTS : ownerLoad;
        spark = spark == null ? io.nightshift.agent.spark.SparkConfig.NONE : spark;
        security = security == null ? io.nightshift.agent.security.AgentSecurityConfig.DEFAULTS : security;
        if (coordinators.isEmpty()) throw new IllegalArgumentException("at least one coordinator URL is needed");
    }

    /** The first coordinator URL (the only one in a single-coordinator set-up). */
    public URI coordinator() {
        return coordinators.get(0);
    }

    public static AgentConfig from(Config c) {
        Path workDir = c.get(AgentSettings.WORK_DIR);
        List<URI> coordinators = parseCoordinators(c.get(AgentSettings.COORDINATOR));
        Duration initial = c.get(AgentSettings.RECONNECT_INITIAL_BACKOFF);
        Duration max = c.get(AgentSettings.RECONNECT_MAX_BACKOFF);
        if (initial.compareTo(max) > 0)
            throw new ConfigException(AgentSettings.RECONNECT_INITIAL_BACKOFF.name() + " (" + initial + ") must not exceed "
                    + AgentSettings.RECONNECT_MAX_BACKOFF.name() + " (" + max + ")");
        Double cpus = c.get(AgentSettings.CPUS);
        Long memMb = c.get(AgentSettings.MEM_MB);
        Long diskMb = c.get(AgentSettings.DISK_MB);
        Integer gpus = c.get(AgentSettings.GPUS);
        Resources total = new Resources(
                cpus != null ? cpus : Runtime.getRuntime().availableProcessors(),
                memMb != null ? memMb : detectMemMb(),
                diskMb != null ? diskMb : detectDiskMb(workDir),
                gpus != null ? gpus : 0);
        String host = c.get(AgentSettings.HOST);
        return new AgentConfig(c.get(AgentSettings.ID), coordinators, host != null ? host : detectHost(),
                c.get(AgentSettings.HTTP_HOST), c.get(AgentSettings.HTTP_PORT), workDir, total,
                withPool(parseAttributes(c.get(AgentSettings.ATTRIBUTES)), c.get(AgentSettings.POOL)), initial, max, c.get(AgentSettings.SANDBOX_MAX_AGE),
                c.get(AgentSettings.SANDBOX_DISK_BUDGET_MB), c.get(AgentSettings.SANDBOX_GC_INTERVAL),
                c.get(AgentSettings.CGROUPS), c.get(AgentSettings.KILL_TASKS_ON_STOP),
                c.get(AgentSettings.KAFKA_HARNESS_CLASSPATH), c.get(AgentSettings.TOKEN),
                io.nightshift.agent.fetch.FetchConfig.from(c),
                new OwnerLoadConfig(c.get(AgentSettings.OWNER_LOAD_INTERVAL), c.get(AgentSettings.OWNER_LOAD_HALF_LIFE),
                        c.get(AgentSettings.OWNER_LOAD_PEAK_WINDOW), c.get(AgentSettings.OWNER_LOAD_CGROUP)),
                io.nightshift.agent.spark.SparkConfig.from(c),
                io.nightshift.agent.security.AgentSecurityConfig.from(c), localAddress(c.get(AgentSettings.LOCAL_ADDRESS)));
    }

    /** {@code agent.local-address}, checked to be a valid IP literal (the setting's pattern lets 999.1.1.1 through). */
    static String localAddress(String raw) {
        if (raw == null) return null;
        try {
            java.net.InetAddress a = java.net.InetAddress.getByName(raw); // a literal: no name lookup
            return a.getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new ConfigException(AgentSettings.LOCAL_ADDRESS.name() + ": '" + raw + "' is not an IP address");
        }
    }

    /** {@code agent.pool} becomes the attribute {@code pool}; giving both with different values is an error. */
    static Map<String, String> withPool(Map<String, String> attributes, String pool) {
        if (pool == null) return attributes;
        String given = attributes.get("pool");
        if (given != null && !given.equals(pool))
            throw new ConfigException(AgentSettings.POOL.name() + " is '" + pool + "' but " + AgentSettings.ATTRIBUTES.name()
                    + " says pool=" + given);
        Map<String, String> out = new LinkedHashMap<>(attributes);
        out.put("pool", pool);
        return out;
    }

    /** {@code url[,url...]} → the URLs in order, duplicates dropped; each must be an http(s)/ws(s) URL with a host. */
    public static List<URI> parseCoordinators(String raw) {
        String name = AgentSettings.COORDINATOR.name();
        Set<URI> out = new LinkedHashSet<>();
        for (String part : raw.split(",", -1)) {
            String p = part.trim();
            if (p.isEmpty()) throw new ConfigException(name + ": an empty URL in the list '" + raw + "'");
            URI u;
            try {
                u = new URI(p);
            } catch (URISyntaxException e) {
                throw new ConfigException(name + ": '" + p + "' is not a URL: " + e.getMessage());
            }
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!List.of("http", "https", "ws", "wss").contains(scheme))
                throw new ConfigException(name + ": '" + p + "' must be an http://, https://, ws:// or wss:// URL");
            if (u.getHost() == null) throw new ConfigException(name + ": '" + p + "' has no host");
            if (u.getRawQuery() != null || u.getRawFragment() != null)
                throw new ConfigException(name + ": '" + p + "' must not have a query or fragment");
            out.add(u);
        }
        return List.copyOf(out);
    }

    /** Defaults plus environment ({@code NIGHTSHIFT_AGENT_*}). */
    public static AgentConfig fromEnvironment() {
        return from(Config.load(AgentSettings.ALL, null, System.getenv(), Map.of()));
    }

    /**
     * {@code k=v,k2=v2} → ordered map. Keys: letters, digits, {@code _ . - /}; values: anything but
     * ',' and '='. Blank input → empty map.
     */
    public static Map<String, String> parseAttributes(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isBlank()) return out;
        String name = AgentSettings.ATTRIBUTES.name();
        for (String pair : raw.split(",", -1)) {
            String p = pair.trim();
            int eq = p.indexOf('=');
            if (eq <= 0 || p.indexOf('=', eq + 1) >= 0)
                throw new ConfigException(name + ": '" + p + "' is not a key=value pair; expected k=v,k2=v2");
            String k = p.substring(0, eq).trim();
            String v = p.substring(eq + 1).trim();
            if (!k.matches("[A-Za-z0-9_./-]{1,63}"))
                throw new ConfigException(name + ": key '" + k + "' must be 1-63 letters, digits or _ . / -");
            if (out.putIfAbsent(k, v) != null)
                throw new ConfigException(name + ": key '" + k + "' is given twice");
        }
        return out;
    }

    static long detectMemMb() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return Math.max(0, sun.getTotalMemorySize() / (1024 * 1024) - MEM_RESERVE_MB);
        }
        return 0;
    }

    static long detectDiskMb(Path workDir) {
        Path p = workDir.toAbsolutePath().normalize();
        while (p != null && !Files.exists(p)) p = p.getParent();
        if (p == null) return 0;
        try {
            return Files.getFileStore(p).getUsableSpace() / (1024 * 1024);
        } catch (IOException e) {
            return 0;
        }
    }

    static String detectHost() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            if (h != null && !h.isBlank()) return h;
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "127.0.0.1";
    }
}
