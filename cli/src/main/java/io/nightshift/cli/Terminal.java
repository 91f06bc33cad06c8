package io.nightshift.cli;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the CLI knows about the terminal it prints to: whether to colour (only on a TTY, never with
 * {@code NO_COLOR} set and non-empty, never for {@code TERM=dumb}) and how wide it is (so tables fit).
 */
final class Terminal {
    /** No width limit: output to a pipe or file keeps every character of every cell. */
    static final int UNLIMITED = Integer.MAX_VALUE;

    private Terminal() {
    }

    /** True when colours may be used: a TTY, no {@code NO_COLOR} (https://no-color.org), not a dumb terminal. */
    static boolean colours(Map<String, String> env, boolean tty) {
        String noColor = env.get("NO_COLOR");
        return tty && (noColor == null || noColor.isEmpty()) && !"dumb".equals(env.get("TERM"));
    }

    /**
     * Columns to fit tables into: {@code COLUMNS} when it is a number (at least 20), else on a TTY what
     * {@code stty size} says, else {@link #UNLIMITED}.
     */
    static int columns(Map<String, String> env, boolean tty) {
        String c = env.get("COLUMNS");
        if (c != null && c.trim().matches("\\d{2,5}") && Integer.parseInt(c.trim()) >= 20) return Integer.parseInt(c.trim());
        if (!tty) return UNLIMITED;
        int stty = sttyColumns();
        return stty >= 20 ? stty : UNLIMITED;
    }

    private static int sttyColumns() {
        File tty = new File("/dev/tty");
        if (!tty.canRead()) return -1;
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(tty).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(1, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            String[] rowsCols = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
            return rowsCols.length == 2 && rowsCols[1].matches("\\d{1,5}") ? Integer.parseInt(rowsCols[1]) : -1;
        } catch (Exception e) {
            return -1; // no stty: no limit
        }
    }
}
