package io.nightshift.api.pool;

import java.time.DayOfWeek;
import java.time.LocalTime;

/**
 * One range of a window in local time: daily ({@code 22:00} to {@code 06:00}: both days null; a {@code to}
 * not after {@code from} ends the next day) or weekly ({@code Sat 00:00} to {@code Mon 06:00}: both days
 * set; a {@code to} not after {@code from} in the week ends the next week).
 */
public record TimeRange(DayOfWeek fromDay, LocalTime from, DayOfWeek toDay, LocalTime to) {
    public static final int MINUTES_PER_WEEK = 7 * 24 * 60;

    public TimeRange {
        if (from == null || to == null) throw new IllegalArgumentException("from and to are required");
        if ((fromDay == null) != (toDay == null)) throw new IllegalArgumentException("both or neither range end need a day");
    }

    public boolean weekly() {
        return fromDay != null;
    }

    /** {@code 22:00} or {@code Sat 00:00}: how the API writes the start. */
    public String fromText() {
        return text(fromDay, from);
    }

    public String toText() {
        return text(toDay, to);
    }

    /** Length in minutes of local time (wall clock, before any DST shift): 1 .. a day or a week. */
    public int minutes() {
        int span = weekly() ? MINUTES_PER_WEEK : 24 * 60;
        int d = minuteOf(toDay, to) - minuteOf(fromDay, from);
        return d <= 0 ? d + span : d;
    }

    /**
     * The minutes of the week [start, end) this range covers, as pairs (start may be followed by an end
     * past {@link #MINUTES_PER_WEEK}: the range wraps into the next week). A daily range gives seven pairs.
     */
    public int[][] weekMinutes() {
        if (weekly()) return new int[][] {{minuteOf(fromDay, from), minuteOf(fromDay, from) + minutes()}};
        int[][] out = new int[7][];
        for (int day = 0; day < 7; day++) {
            int start = day * 24 * 60 + minuteOf(null, from);
            out[day] = new int[] {start, start + minutes()};
        }
        return out;
    }

    /** Minute of the week (Monday 00:00 = 0) for a weekly point, minute of the day for a daily one. */
    static int minuteOf(DayOfWeek day, LocalTime t) {
        return (day == null ? 0 : (day.getValue() - 1) * 24 * 60) + t.getHour() * 60 + t.getMinute();
    }

    private static String text(DayOfWeek day, LocalTime t) {
        String time = "%02d:%02d".formatted(t.getHour(), t.getMinute());
        if (day == null) return time;
        String d = day.name();
        return d.charAt(0) + d.substring(1, 3).toLowerCase(java.util.Locale.ROOT) + " " + time;
    }
}
