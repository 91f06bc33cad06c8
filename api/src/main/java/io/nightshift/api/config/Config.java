package io.nightshift.api.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The effective value of every declared {@link Setting}. Precedence, lowest first: default, file
 * (Java properties syntax, {@code key = value}), environment ({@code NIGHTSHIFT_KEY_NAME}),
 * explicit overrides (command-line flags). Unknown keys in the file or overrides are an error;
 * so is a value that does not parse or validate. Immutable.
 */
public final class Config {

    public enum Source { DEFAULT, FILE, ENV, FLAG }

    public record Entry(Setting<?> setting, Object value, Source source) {
        /** The value as shown to people: secrets are masked. */
        public String display() {
            if (value == null) return "";
            return setting.secret() ? "****" : String.valueOf(value);
        }
    }

    private final Map<String, Entry> entries;

    private Config(Map<String, Entry> entries) {
        this.entries = entries;
    }

    /** Defaults only. */
    public static Config defaults(Collection<Setting<?>> declared) {
        return load(declared, null, Map.of(), Map.of());
    }

    public static Config load(Collection<Setting<?>> declared, Path file, Map<String, String> env,
                              Map<String, String> overrides) {
        Map<String, Setting<?>> byName = new LinkedHashMap<>();
        for (Setting<?> s : declared) {
            if (byName.putIfAbsent(s.name(), s) != null)
                throw new IllegalStateException("setting '" + s.name() + "' declared twice");
        }
        Map<String, String> fromFile = file == null ? Map.of() : readFile(file);
        List<String> problems = new ArrayList<>();
        for (String k : fromFile.keySet())
            if (!byName.containsKey(k)) problems.add(file + ": unknown setting '" + k + "'");
        for (String k : overrides.keySet())
            if (!byName.containsKey(k)) problems.add("unknown setting '" + k + "'");
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Setting<?> s : byName.values()) {
            Object value = s.defaultValue();
            Source source = Source.DEFAULT;
            try {
                if (fromFile.containsKey(s.name())) { value = s.parse(fromFile.get(s.name())); source = Source.FILE; }
                if (env.containsKey(s.envName())) { value = s.parse(env.get(s.envName())); source = Source.ENV; }
                if (overrides.containsKey(s.name())) { value = s.parse(overrides.get(s.name())); source = Source.FLAG; }
            } catch (ConfigException e) {
                problems.add(e.getMessage());
            }
            out.put(s.name(), new Entry(s, value, source));
        }
        if (!problems.isEmpty()) throw new ConfigException(String.join("; ", problems));
        return new Config(out);
    }

    /**
     * Command-line flags of a daemon's {@code main}: {@code --name value} or {@code --name=value} →
     * {@code <prefix>.name → value}, for declared settings only. {@code --help} and every mistake
     * (unknown flag, missing value, a flag twice, a stray argument) throw {@link IllegalArgumentException}.
     */
    public static Map<String, String> flags(String prefix, Collection<Setting<?>> declared, String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) throw new IllegalArgumentException("usage");
            if (!a.startsWith("--") || a.length() == 2) throw new IllegalArgumentException("unexpected argument '" + a + "'");
            String name;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                if (i + 1 >= args.length) throw new IllegalArgumentException("flag " + a + " needs a value");
                name = a.substring(2);
                value = args[++i];
            }
            String key = prefix + "." + name;
            if (declared.stream().map(Setting::name).noneMatch(key::equals))
                throw new IllegalArgumentException("unknown flag --" + name);
            if (out.put(key, value) != null) throw new IllegalArgumentException("flag --" + name + " given twice");
        }
        return out;
    }

    private static Map<String, String> readFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> m = new HashMap<>();
        for (String k : p.stringPropertyNames()) m.put(k, p.getProperty(k));
        return m;
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        Entry e = entries.get(setting.name());
        if (e == null) throw new IllegalArgumentException("setting '" + setting.name() + "' is not declared here");
        return (T) e.value();
    }

    /** A copy with some settings overridden (tests, local mode). */
    public Config with(Setting<?> setting, String raw) {
        Map<String, Entry> copy = new LinkedHashMap<>(entries);
        Entry old = copy.get(setting.name());
        if (old == null) throw new IllegalArgumentException("setting '" + setting.name() + "' is not declared here");
        copy.put(setting.name(), new Entry(old.setting(), setting.parse(raw), Source.FLAG));
        return new Config(copy);
    }

    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }
}
