package io.nightshift.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Aligned plain-text columns: a header row, then one row per item, columns separated by two
 * spaces, left-aligned unless marked right-aligned. No trailing spaces; {@code null} cells show
 * as {@code -}. Line breaks inside a cell are replaced by spaces so a row stays one line.
 */
final class Table {
    static final String EMPTY_CELL = "-";

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();
    private final Set<Integer> rightAligned = new HashSet<>();

    private Table(List<String> headers) {
        this.headers = headers;
    }

    static Table of(String... headers) {
        return new Table(List.of(headers));
    }

    Table alignRight(int... columns) {
        for (int c : columns) rightAligned.add(c);
        return this;
    }

    Table row(Object... cells) {
        if (cells.length != headers.size())
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.size() + " columns");
        rows.add(Arrays.stream(cells).map(Table::cell).toList());
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    private static String cell(Object o) {
        if (o == null) return EMPTY_CELL;
        String s = o.toString().replaceAll("[\\r\\n\\t]+", " ");
        return s.isEmpty() ? EMPTY_CELL : s;
    }

    /**
     * Width that {@link #render()} fits tables into: the terminal's columns, set once by {@link Main} for a
     * terminal; {@link Terminal#UNLIMITED} otherwise (pipes and files keep every character).
     */
    static volatile int defaultWidth = Terminal.UNLIMITED;

    /** A column is never cut below this many characters (or its header, when shorter). */
    static final int MIN_COLUMN = 8;

    /** The table as text, one line per row, each ending with a newline. */
    String render() {
        return render("", defaultWidth);
    }

    /** The same, each line starting with {@code indent}. */
    String render(String indent) {
        return render(indent, defaultWidth);
    }

    /**
     * The table fitted into {@code maxWidth} characters a line: while it is wider, the widest column that
     * is still wider than {@link #MIN_COLUMN} (or its header) loses a character, and cells longer than their
     * column end with {@code …}. Colour codes ({@link Style}) take no width.
     */
    String render(String indent, int maxWidth) {
        int n = headers.size();
        int[] width = new int[n];
        for (int c = 0; c < n; c++) width[c] = headers.get(c).length();
        for (List<String> r : rows)
            for (int c = 0; c < n; c++) width[c] = Math.max(width[c], visible(r.get(c)));
        int total = indent.length() + 2 * (n - 1);
        for (int w : width) total += w;
        while (total > maxWidth) {
            int widest = -1;
            for (int c = 0; c < n; c++) {
                int min = Math.max(Math.min(MIN_COLUMN, width[c]), Math.min(headers.get(c).length(), MIN_COLUMN));
                if (width[c] > min && (widest < 0 || width[c] > width[widest])) widest = c;
            }
            if (widest < 0) break; // every column at its minimum: let the terminal wrap
            width[widest]--;
            total--;
        }
        StringBuilder sb = new StringBuilder();
        line(sb, indent, headers, width);
        for (List<String> r : rows) line(sb, indent, r, width);
        return sb.toString();
    }

    private static int visible(String s) {
        return s.indexOf('\u001b') < 0 ? s.length() : Style.strip(s).length();
    }

    private void line(StringBuilder sb, String indent, List<String> cells, int[] width) {
        StringBuilder l = new StringBuilder(indent);
        for (int c = 0; c < cells.size(); c++) {
            if (c > 0) l.append("  ");
            String v = cells.get(c);
            if (visible(v) > width[c]) v = Style.strip(v).substring(0, Math.max(0, width[c] - 1)) + "…";
            int pad = width[c] - visible(v);
            if (rightAligned.contains(c)) l.append(" ".repeat(pad)).append(v);
            else l.append(v).append(" ".repeat(pad));
        }
        int end = l.length();
        while (end > 0 && l.charAt(end - 1) == ' ') end--;
        sb.append(l, 0, end).append('\n');
    }
}
