package io.nightshift.api.queue;

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
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns a queue definition ({@code POST/PUT /v1/queues}) into a {@link QueueSpec}, or throws one
 * {@link InvalidSpecException} listing every problem by JSON Pointer, like {@code JobSpecParser}: the
 * body is size- and depth-capped, every field type-checked and bounded, unknown fields are problems.
 *
 * <pre>
 * name             string [a-z0-9][a-z0-9_-]{0,63}                 required (or from the URL path)
 * weight           number in (0, 1000]                             default 1
 * guarantee        {cpus 0..1048576, memMb 0..2^40, diskMb 0..2^50, gpus 0..65536}, absent fields 0;
 *                  must not exceed limit in any dimension           default none (all 0)
 * limit            same shape; an absent field is unlimited in that dimension (its maximum) default none
 * maxRunning       integer 1..100000                               default none (no cap)
 * defaultPriority  integer -1000..1000                             default 0
 * acl              {admins, submitters, readers}: arrays of at most 256 token subjects each
 *                  ({@link QueueAcl#SUBJECT})                         default none
 * pendingTimeout   ISO-8601 duration PT1S..P30D: a job of the queue that sets none ends UNSCHEDULABLE
 *                  when a task waited unplaced this long           default none (wait forever)
 * </pre>
 * Thread-safe; all methods are static and pure.
 */
public final class QueueSpecParser {
    public static final int MAX_BODY_BYTES = 64 * 1024;
    public static final double MAX_WEIGHT = 1000;
    public static final long MAX_CPUS = 1_048_576, MAX_MEM_MB = 1L << 40, MAX_DISK_MB = 1L << 50;
    public static final int MAX_GPUS = 65_536, MAX_RUNNING = 100_000;
    public static final int MIN_PRIORITY = -1000, MAX_PRIORITY = 1000;
    /** What an absent dimension of {@code limit} means: as much as a queue may ever have. */
    public static final Resources UNLIMITED = new Resources(MAX_CPUS, MAX_MEM_MB, MAX_DISK_MB, MAX_GPUS);

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final List<String> FIELDS = List.of("name", "weight", "guarantee", "limit", "maxRunning",
            "defaultPriority", "acl", "pendingTimeout");
    private static final List<String> ACL_FIELDS = List.of("admins", "submitters", "readers");
    private static final Pattern SUBJECT = Pattern.compile(QueueAcl.SUBJECT);
    private static final List<String> RESOURCE_FIELDS = List.of("cpus", "memMb", "diskMb", "gpus");

    private QueueSpecParser() {
    }

    public static QueueSpec parse(String json) throws InvalidSpecException {
        return parse(json == null ? null : json.getBytes(StandardCharsets.UTF_8), null);
    }

    public static QueueSpec parse(byte[] json) throws InvalidSpecException {
        return parse(json, null);
    }

    /**
     * Parses a body for the queue named {@code pathName} in the URL ({@code PUT /v1/queues/{name}}); the
     * body may leave {@code name} out, and must not name another queue. {@code pathName} null: the body names it.
     */
    public static QueueSpec parse(byte[] json, String pathName) throws InvalidSpecException {
        if (json != null && json.length > MAX_BODY_BYTES) {
            throw new InvalidSpecException("", "body is %d bytes, more than the limit of %d bytes"
                    .formatted(json.length, MAX_BODY_BYTES));
        }
        Problems problems = new Problems();
        ObjectNode root = JsonBodyReader.read(json == null ? new byte[0] : json, problems);
        if (root == null) throw problems.exception();
        return new Check(problems).queue(root, pathName);
    }

    /** Checks a tree built elsewhere (the CLI reads YAML into one). */
    public static QueueSpec parse(JsonNode tree) throws InvalidSpecException {
        Problems problems = new Problems();
        if (tree == null || !tree.isObject()) {
            problems.add("", "expected a JSON object at the top level");
        } else if (JsonBodyReader.checkDepth(tree, problems)) {
            return new Check(problems).queue((ObjectNode) tree, null);
        }
        throw problems.exception();
    }

    private static final class Check {
        private final Problems problems;

        Check(Problems problems) {
            this.problems = problems;
        }

        QueueSpec queue(ObjectNode root, String pathName) {
            for (Map.Entry<String, JsonNode> e : root.properties()) {
                if (!FIELDS.contains(e.getKey())) {
                    problems.add(child("", e.getKey()), "unknown field; known fields: " + String.join(", ", FIELDS));
                }
            }
            String name = name(root.get("name"), pathName);
            BigDecimal weight = decimal(present(root, "weight"), "/weight", BigDecimal.ZERO, false,
                    BigDecimal.valueOf(MAX_WEIGHT), "a number > 0 and <= 1000");
            Resources guarantee = resources(present(root, "guarantee"), "/guarantee", Resources.ZERO);
            Resources limit = resources(present(root, "limit"), "/limit", UNLIMITED);
            Long maxRunning = integer(present(root, "maxRunning"), "/maxRunning", 1, MAX_RUNNING);
            Long priority = integer(present(root, "defaultPriority"), "/defaultPriority", MIN_PRIORITY, MAX_PRIORITY);
            QueueAcl acl = acl(present(root, "acl"));
            java.time.Duration pendingTimeout = pendingTimeout(present(root, "pendingTimeout"));
            if (guarantee != null && limit != null) {
                exceeds("cpus", guarantee.cpus(), limit.cpus());
                exceeds("memMb", guarantee.memMb(), limit.memMb());
                exceeds("diskMb", guarantee.diskMb(), limit.diskMb());
                exceeds("gpus", guarantee.gpus(), limit.gpus());
            }
            if (!problems.isEmpty()) throw problems.exception();
            return new QueueSpec(name, weight == null ? 1 : weight.doubleValue(), guarantee, limit,
                    maxRunning == null ? null : maxRunning.intValue(), priority == null ? 0 : priority.intValue(), acl,
                    pendingTimeout);
        }

        private QueueAcl acl(JsonNode n) {
            if (n == null) return QueueAcl.EMPTY;
            if (!n.isObject()) {
                problems.add("/acl", "must be an object {admins, submitters, readers}, got " + describe(n));
                return null;
            }
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                if (!ACL_FIELDS.contains(e.getKey()))
                    problems.add(child("/acl", e.getKey()), "unknown field; known fields: " + String.join(", ", ACL_FIELDS));
            }
            return new QueueAcl(subjects(n.get("admins"), "/acl/admins"), subjects(n.get("submitters"), "/acl/submitters"),
                    subjects(n.get("readers"), "/acl/readers"));
        }

        private List<String> subjects(JsonNode n, String at) {
            if (n == null) return List.of();
            if (!n.isArray()) {
                problems.add(at, "must be an array of token subjects, got " + describe(n));
                return List.of();
            }
            if (n.size() > QueueAcl.MAX_ENTRIES) {
                problems.add(at, "at most %d subjects, got %d".formatted(QueueAcl.MAX_ENTRIES, n.size()));
                return List.of();
            }
            List<String> out = new java.util.ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                JsonNode s = n.get(i);
                if (!s.isTextual() || !SUBJECT.matcher(s.textValue()).matches())
                    problems.add(at + "/" + i, "must be a token subject (1 to 128 letters, digits, '.', '_', '@' or '-'), got "
                            + describe(s));
                else if (!out.contains(s.textValue())) out.add(s.textValue());
            }
            return out;
        }

        private java.time.Duration pendingTimeout(JsonNode n) {
            if (n == null) return null;
            java.time.Duration d = null;
            if (n.isTextual() && n.textValue().length() <= 64) {
                try {
                    d = java.time.Duration.parse(n.textValue());
                } catch (java.time.format.DateTimeParseException | ArithmeticException e) {
                    d = null;
                }
            }
            if (d == null || d.compareTo(java.time.Duration.ofSeconds(1)) < 0 || d.compareTo(java.time.Duration.ofDays(30)) > 0) {
                problems.add("/pendingTimeout", "must be an ISO-8601 duration from PT1S to P30D (like PT15M), got "
                        + describe(n));
                return null;
            }
            return d;
        }

        private void exceeds(String dim, double guaranteed, double limit) {
            if (guaranteed > limit) {
                problems.add("/guarantee/" + dim, "must not exceed limit.%s (%s), got %s".formatted(dim,
                        plain(limit), plain(guaranteed)));
            }
        }

        private static String plain(double v) {
            return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
        }

        private String name(JsonNode n, String pathName) {
            if (n == null || n.isNull()) {
                if (pathName != null) return checkedName(pathName, "/name");
                problems.add("/name", n == null ? "is required: the queue's name, such as etl or ml-training"
                        : "must not be null");
                return null;
            }
            if (!n.isTextual()) {
                problems.add("/name", "must be a string, got " + describe(n));
                return null;
            }
            String name = checkedName(n.textValue(), "/name");
            if (name != null && pathName != null && !name.equals(pathName)) {
                problems.add("/name", "must match the queue in the URL (%s), got %s".formatted(quote(pathName), quote(name)));
                return null;
            }
            return name;
        }

        private String checkedName(String s, String path) {
            if (!NAME.matcher(s).matches()) {
                problems.add(path, "must be 1 to 64 lower-case letters, digits, '_' or '-', starting with a letter "
                        + "or digit, got " + quote(s));
                return null;
            }
            return s;
        }

        /** The field's node; null when absent; an explicit null is a problem. */
        private JsonNode present(ObjectNode o, String field) {
            JsonNode n = o.get(field);
            if (n != null && n.isNull()) {
                problems.add("/" + field, "must not be null; leave the field out to get the default");
                return null;
            }
            return n;
        }

        private Resources resources(JsonNode n, String at, Resources absent) {
            if (n == null) return at.equals("/limit") ? null : Resources.ZERO;
            if (!n.isObject()) {
                problems.add(at, "must be an object {cpus, memMb, diskMb, gpus}, got " + describe(n));
                return null;
            }
            ObjectNode o = (ObjectNode) n;
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                if (!RESOURCE_FIELDS.contains(e.getKey())) {
                    problems.add(child(at, e.getKey()), "unknown field; known fields: " + String.join(", ", RESOURCE_FIELDS));
                }
            }
            int before = problems.count();
            BigDecimal cpus = decimal(nonNull(o, at, "cpus"), at + "/cpus", BigDecimal.ZERO, true,
                    BigDecimal.valueOf(MAX_CPUS), "a number >= 0 and <= " + MAX_CPUS);
            Long mem = integer(nonNull(o, at, "memMb"), at + "/memMb", 0, MAX_MEM_MB);
            Long disk = integer(nonNull(o, at, "diskMb"), at + "/diskMb", 0, MAX_DISK_MB);
            Long gpus = integer(nonNull(o, at, "gpus"), at + "/gpus", 0, MAX_GPUS);
            if (problems.count() != before) return null;
            return new Resources(cpus == null ? absent.cpus() : cpus.doubleValue(), mem == null ? absent.memMb() : mem,
                    disk == null ? absent.diskMb() : disk, gpus == null ? absent.gpus() : gpus.intValue());
        }

        private JsonNode nonNull(ObjectNode o, String at, String field) {
            JsonNode n = o.get(field);
            if (n != null && n.isNull()) {
                problems.add(child(at, field), "must not be null; leave the field out to get the default");
                return null;
            }
            return n;
        }

        private BigDecimal decimal(JsonNode n, String path, BigDecimal min, boolean minInclusive, BigDecimal max,
                String rule) {
            if (n == null) return null;
            BigDecimal v = number(n);
            if (v == null || (minInclusive ? v.compareTo(min) < 0 : v.compareTo(min) <= 0) || v.compareTo(max) > 0) {
                problems.add(path, "must be %s, got %s".formatted(rule, describe(n)));
                return null;
            }
            return v;
        }

        private Long integer(JsonNode n, String path, long min, long max) {
            if (n == null) return null;
            BigDecimal v = number(n);
            if (v == null || v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0
                    || v.stripTrailingZeros().scale() > 0) {
                problems.add(path, "must be an integer from %d to %d, got %s".formatted(min, max, describe(n)));
                return null;
            }
            return v.longValue();
        }

        private static BigDecimal number(JsonNode n) {
            if (!n.isNumber()) return null;
            if ((n.isDouble() || n.isFloat()) && !Double.isFinite(n.doubleValue())) return null;
            return n.decimalValue();
        }
    }
}
