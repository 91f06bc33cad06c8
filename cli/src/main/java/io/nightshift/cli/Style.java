package io.nightshift.cli;

import java.util.Map;

/**
 * ANSI colours for states, or none ({@link #PLAIN}). Which one a command uses is decided once by
 * {@link Terminal#colours}. {@link Table} measures cells without these codes, so columns stay aligned.
 */
final class Style {
    static final Style PLAIN = new Style(false);
    static final Style ANSI = new Style(true);

    private static final String RESET = "\u001b[0m";
    private static final Map<String, String> STATES = Map.ofEntries(
            Map.entry("SUCCEEDED", "\u001b[32m"), Map.entry("FINISHED", "\u001b[32m"), Map.entry("ACTIVE", "\u001b[32m"),
            Map.entry("FAILED", "\u001b[1;31m"), Map.entry("LOST", "\u001b[1;31m"),
            Map.entry("RUNNING", "\u001b[34m"),
            Map.entry("QUEUED", "\u001b[33m"), Map.entry("PENDING", "\u001b[33m"), Map.entry("STAGING", "\u001b[33m"),
            Map.entry("FETCHING", "\u001b[33m"), Map.entry("DISCONNECTED", "\u001b[33m"),
            Map.entry("KILLED", "\u001b[2m"));

    private final boolean on;

    private Style(boolean on) {
        this.on = on;
    }

    static Style of(boolean colours) {
        return colours ? ANSI : PLAIN;
    }

    boolean on() {
        return on;
    }

    /** A state's name, coloured by what it means (green done, red failed, blue running, yellow waiting). */
    String state(Object state) {
        if (state == null) return null;
        String s = state.toString();
        String code = on ? STATES.get(s.split(" ", 2)[0]) : null;
        return code == null ? s : code + s + RESET;
    }

    /** Text dimmed (times, hints). */
    String dim(String s) {
        return on && s != null ? "\u001b[2m" + s + RESET : s;
    }

    /** The visible text of {@code s}, without colour codes. */
    static String strip(String s) {
        return s.replaceAll("\u001b\\[[0-9;]*m", "");
    }
}
