package io.nightshift.api.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * Reads a request body into a Jackson tree with the limits a hostile body needs, turning every
 * failure into a {@link Problem} instead of an exception with parser internals in it.
 *
 * <ul>
 *   <li>Iterative (an explicit stack), nesting capped at {@link #MAX_DEPTH}: no StackOverflowError.</li>
 *   <li>Duplicate keys are reported with the JSON Pointer of the duplicate (and reading goes on, so
 *       every duplicate is listed). This replaces Jackson's {@code STRICT_DUPLICATE_DETECTION}, which
 *       stops at the first one and only knows a line and column.</li>
 *   <li>Floating-point numbers are kept as exact {@code BigDecimal} ({@code 1e400} stays 1e400, not
 *       Infinity) and big integers as {@code BigInteger}, so range checks see what the user wrote.</li>
 *   <li>NaN/Infinity, comments, single quotes and trailing content are rejected.</li>
 * </ul>
 * Public for the other input parsers of the API (queues).
 */
public final class JsonBodyReader {
    /** Containers (objects and arrays) may nest this deep; the top-level object is depth 1. */
    public static final int MAX_DEPTH = 20;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            // A backstop only: our own check stops at MAX_DEPTH before the parser gets here.
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH + 10).build())
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonBodyReader() {
    }

    /** The top-level object of {@code body}, or null when it cannot be read (the reason is in {@code problems}). */
    public static ObjectNode read(byte[] body, Problems problems) {
        JsonParser p;
        try {
            p = FACTORY.createParser(body);
        } catch (IOException e) {
            problems.add("", "body could not be read");   // a byte array never fails to open
            return null;
        }
        try (p) {
            JsonToken first = p.nextToken();
            if (first == null) {
                problems.add("", "body is empty, expected a JSON object");
                return null;
            }
            if (first != JsonToken.START_OBJECT) {
                problems.add("", "expected a JSON object at the top level, got " + tokenKind(first));
                return null;
            }
            ObjectNode root = readObject(p, problems);
            if (root == null) return null;
            JsonToken after = p.nextToken();
            if (after != null) {
                problems.add("", "unexpected content after the JSON object" + at(p.currentTokenLocation()));
                return null;
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation() != null ? e.getLocation() : p.currentLocation();
            problems.add("", "malformed JSON" + at(where) + ": " + reason(e));
            return null;
        } catch (IOException e) {
            problems.add("", "body could not be read");
            return null;
        }
    }

    /** Checks a tree built elsewhere (the CLI's YAML) against the same depth limit; true when within it. */
    public static boolean checkDepth(JsonNode root, Problems problems) {
        record Entry(JsonNode node, String path, int depth) {}
        Deque<Entry> todo = new ArrayDeque<>();
        todo.push(new Entry(root, "", 1));
        while (!todo.isEmpty()) {
            Entry e = todo.pop();
            if (e.depth > MAX_DEPTH) {
                problems.add(e.path, tooDeep());
                return false;
            }
            if (e.node.isObject()) {
                for (Map.Entry<String, JsonNode> f : e.node.properties()) {
                    if (f.getValue().isContainerNode()) {
                        todo.push(new Entry(f.getValue(), Problems.child(e.path, f.getKey()), e.depth + 1));
                    }
                }
            } else if (e.node.isArray()) {
                for (int i = 0; i < e.node.size(); i++) {
                    if (e.node.get(i).isContainerNode()) {
                        todo.push(new Entry(e.node.get(i), Problems.child(e.path, i), e.depth + 1));
                    }
                }
            }
        }
        return true;
    }

    static String tooDeep() {
        return "nested too deeply: objects and arrays may nest at most " + MAX_DEPTH + " levels";
    }

    /** One open container while reading: where it sits and, for an object, the key just read. */
    private static final class Frame {
        final ContainerNode<?> node;
        final String path;
        String key;

        Frame(ContainerNode<?> node, String path) {
            this.node = node;
            this.path = path;
        }

        String childPath() {
            return node.isObject() ? Problems.child(path, key) : Problems.child(path, node.size());
        }

        /** Adds a value; a repeated key is a problem and keeps the first value. */
        void add(JsonNode value, Problems problems) {
            if (node instanceof ObjectNode o) {
                if (o.has(key)) problems.add(childPath(), "duplicate key; each key may appear only once");
                else o.set(key, value);
            } else {
                ((ArrayNode) node).add(value);
            }
        }
    }

    /** Reads from just after the top-level START_OBJECT to its END_OBJECT. */
    private static ObjectNode readObject(JsonParser p, Problems problems) throws IOException {
        ObjectNode root = NODES.objectNode();
        Deque<Frame> open = new ArrayDeque<>();
        Frame current = new Frame(root, "");
        while (true) {
            JsonToken t = p.nextToken();
            if (t == null) throw new IllegalStateException("parser ended inside an object"); // the parser reports EOF itself
            switch (t) {
                case FIELD_NAME -> current.key = p.currentName();
                case END_OBJECT, END_ARRAY -> {
                    if (open.isEmpty()) return root;
                    current = open.pop();
                }
                case START_OBJECT, START_ARRAY -> {
                    String path = current.childPath();
                    if (open.size() + 2 > MAX_DEPTH) {
                        problems.add(path, tooDeep());
                        return null;
                    }
                    ContainerNode<?> child = t == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
                    current.add(child, problems);
                    open.push(current);
                    current = new Frame(child, path);
                }
                default -> current.add(scalar(p, t), problems);
            }
        }
    }

    private static JsonNode scalar(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_STRING -> TextNode.valueOf(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> IntNode.valueOf(p.getIntValue());
                case LONG -> LongNode.valueOf(p.getLongValue());
                default -> BigIntegerNode.valueOf(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> DecimalNode.valueOf(p.getDecimalValue());
            case VALUE_TRUE -> BooleanNode.TRUE;
            case VALUE_FALSE -> BooleanNode.FALSE;
            case VALUE_NULL -> NullNode.getInstance();
            default -> throw new IllegalStateException("unexpected JSON token " + t);
        };
    }

    private static String tokenKind(JsonToken t) {
        return switch (t) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name().toLowerCase(java.util.Locale.ROOT) : t.asString();
        };
    }

    private static String at(JsonLocation loc) {
        if (loc == null || loc.getLineNr() < 1) return "";
        return " at line %d, column %d".formatted(loc.getLineNr(), loc.getColumnNr());
    }

    /**
     * Jackson's reason, made fit for a user: first line only, no source excerpt, no internal class,
     * feature or method names, at most 160 characters.
     */
    static String reason(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        if (e instanceof StreamConstraintsException) {
            StreamReadConstraints limits = FACTORY.streamReadConstraints();
            if (m == null) return "the input exceeds a parser limit";
            if (m.startsWith("Number")) return "a number is longer than %d characters".formatted(limits.getMaxNumberLength());
            if (m.startsWith("Name")) return "a key is longer than %d characters".formatted(limits.getMaxNameLength());
            if (m.startsWith("String")) return "a string is longer than %d characters".formatted(limits.getMaxStringLength());
            if (m.contains("nesting")) return tooDeep();
            return "the input exceeds a parser limit";
        }
        if (m == null || m.isBlank()) return "unreadable input";
        m = m.lines().findFirst().orElse("");
        for (String cut : new String[] {" (start marker at", " (not recognized as one", " [Source", "[Source"}) {
            int i = m.indexOf(cut);
            if (i >= 0) m = m.substring(0, i);
        }
        int tick = m.indexOf('`');
        if (tick >= 0) m = m.substring(0, tick).replaceAll("[\\s:,;(]*(enable|from|use)?\\s*$", "");
        m = m.strip();
        if (m.length() > 160) m = m.substring(0, 160) + "...";
        return m.isEmpty() ? "unreadable input" : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }
}
