package io.nightshift.api.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key, declared once: name, type, default, validator and documentation. Values
 * come from (lowest to highest precedence) the default, the config file, the environment
 * ({@link #envName()}), and command-line flags. A {@code null} default means "unset unless given".
 */
public final class Setting<T> {
    private final String name;
    private final String type;
    private final T defaultValue;
    private final Function<String, T> parser;
    private final Predicate<T> validator;
    private final String constraint;
    private final String doc;
    private final boolean secret;

    private Setting(String name, String type, T defaultValue, Function<String, T> parser, Predicate<T> validator,
                    String constraint, String doc, boolean secret) {
        if (!name.matches("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*"))
            throw new IllegalArgumentException("bad setting name: " + name);
        this.name = name;
        this.type = type;
        this.defaultValue = defaultValue;
        this.parser = parser;
        this.validator = validator;
        this.constraint = constraint;
        this.doc = Objects.requireNonNull(doc);
        this.secret = secret;
        if (defaultValue != null && !validator.test(defaultValue))
            throw new IllegalArgumentException("default of " + name + " violates its own constraint: " + constraint);
    }

    public static Setting<String> string(String name, String def, String doc) {
        return new Setting<>(name, "string", def, s -> s, s -> s.length() <= 4096, "at most 4096 characters", doc, false);
    }

    public static Setting<String> string(String name, String def, String regex, String doc) {
        return new Setting<>(name, "string", def, s -> s, s -> s.matches(regex), "matches " + regex, doc, false);
    }

    public static Setting<String> secret(String name, String doc) {
        return new Setting<>(name, "secret", null, s -> s, s -> s.length() <= 4096, "at most 4096 characters", doc, true);
    }

    public static Setting<Integer> integer(String name, Integer def, int min, int max, String doc) {
        return new Setting<>(name, "int", def, Integer::parseInt, v -> v >= min && v <= max,
                "between " + min + " and " + max, doc, false);
    }

    public static Setting<Long> longValue(String name, Long def, long min, long max, String doc) {
        return new Setting<>(name, "long", def, Long::parseLong, v -> v >= min && v <= max,
                "between " + min + " and " + max, doc, false);
    }

    public static Setting<Double> decimal(String name, Double def, double min, double max, String doc) {
        return new Setting<>(name, "decimal", def, Double::parseDouble, v -> v >= min && v <= max,
                "between " + min + " and " + max, doc, false);
    }

    public static Setting<Boolean> bool(String name, boolean def, String doc) {
        return new Setting<>(name, "boolean", def, Setting::parseBool, v -> true, "true or false", doc, false);
    }

    public static Setting<Duration> duration(String name, Duration def, Duration min, Duration max, String doc) {
        return new Setting<>(name, "duration", def, Setting::parseDuration,
                v -> v.compareTo(min) >= 0 && v.compareTo(max) <= 0,
                "between " + min + " and " + max, doc, false);
    }

    public static Setting<Path> path(String name, Path def, String doc) {
        return new Setting<>(name, "path", def, Path::of, p -> p.toString().length() <= 4096, "a file-system path", doc, false);
    }

    /** Parses and validates a raw value; the message names the setting and what is allowed. */
    public T parse(String raw) {
        T value;
        try {
            value = parser.apply(raw.trim());
        } catch (RuntimeException e) {
            throw new ConfigException(name + ": cannot read '" + shorten(raw) + "' as " + type
                    + (type.equals("duration") ? " (ISO-8601 like PT30S, or 30s, 5m, 2h)" : ""));
        }
        if (!validator.test(value))
            throw new ConfigException(name + ": '" + shorten(raw) + "' is not allowed; must be " + constraint);
        return value;
    }

    private static String shorten(String raw) {
        return raw.length() > 40 ? raw.substring(0, 40) + "…" : raw;
    }

    private static boolean parseBool(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException(s);
        };
    }

    /** ISO-8601 ({@code PT30S}) or a short form: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}. */
    static Duration parseDuration(String s) {
        try {
            return Duration.parse(s);
        } catch (DateTimeParseException e) {
            var m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h|d)").matcher(s);
            if (!m.matches()) throw e;
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
    }

    public String name() { return name; }
    public String type() { return type; }
    public T defaultValue() { return defaultValue; }
    public String constraint() { return constraint; }
    public String doc() { return doc; }
    public boolean secret() { return secret; }

    /** {@code agent.http-port} → {@code NIGHTSHIFT_AGENT_HTTP_PORT}. */
    public String envName() {
        return "NIGHTSHIFT_" + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    @Override
    public String toString() {
        return name;
    }
}
