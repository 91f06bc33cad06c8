package io.nightshift.agent.spark;

import io.nightshift.api.config.Config;
import io.nightshift.api.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent's Spark homes by version (in the order given: the first is the default), the JDK of drivers (null: the
 * agent's own), the Hadoop drivers' classpath (null: the default Spark home's jars) and the Hadoop configuration
 * directory (null: none).
 */
public record SparkConfig(Map<String, Path> homes, Path javaHome, String hadoopClasspath, Path hadoopConfDir) {
    public static final SparkConfig NONE = new SparkConfig(Map.of(), null, null, null);

    public SparkConfig {
        homes = Collections.unmodifiableMap(new LinkedHashMap<>(homes));
    }

    public static SparkConfig from(Config c) {
        String java = c.get(SparkSettings.JAVA_HOME);
        String conf = c.get(SparkSettings.HADOOP_CONF_DIR);
        String cp = c.get(SparkSettings.HADOOP_CLASSPATH);
        return new SparkConfig(parseHomes(c.get(SparkSettings.HOMES)), java == null || java.isBlank() ? null : Path.of(java),
                cp == null || cp.isBlank() ? null : cp, conf == null || conf.isBlank() ? null : Path.of(conf));
    }

    /** {@code version=path[,version=path...]} → ordered map; each home must hold an executable bin/spark-submit. */
    public static Map<String, Path> parseHomes(String raw) {
        String name = SparkSettings.HOMES.name();
        Map<String, Path> out = new LinkedHashMap<>();
        if (raw == null || raw.isBlank()) return out;
        for (String part : raw.split(",", -1)) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq <= 0 || eq == p.length() - 1)
                throw new ConfigException(name + ": expected version=path, got '" + p + "'");
            String version = p.substring(0, eq).trim();
            if (!version.matches("[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}"))
                throw new ConfigException(name + ": '" + version + "' is not a Spark version such as 4.0.1");
            Path home = Path.of(p.substring(eq + 1).trim()).toAbsolutePath().normalize();
            Path submit = home.resolve("bin").resolve("spark-submit");
            if (!Files.isRegularFile(submit) || !Files.isExecutable(submit))
                throw new ConfigException(name + ": " + home + " is not a Spark home (" + submit + " is not an executable file)");
            if (out.putIfAbsent(version, home) != null)
                throw new ConfigException(name + ": version " + version + " is given twice");
        }
        return out;
    }

    /** The home for {@code version} (null: the default one); null when this agent has none such. */
    public Path home(String version) {
        if (version == null) return homes.isEmpty() ? null : homes.values().iterator().next();
        return homes.get(version);
    }
}
