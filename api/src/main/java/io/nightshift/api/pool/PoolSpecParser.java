package io.nightshift.api.pool;

import static io.nightshift.api.spec.Problems.child;
import static io.nightshift.api.spec.Problems.describe;
import static io.nightshift.api.spec.Problems.quote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nightshift.api.Resources;
import io.nightshift.api.spec.InvalidSpecException;
import io.nightshift.api.spec.JsonBodyReader;
import io.nightshift.api.spec.Problems;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a pool definition ({@code POST /v1/pools}, {@code PUT /v1/pools/{name}}) into a {@link PoolSpec},
 * or throws one {@link InvalidSpecException} listing every problem by JSON Pointer. Unknown fields are problems.
 *
 * <pre>
 * name         string [a-z0-9][a-z0-9-]{0,62} (the agents' agent.pool)   required (or from the URL path)
 * reservation  {cpus 0..4096, memMb 0..2^32, diskMb, gpus}: kept for the owners on each machine of the pool   default 0
 * headroom     {cpuPercent 0..100, memMb 0..2^32}: kept free above the owners' measured load    default 0
 * windows      at most 16 of {name [a-z0-9][a-z0-9-]{0,62}, unique in the pool;
 *                             zone: an IANA time zone such as Europe/Amsterdam (or UTC);
 *                             ranges: 1..32 of {from, to}, each "HH:mm" (daily) or "Sat 00:00" (weekly,
 *                                     Mon..Sun), both ends of one kind, from != to, not overlapping
 *                                     another range of the same window}          default none
 * reclaimLead  ISO-8601 duration PT0S..PT1H: how long before a window closes its lent capacity is taken back
 *                                                                                 default PT30S
 * </pre>
 * Windows of one pool may overlap each other ({@code night} and {@code weekend} do): a job names the one it
 * waits for, and the reservation is lent while any is open. Pure and thread-safe.
 */
public final class PoolSpecParser {
    public static final int MAX_BODY_BYTES = 64 * 1024;
    public static final int MAX_WINDOWS = 16;
    public static final int MAX_RANGES = 32;
    public static final double MAX_CPUS = 4096;
    public static final long MAX_MEM_MB = 1L << 32;

    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern POINT = Pattern.compile("(?:([A-Za-z]{3})\\s+)?([01]\\d|2[0-3]):([0-5]\\d)");
    private static final List<String> FIELDS = List.of("name", "reservation", "headroom", "windows", "reclaimLead");
    public static final java.time.Duration MAX_RECLAIM_LEAD = java.time.Duration.ofHours(1);
    private static final List<String> WINDOW_FIELDS = List.of("name", "zone", "ranges");
    private static final List<String> RANGE_FIELDS = List.of("from", "to");
    private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

    private PoolSpecParser() {
    }

    public static PoolSpec parse(String json) throws InvalidSpecException {
        return parse(json == null ? null : json.getBytes(java.nio.charset.StandardCharsets.UTF_8), null);
    }

    /** {@code pathName}: the pool named in the URL ({@code PUT}); the body may then leave {@code name} out. */
    public static PoolSpec parse(byte[] json, String pathName) throws InvalidSpecException {
        if (json != null && json.length > MAX_BODY_BYTES)
            throw new InvalidSpecException("", "body is %d bytes, more than the limit of %d bytes".formatted(json.length,
                    MAX_BODY_BYTES));
        Problems problems = new Problems();
        ObjectNode root = JsonBodyReader.read(json == null ? new byte[0] : json, problems);
        if (root == null) throw problems.exception();
        return new Check(problems).pool(root, pathName);
    }

    /** Checks a tree built elsewhere (the CLI reads YAML into one). */
    public static PoolSpec parse(JsonNode tree) throws InvalidSpecException {
        Problems problems = new Problems();
        if (tree == null || !tree.isObject()) problems.add("", "expected a JSON object at the top level");
        else if (JsonBodyReader.checkDepth(tree, problems)) return new Check(problems).pool((ObjectNode) tree, null);
        throw problems.exception();
    }

    /** A range from its two texts; throws IllegalArgumentException with a message a user can act on. */
    static TimeRange range(String from, String to) {
        Object[] f = point(from);
        Object[] t = point(to);
        if (f == null) throw new IllegalArgumentException("from: not HH:mm or 'Sat 00:00': " + from);
        if (t == null) throw new IllegalArgumentException("to: not HH:mm or 'Sat 00:00': " + to);
        return new TimeRange((DayOfWeek) f[0], (LocalTime) f[1], (DayOfWeek) t[0], (LocalTime) t[1]);
    }

    /** "22:00" → {null, 22:00}; "Sat 00:00" → {SATURDAY, 00:00}; null when neither. */
    private static Object[] point(String s) {
        if (s == null || s.length() > 16) return null;
        Matcher m = POINT.matcher(s.trim());
        if (!m.matches()) return null;
        DayOfWeek day = null;
        if (m.group(1) != null) {
            int i = DAYS.indexOf(m.group(1).toLowerCase(Locale.ROOT));
            if (i < 0) return null;
            day = DayOfWeek.of(i + 1);
        }
        return new Object[] {day, LocalTime.of(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)))};
    }

    private static final class Check {
        private final Problems problems;

        Check(Problems problems) {
            this.problems = problems;
        }

        PoolSpec pool(ObjectNode root, String pathName) {
            unknown(root, "", FIELDS);
            String name = name(root.get("name"), pathName);
            Resources reservation = reservation(present(root, "", "reservation"));
            Headroom headroom = headroom(present(root, "", "headroom"));
            List<WindowSpec> windows = windows(present(root, "", "windows"));
            java.time.Duration lead = reclaimLead(present(root, "", "reclaimLead"));
            if (!problems.isEmpty()) throw problems.exception();
            return new PoolSpec(name, reservation, headroom, windows, lead);
        }

        private String name(JsonNode n, String pathName) {
            if (n == null || n.isNull()) {
                if (pathName != null) return checkedName(pathName, "/name", "pool");
                problems.add("/name", n == null ? "is required: the pool's name, as the agents give it in agent.pool"
                        : "must not be null");
                return null;
            }
            if (!n.isTextual()) {
                problems.add("/name", "must be a string, got " + describe(n));
                return null;
            }
            String name = checkedName(n.textValue(), "/name", "pool");
            if (name != null && pathName != null && !name.equals(pathName)) {
                problems.add("/name", "must match the pool in the URL (%s), got %s".formatted(quote(pathName), quote(name)));
                return null;
            }
            return name;
        }

        private String checkedName(String s, String path, String what) {
            if (!NAME.matcher(s).matches()) {
                problems.add(path, "must be 1 to 63 lower-case letters, digits or '-', starting with a letter or digit "
                        + "(the " + what + "'s name), got " + quote(s));
                return null;
            }
            return s;
        }

        private Resources reservation(JsonNode n) {
            if (n == null) return Resources.ZERO;
            if (!object(n, "/reservation", "{cpus, memMb}")) return null;
            ObjectNode o = (ObjectNode) n;
            unknown(o, "/reservation", List.of("cpus", "memMb", "diskMb", "gpus"));
            BigDecimal cpus = number(present(o, "/reservation", "cpus"), "/reservation/cpus", MAX_CPUS, false);
            BigDecimal mem = number(present(o, "/reservation", "memMb"), "/reservation/memMb", MAX_MEM_MB, true);
            BigDecimal disk = number(present(o, "/reservation", "diskMb"), "/reservation/diskMb", 1L << 40, true);
            BigDecimal gpus = number(present(o, "/reservation", "gpus"), "/reservation/gpus", 1024, true);
            return new Resources(cpus == null ? 0 : cpus.doubleValue(), mem == null ? 0 : mem.longValue(),
                    disk == null ? 0 : disk.longValue(), gpus == null ? 0 : gpus.intValue());
        }

        private java.time.Duration reclaimLead(JsonNode n) {
            if (n == null) return null;
            java.time.Duration d = null;
            if (n.isTextual() && n.textValue().length() <= 32) {
                try {
                    d = java.time.Duration.parse(n.textValue());
                } catch (java.time.format.DateTimeParseException e) {
                    d = null;
                }
            }
            if (d == null || d.isNegative() || d.compareTo(MAX_RECLAIM_LEAD) > 0) {
                problems.add("/reclaimLead", "must be an ISO-8601 duration from PT0S to PT1H (how long before a window "
                        + "closes its capacity is taken back), got " + describe(n));
                return null;
            }
            return d;
        }

        private Headroom headroom(JsonNode n) {
            if (n == null) return Headroom.NONE;
            if (!object(n, "/headroom", "{cpuPercent, memMb}")) return null;
            unknown((ObjectNode) n, "/headroom", List.of("cpuPercent", "memMb"));
            BigDecimal pct = number(present((ObjectNode) n, "/headroom", "cpuPercent"), "/headroom/cpuPercent", 100, false);
            BigDecimal mem = number(present((ObjectNode) n, "/headroom", "memMb"), "/headroom/memMb", MAX_MEM_MB, true);
            return new Headroom(pct == null ? 0 : pct.doubleValue(), mem == null ? 0 : mem.longValue());
        }

        private List<WindowSpec> windows(JsonNode n) {
            if (n == null) return List.of();
            if (!n.isArray()) {
                problems.add("/windows", "must be an array of windows {name, zone, ranges}, got " + describe(n));
                return List.of();
            }
            if (n.size() > MAX_WINDOWS) {
                problems.add("/windows", "at most %d windows, got %d".formatted(MAX_WINDOWS, n.size()));
                return List.of();
            }
            List<WindowSpec> out = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                String at = child("/windows", i);
                JsonNode w = n.get(i);
                if (!object(w, at, "{name, zone, ranges}")) continue;
                ObjectNode o = (ObjectNode) w;
                unknown(o, at, WINDOW_FIELDS);
                String name = null;
                JsonNode nn = o.get("name");
                if (nn == null || !nn.isTextual()) problems.add(at + "/name", "is required: a string such as night, got "
                        + (nn == null ? "nothing" : describe(nn)));
                else name = checkedName(nn.textValue(), at + "/name", "window");
                if (name != null && names.contains(name)) {
                    problems.add(at + "/name", "window " + quote(name) + " is declared twice in this pool");
                    name = null;
                }
                if (name != null) names.add(name);
                ZoneId zone = zone(o.get("zone"), at + "/zone");
                List<TimeRange> ranges = ranges(o.get("ranges"), at + "/ranges");
                if (name != null && zone != null && ranges != null) out.add(new WindowSpec(name, zone, ranges));
            }
            return out;
        }

        private ZoneId zone(JsonNode n, String at) {
            if (n == null || !n.isTextual() || n.textValue().length() > 64) {
                problems.add(at, "is required: an IANA time zone such as Europe/Amsterdam or UTC, got "
                        + (n == null ? "nothing" : describe(n)));
                return null;
            }
            try {
                return ZoneId.of(n.textValue());
            } catch (DateTimeException e) {
                problems.add(at, "unknown time zone " + quote(n.textValue()) + "; use an IANA name such as "
                        + "Europe/Amsterdam, America/New_York or UTC");
                return null;
            }
        }

        private List<TimeRange> ranges(JsonNode n, String at) {
            if (n == null || !n.isArray() || n.isEmpty()) {
                problems.add(at, "is required: an array of 1 to %d ranges {from, to}, got %s".formatted(MAX_RANGES,
                        n == null ? "nothing" : describe(n)));
                return null;
            }
            if (n.size() > MAX_RANGES) {
                problems.add(at, "at most %d ranges, got %d".formatted(MAX_RANGES, n.size()));
                return null;
            }
            int before = problems.count();
            List<TimeRange> out = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                String rat = child(at, i);
                JsonNode r = n.get(i);
                if (!object(r, rat, "{from, to}")) continue;
                unknown((ObjectNode) r, rat, RANGE_FIELDS);
                Object[] from = point(r.get("from"), rat + "/from");
                Object[] to = point(r.get("to"), rat + "/to");
                if (from == null || to == null) continue;
                if ((from[0] == null) != (to[0] == null)) {
                    problems.add(rat + "/to", "both ends need a day (weekly, like \"Sat 00:00\" to \"Mon 06:00\") or "
                            + "neither (daily, like \"22:00\" to \"06:00\")");
                    continue;
                }
                TimeRange tr = new TimeRange((DayOfWeek) from[0], (LocalTime) from[1], (DayOfWeek) to[0], (LocalTime) to[1]);
                if (TimeRange.minuteOf(tr.fromDay(), tr.from()) == TimeRange.minuteOf(tr.toDay(), tr.to())) {
                    problems.add(rat + "/to", "must differ from from (%s): a range of no time, or of all time, is not a window"
                            .formatted(tr.fromText()));
                    continue;
                }
                for (int j = 0; j < out.size(); j++) {
                    if (overlap(out.get(j), tr)) {
                        problems.add(rat, "overlaps %s (%s to %s) of the same window".formatted(child(at, j),
                                out.get(j).fromText(), out.get(j).toText()));
                        break;
                    }
                }
                out.add(tr);
            }
            return problems.count() == before ? out : null;
        }

        private Object[] point(JsonNode n, String at) {
            Object[] p = n != null && n.isTextual() ? PoolSpecParser.point(n.textValue()) : null;
            if (p == null) problems.add(at, "must be a local time \"HH:mm\" (daily) or a day and time like \"Sat 00:00\" "
                    + "(weekly; Mon to Sun), got " + (n == null ? "nothing" : describe(n)));
            return p;
        }

        /** Two ranges overlap when any of their week-minute intervals do (each also shifted by a week, for wrap-around). */
        private static boolean overlap(TimeRange a, TimeRange b) {
            int week = TimeRange.MINUTES_PER_WEEK;
            for (int[] x : a.weekMinutes()) {
                for (int[] y : b.weekMinutes()) {
                    for (int shift = -week; shift <= week; shift += week) {
                        if (x[0] < y[1] + shift && y[0] + shift < x[1]) return true;
                    }
                }
            }
            return false;
        }

        private boolean object(JsonNode n, String at, String shape) {
            if (n.isObject()) return true;
            problems.add(at, "must be an object " + shape + ", got " + describe(n));
            return false;
        }

        private void unknown(ObjectNode o, String at, List<String> known) {
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                if (!known.contains(e.getKey()))
                    problems.add(child(at, e.getKey()), "unknown field; known fields: " + String.join(", ", known));
            }
        }

        private JsonNode present(ObjectNode o, String at, String field) {
            JsonNode n = o.get(field);
            if (n != null && n.isNull()) {
                problems.add(child(at, field), "must not be null; leave the field out to get the default");
                return null;
            }
            return n;
        }

        private BigDecimal number(JsonNode n, String at, double max, boolean integer) {
            if (n == null) return null;
            BigDecimal v = n.isNumber() && (!(n.isDouble() || n.isFloat()) || Double.isFinite(n.doubleValue()))
                    ? n.decimalValue() : null;
            if (v == null || v.signum() < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0
                    || (integer && v.stripTrailingZeros().scale() > 0)) {
                problems.add(at, "must be %s from 0 to %s, got %s".formatted(integer ? "an integer" : "a number",
                        integer ? Long.toString((long) max) : BigDecimal.valueOf(max).stripTrailingZeros().toPlainString(),
                        describe(n)));
                return null;
            }
            return v;
        }
    }
}
