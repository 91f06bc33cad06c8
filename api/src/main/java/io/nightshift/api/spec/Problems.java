package io.nightshift.api.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the problems found in one input, capped at {@link #MAX} so a hostile body with 100,000
 * unknown fields yields a bounded answer. Also holds the few text helpers every message uses:
 * JSON Pointer paths and short, safe echoes of what the user sent.
 *
 * <p>Public for the other input parsers of the API (queues); not meant for users of the client.
 */
public final class Problems {
    /** At most this many problems are listed; the rest are counted in one final line. */
    static final int MAX = 100;
    /** Echoed user values and path segments are cut to this many characters. */
    static final int ECHO_CHARS = 40;
    private static final int SEGMENT_CHARS = 100;

    private final List<Problem> list = new ArrayList<>();
    private int dropped;

    public void add(String path, String message) {
        if (list.size() < MAX) list.add(new Problem(path, message));
        else dropped++;
    }

    /** Grows with every {@link #add}, listed or not: compare before and after to see if a check failed. */
    public int count() {
        return list.size() + dropped;
    }

    public boolean isEmpty() {
        return count() == 0;
    }

    public InvalidSpecException exception() {
        List<Problem> all = new ArrayList<>(list);
        if (dropped > 0) all.add(new Problem("", "and %d more problems not listed".formatted(dropped)));
        return new InvalidSpecException(all);
    }

    /** The JSON Pointer (RFC 6901) of {@code name} under {@code parent}; very long names are cut. */
    public static String child(String parent, String name) {
        String segment = name.length() > SEGMENT_CHARS ? name.substring(0, SEGMENT_CHARS) + "..." : name;
        return parent + "/" + segment.replace("~", "~0").replace("/", "~1");
    }

    public static String child(String parent, int index) {
        return parent + "/" + index;
    }

    /** A user string as it may appear in a message: quoted, cut to {@link #ECHO_CHARS}, control characters escaped. */
    public static String quote(String s) {
        return '"' + shorten(s) + '"';
    }

    /** Like {@link #quote} with single quotes, for names and types ("unknown type 'spark'"). */
    public static String name(String s) {
        return '\'' + shorten(s) + '\'';
    }

    private static String shorten(String s) {
        StringBuilder b = new StringBuilder();
        int count = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (count++ == ECHO_CHARS) return b.append("...").toString();
            if (Character.isISOControl(cp)) b.append("\\u%04x".formatted(cp));
            else b.appendCodePoint(cp);
            i += Character.charCount(cp);
        }
        return b.toString();
    }

    /** What the user gave, for "…, got X": strings quoted, scalars as written, containers by kind. */
    public static String describe(JsonNode n) {
        if (n == null || n.isNull()) return "null";
        if (n.isTextual()) return quote(n.textValue());
        if (n.isNumber() || n.isBoolean()) return shorten(n.asText());
        if (n.isArray()) return "an array";
        if (n.isObject()) return "an object";
        return "a " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " value";
    }

    /** Like {@link #describe} but never shows the value itself (env values may be secrets). */
    public static String kind(JsonNode n) {
        if (n == null || n.isNull()) return "null";
        if (n.isTextual()) return "a string";
        if (n.isNumber()) return "a number";
        if (n.isBoolean()) return "a boolean";
        if (n.isArray()) return "an array";
        if (n.isObject()) return "an object";
        return "a " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " value";
    }
}
