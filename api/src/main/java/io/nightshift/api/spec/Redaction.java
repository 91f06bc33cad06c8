package io.nightshift.api.spec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.nightshift.api.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * What the API never shows of a spec (Spark's {@code spark.redaction.regex} idea): the value of every
 * {@code env} variable whose name looks like a credential ({@link #SECRET_NAME}), and of every kafka
 * {@code consumerConfig} key that Kafka declares as a password ({@code sasl.jaas.config},
 * {@code ssl.key.password}, ...) or whose name looks like one. They read {@value #MASK}. {@code secrets}
 * hold names only, so they need no mask. The stored spec keeps the values (the task needs them); only
 * what goes out through {@link #api()} is masked. Pure.
 */
public final class Redaction {
    public static final String MASK = "***";
    /** Names whose values are masked: env variables and kafka settings alike (case-insensitive). */
    public static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(secret|passw(or)?d|passwd|pwd|token|credential|api[._-]?key|private[._-]?key|access[._-]?key|jaas|auth).*");

    private static final Map<String, ConfigDef.ConfigKey> KAFKA_KEYS = ConsumerConfig.configDef().configKeys();

    private static final ObjectMapper API = Json.mapper().copy().registerModule(new SimpleModule("nightshift-redaction")
            .addSerializer(JobSpec.class, new SpecSerializer()));

    private Redaction() {
    }

    /** True when the value of env variable {@code name} is masked in the API. */
    public static boolean secretEnv(String name) {
        return SECRET_NAME.matcher(name).matches();
    }

    /** True when the value of kafka consumer setting {@code key} is masked in the API. */
    public static boolean secretKafkaSetting(String key) {
        ConfigDef.ConfigKey k = KAFKA_KEYS.get(key);
        return (k != null && k.type == ConfigDef.Type.PASSWORD) || SECRET_NAME.matcher(key).matches();
    }

    /** The mapper for everything the API answers: {@link Json#mapper()} with specs masked. */
    public static ObjectMapper api() {
        return API;
    }

    /** {@code value} as the API shows it. */
    public static String writeForApi(Object value) {
        try {
            return API.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A spec's JSON (as {@link Json#mapper()} writes it) with the secret-looking values masked, in place. */
    public static ObjectNode mask(ObjectNode spec) {
        if (spec.get("env") instanceof ObjectNode env) maskValues(env, false);
        if (spec.get("kafka") instanceof ObjectNode kafka && kafka.get("consumerConfig") instanceof ObjectNode cc)
            maskValues(cc, true);
        return spec;
    }

    private static void maskValues(ObjectNode o, boolean kafka) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (kafka ? secretKafkaSetting(k) : secretEnv(k)) o.put(k, MASK);
        }
    }

    /** {@code text} with every occurrence of each of {@code values} (non-blank) replaced by {@value #MASK}. */
    public static String scrub(String text, Collection<String> values) {
        if (text == null || values.isEmpty()) return text;
        String out = text;
        for (String v : values) {
            if (v != null && !v.isBlank() && out.contains(v)) out = out.replace(v, MASK);
        }
        return out;
    }


    private static final class SpecSerializer extends StdSerializer<JobSpec> {
        SpecSerializer() {
            super(JobSpec.class);
        }

        @Override
        public void serialize(JobSpec spec, JsonGenerator gen, SerializerProvider provider) throws IOException {
            JsonNode tree = Json.mapper().valueToTree(spec);
            gen.writeTree(tree instanceof ObjectNode o ? mask(o) : tree);
        }
    }
}
