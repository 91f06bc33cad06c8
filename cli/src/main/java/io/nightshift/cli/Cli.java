package io.nightshift.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.json.Json;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small helpers the commands share. */
final class Cli {
    /** A task id: {@code <jobId>.r<run>.<instance>}. Job ids never contain dots. */
    static final Pattern TASK_ID = Pattern.compile("([A-Za-z0-9][A-Za-z0-9_-]*)\\.r(\\d+)\\.(\\d+)");

    private Cli() {
    }

    /** Pretty JSON of any API object (for {@code --output json}). */
    static String pretty(Object value) {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An API object from a document the coordinator sent, read leniently like the client does (fields
     * this CLI does not know are ignored); an unreadable document is a failure (exit 1).
     */
    static <T> T read(JsonNode tree, Class<T> type) {
        try {
            return Json.mapper().readerFor(type).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(tree);
        } catch (java.io.IOException | RuntimeException e) {
            throw new CliException(CliException.FAILED, "cannot read the coordinator's answer: " + e.getMessage(), e);
        }
    }

    /** The job a task belongs to, or {@code null} when {@code id} is not a task id. */
    static String jobOfTask(String id) {
        Matcher m = TASK_ID.matcher(id);
        return m.matches() ? m.group(1) : null;
    }

    static String pathSegment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
