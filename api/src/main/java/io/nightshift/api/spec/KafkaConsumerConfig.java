package io.nightshift.api.spec;

import static io.nightshift.api.spec.Problems.child;
import static io.nightshift.api.spec.Problems.kind;
import static io.nightshift.api.spec.Problems.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Checks a kafka job's {@code consumerConfig} against kafka-clients' own declarations
 * ({@link ConsumerConfig#configDef()}): every key must be one Kafka knows, every value must parse as the
 * key's type and pass the key's validator. Keys the harness sets itself are refused with the spec field to
 * use instead. Values of password-typed keys never appear in a message. Pure.
 */
final class KafkaConsumerConfig {
    static final int MAX_ENTRIES = 100, MAX_VALUE_CHARS = 32_768;

    /** Key → why it may not be given (the harness owns it). */
    static final Map<String, String> RESERVED = Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "use kafka.bootstrapServers",
            ConsumerConfig.GROUP_ID_CONFIG, "use kafka.groupId",
            ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "the harness derives it from the job and instance (static membership)",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "the harness commits only what the handler finished (at-least-once)",
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "use kafka.maxPollRecords",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "the harness hands records over as bytes",
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "the harness hands records over as bytes",
            ConsumerConfig.CLIENT_ID_CONFIG, "the harness names each client after its task");

    private static final Set<String> KNOWN = ConsumerConfig.configNames();

    private KafkaConsumerConfig() {
    }

    /** The checked map (values as strings), or null when a problem was added. */
    static Map<String, String> check(ObjectNode o, String path, Problems problems) {
        if (o.size() > MAX_ENTRIES) {
            problems.add(path, "must have at most %d entries, got %d".formatted(MAX_ENTRIES, o.size()));
            return null;
        }
        int before = problems.count();
        Map<String, ConfigDef.ConfigKey> keys = ConsumerConfig.configDef().configKeys();
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            String key = e.getKey(), at = child(path, key);
            JsonNode n = e.getValue();
            String reserved = RESERVED.get(key);
            if (reserved != null) {
                problems.add(at, "is set by Nightshift, not in consumerConfig: " + reserved);
                continue;
            }
            ConfigDef.ConfigKey k = keys.get(key);
            if (k == null || !KNOWN.contains(key)) {
                problems.add(at, "is not a Kafka consumer setting (see the ConsumerConfig reference of kafka-clients)");
                continue;
            }
            boolean secret = k.type == ConfigDef.Type.PASSWORD;
            String value = scalar(n);
            if (value == null) {
                problems.add(at, "must be a string, number or boolean, got " + kind(n));
                continue;
            }
            if (value.length() > MAX_VALUE_CHARS || value.indexOf('\0') >= 0) {
                problems.add(at, "must be at most %d characters without NUL".formatted(MAX_VALUE_CHARS));
                continue;
            }
            try {
                Object parsed = ConfigDef.parseType(key, value, k.type);
                if (k.validator != null) k.validator.ensureValid(key, parsed);
            } catch (ConfigException | IllegalArgumentException bad) {
                String expected = k.validator == null ? "" : ", allowed: " + k.validator;
                problems.add(at, "is not a valid %s for Kafka%s%s".formatted(k.type.name().toLowerCase(java.util.Locale.ROOT),
                        expected, secret ? "" : ", got " + quote(value)));
                continue;
            }
            out.put(key, value);
        }
        return problems.count() == before ? out : null;
    }

    private static String scalar(JsonNode n) {
        if (n.isTextual()) return n.textValue();
        if (n.isIntegralNumber() || n.isBoolean()) return n.asText();
        if (n.isNumber() && Double.isFinite(n.doubleValue())) return n.decimalValue().toPlainString();
        return null;
    }
}
