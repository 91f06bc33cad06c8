package io.nightshift.api.spec;

import static io.nightshift.api.spec.Problems.child;
import static io.nightshift.api.spec.Problems.describe;
import static io.nightshift.api.spec.Problems.kind;
import static io.nightshift.api.spec.Problems.quote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nightshift.api.Resources;
import io.nightshift.api.json.Json;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * Turns a submitted job spec (JSON bytes or text, or a tree the CLI built from YAML) into a
 * {@link JobSpec}, or throws one {@link InvalidSpecException} listing <em>every</em> problem, each
 * named by the JSON Pointer of the offending field.
 *
 * <p>The input is hostile: the body is size-capped, nesting-capped and read into a tree without
 * recursion; every field is type-checked (explicit {@code null} is a problem, not "absent") and
 * bounded; unknown fields are problems; no string may contain NUL; numbers are checked exactly
 * ({@code 1e400} or {@code 99999999999999999999} are out of range, not Infinity or overflowed).
 * Records are built only when nothing was wrong, so their constructors never throw for input that
 * was accepted. Messages echo at most 40 characters of what was given, and never an env value.
 *
 * <p>Field reference (defaults are applied by the records):
 * <pre>
 * id               string  [A-Za-z0-9][A-Za-z0-9_-]{0,63}       (no dots; generated when absent)
 * name             string  1..200 chars, no control characters  (defaults to id)
 * queue            string  [a-z0-9][a-z0-9_-]{0,63}              default "default"
 * type             string  command | jvm                         required
 * command          {argv: [1..1000 strings of 1..32768 chars, argv[0] not blank] | shell: 1..65536 chars, not blank}
 * jvm              {mainClass (required, Java binary name, ≤512), classpath [0..1000 × 1..4096 chars],
 *                   jvmOptions [0..200 × 1..4096 chars, each starting with '-'], heapMb 16..memMb, javaHome 1..4096 chars}
 * resources        {cpus (0, 1024] = 1, memMb 1..16777216 = 256, diskMb 0..1073741824 = 0, gpus 0..64 = 0}
 * env              ≤256 × [A-Za-z_][A-Za-z0-9_]{0,255} (not NIGHTSHIFT_*) → string ≤32768 chars
 * args             ≤1000 strings of ≤32768 chars
 * retries          {max 0..100 = 0, backoff {initial PT0S..PT24H = PT1S, max initial..PT24H = PT5M}}
 * maxRuntime       ISO-8601 duration in (PT0S, P30D]             default none
 * pendingTimeout   ISO-8601 duration in [PT1S, P30D]; how long a task may wait unplaced before the job
 *                  ends UNSCHEDULABLE; default the queue's pendingTimeout, else wait forever
 * killGracePeriod  ISO-8601 duration in [PT0S, PT1H]             default PT10S
 * priority         integer -1000..1000                           default 0
 * labels           ≤64 × [A-Za-z0-9][A-Za-z0-9._/-]{0,62} → string ≤256 chars
 * instances        integer 1..100                                default 1
 * constraints      ≤32 × {attribute [A-Za-z0-9][A-Za-z0-9._/-]{0,62}, operator, value}, see {@link Constraint}:
 *                  UNIQUE (no value) | CLUSTER [value ≤256 chars] | GROUP_BY [groups 1..10000] |
 *                  LIKE / UNLIKE regex (1..256 chars, must compile) | MAX_PER k 1..10000
 *                  (integers may be given as JSON numbers or decimal strings)   default none
 * gang             boolean: all instances start together or none does         default false
 * deadline         ISO-8601 instant (2026-03-02T06:00:00Z, or with an offset), years 2000..2199, or a time of day
 *                  HH:MM[:SS] (06:00: the next one after submit, or after each firing of a schedule); default none
 * deadlineTime     a time of day as in deadline (how a time-of-day deadline is stored and shown); not with an instant
 * deadlineZone     IANA zone a time-of-day deadline is read in; default the schedule's zone, else UTC
 * expectedRuntime  ISO-8601 duration in (PT0S, P30D]: the runtime admission assumes until the job has successful runs
 * deadlinePolicy   refuse | warn: a deadline admission cannot promise refuses the job (409) or only warns; = refuse
 *                  (deadlineZone, expectedRuntime and deadlinePolicy need a deadline)
 * kafka            {bootstrapServers "host:port[,host:port...]" (required, ≤64 servers), topics [1..100 names of
 *                   [A-Za-z0-9._-]{1,249}] | topicPattern regex (1..256 chars), groupId 1..255 chars (required),
 *                   mode drain | stream (required), handler (Java class name) [classpath as for jvm] | sink {path
 *                   (required, ≤4096 chars: an absolute local directory, hdfs://[cluster]/dir or s3://bucket/prefix),
 *                   format ndjson | parquet = ndjson, rollBytes 1024..1073741824 = 64 MiB, rollInterval PT1S..PT24H = PT5M},
 *                   consumerConfig ≤100 Kafka consumer settings checked by {@link KafkaConsumerConfig},
 *                   maxPollRecords 1..100000 = 500, commitInterval PT0S..PT10M = PT1S, heapMb 16..memMb,
 *                   recordAttempts 1..100 = 3, onPoison fail | deadLetter = fail, deadLetterTopic (a topic name,
 *                   required with deadLetter, not one of topics), stuckAfter PT1S..PT24H = PT5M};
 *                   killGracePeriod must exceed commitInterval (the harness commits and leaves within the grace)
 * artifacts        ≤64 × {uri, sha256, extract, executable, destination, cache}; see {@link ArtifactRules}
 * secrets          ≤32 × env name (as for env, not also in env) → secret name [a-z0-9][a-z0-9_.-]{0,63}; names only,
 *                  never values (an admin stores the values with PUT /v1/secrets/NAME)
 * revocable        boolean; may run on capacity lent by a pool's owners (revoked and re-queued when it is
 *                  taken back)                                                  default false
 * window           [a-z0-9][a-z0-9-]{0,62}: the pool window the job may start only inside (and only when
 *                  maxRuntime fits before it closes)                           default none
 * schedule         {cron (≤256 chars) [syntax unix | quartz = unix, zone (IANA id) = UTC] | at (ISO-8601 instant),
 *                   concurrency forbid | replace = forbid, missed run-once | skip | run-all = run-once,
 *                   missedCap 1..1000 = 10, missedAfter PT1S..P1D = PT1M}; see {@link ScheduleSpec}
 * after            ≤32 × {job (a job id, not this one; each once), state SUCCEEDED | FAILED | ENDED = SUCCEEDED,
 *                   sameDay boolean = false}; see {@link DependencySpec} (cycles are refused at submit)
 * spark            {appResource (required: an artifact's sandbox path, .jar or .py), mainClass (Java class name,
 *                   required for a jar), appArgs [≤1000 × ≤32768 chars], master local | local[N|*] | local[N,F] |
 *                   spark://host:port[,host:port...] | yarn | k8s://http(s)://host[:port] (default local[cpus]),
 *                   deployMode client, conf ≤256 × spark.[A-Za-z0-9._-]{1,250} → ≤4096 chars (not spark.master,
 *                   spark.submit.deployMode, spark.driver.memory, spark.app.name: those have fields),
 *                   jars / files / pyFiles [≤100 × sandbox paths or hdfs/s3a/http(s) URIs, no ','],
 *                   driverMemory [0-9]{1,7}(k|m|g|t) ≤ memMb, sparkVersion N.N.N}; no top-level args (use appArgs)
 * hadoop           {jar (required: an artifact's sandbox path), mainClass (required), args [≤1000 × ≤32768 chars],
 *                   conf ≤256 × [A-Za-z0-9._-]{1,250} → ≤4096 chars, heapMb 16..memMb}; no top-level args
 * </pre>
 * Thread-safe; all methods are static and pure.
 */
public final class JobSpecParser {
    /** Largest accepted body: 1 MiB. The HTTP layer answers 413 above it; {@link #parse(byte[])} checks again. */
    public static final int MAX_BODY_BYTES = 1 << 20;
    /** Objects and arrays may nest this deep (the top-level object is level 1). */
    public static final int MAX_DEPTH = JsonBodyReader.MAX_DEPTH;

    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    static final Pattern QUEUE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    static final Pattern JAVA_BINARY_NAME =
            Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");
    static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,255}");
    static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");
    static final String RESERVED_ENV_PREFIX = "NIGHTSHIFT_";

    static final int MAX_NAME_CHARS = 200;
    static final int MAX_ARGV = 1000, MAX_ARG_CHARS = 32_768, MAX_SHELL_CHARS = 65_536;
    static final int MAX_MAIN_CLASS_CHARS = 512, MAX_CLASSPATH = 1000, MAX_JVM_OPTIONS = 200, MAX_PATH_CHARS = 4096;
    static final long MIN_HEAP_MB = 16;
    static final BigDecimal MAX_CPUS = BigDecimal.valueOf(1024);
    static final long MAX_MEM_MB = 16_777_216L, MAX_DISK_MB = 1_073_741_824L;
    static final int MAX_GPUS = 64;
    static final int MAX_ENV = 256, MAX_ENV_VALUE_CHARS = 32_768;
    /** A secret's name, as in {@code PUT /v1/secrets/NAME}. */
    public static final Pattern SECRET_NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    static final int MAX_SECRETS = 32;
    static final int MAX_ARGS = 1000;
    static final int MAX_RETRIES = 100;
    static final Duration MAX_BACKOFF = Duration.ofHours(24);
    static final Duration MAX_RUNTIME = Duration.ofDays(30);
    static final Duration MAX_KILL_GRACE = Duration.ofHours(1);
    static final int MIN_PRIORITY = -1000, MAX_PRIORITY = 1000;
    static final int MAX_LABELS = 64, MAX_LABEL_VALUE_CHARS = 256;
    static final int MAX_INSTANCES = 100;
    static final int MAX_CONSTRAINTS = 32, MAX_REGEX_CHARS = 256, MAX_CONSTRAINT_INT = 10_000;
    static final Pattern ATTRIBUTE = LABEL_KEY;
    static final Instant MIN_DEADLINE = Instant.parse("2000-01-01T00:00:00Z");
    static final Instant MAX_DEADLINE = Instant.parse("2200-01-01T00:00:00Z");
    static final Pattern TIME_OF_DAY = Pattern.compile("[0-9]{2}:[0-9]{2}(:[0-9]{2})?");

    private static final java.util.regex.Pattern WINDOW = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Set<String> KNOWN_TYPES = Collections.unmodifiableSet(new LinkedHashSet<>(
            Arrays.stream(JobType.values()).map(JobType::wire).toList()));
    /** Top-level fields: the common ones, then one section per job type. */
    private static final List<String> TOP_FIELDS = Stream.concat(
            Stream.of("id", "name", "queue", "type", "resources", "env", "args", "retries", "maxRuntime",
                    "killGracePeriod", "priority", "labels", "instances", "constraints", "gang", "deadline", "pendingTimeout",
                    "artifacts", "secrets", "revocable", "window", "schedule", "after", "deadlineTime", "deadlineZone",
                    "expectedRuntime", "deadlinePolicy"),
            KNOWN_TYPES.stream()).toList();
    private static final List<String> COMMAND_FIELDS = List.of("argv", "shell");
    private static final List<String> JVM_FIELDS = List.of("mainClass", "classpath", "jvmOptions", "heapMb", "javaHome");
    private static final List<String> KAFKA_FIELDS = List.of("bootstrapServers", "topics", "topicPattern", "groupId",
            "mode", "handler", "classpath", "sink", "consumerConfig", "maxPollRecords", "commitInterval", "heapMb",
            "recordAttempts", "onPoison", "deadLetterTopic", "stuckAfter");
    private static final List<String> SPARK_FIELDS = List.of("appResource", "mainClass", "appArgs", "master", "deployMode",
            "conf", "jars", "files", "pyFiles", "driverMemory", "sparkVersion");
    private static final List<String> HADOOP_FIELDS = List.of("jar", "mainClass", "args", "conf", "heapMb");
    static final Pattern SPARK_MASTER = Pattern.compile("local|local\\[([1-9][0-9]{0,3}|\\*)(,[1-9][0-9]{0,2})?\\]"
            + "|spark://[A-Za-z0-9._-]{1,253}:[0-9]{1,5}(,[A-Za-z0-9._-]{1,253}:[0-9]{1,5}){0,15}|yarn"
            + "|k8s://(https?://)?[A-Za-z0-9._-]{1,253}(:[0-9]{1,5})?");
    static final Pattern SPARK_CONF_KEY = Pattern.compile("spark\\.[A-Za-z0-9._-]{1,250}");
    static final Pattern HADOOP_CONF_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,249}");
    static final Pattern SPARK_SIZE = Pattern.compile("([0-9]{1,7})([kmgt])");
    static final Pattern SPARK_VERSION = Pattern.compile("[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");
    static final Pattern URI_LIKE = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:");
    static final Pattern SPARK_URI = Pattern.compile("(hdfs|s3a|https?)://[^\\s]+");
    static final int MAX_CONF = 256, MAX_CONF_VALUE_CHARS = 4096, MAX_SPARK_PATHS = 100;
    private static final Map<String, String> SPARK_CONF_FIELDS = Map.of("spark.master", "spark.master",
            "spark.submit.deployMode", "spark.deployMode", "spark.driver.memory", "spark.driverMemory",
            "spark.app.name", "the job's name");
    private static final Set<String> SPARK_CONF_WITH_FIELD = SPARK_CONF_FIELDS.keySet();
    private static final List<String> SINK_FIELDS = List.of("path", "rollBytes", "rollInterval", "format");
    static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    static final Pattern S3_BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9._-]{1,253}:[0-9]{1,5}|\\[[0-9A-Fa-f:.]{2,45}\\]:[0-9]{1,5}");
    static final int MAX_TOPICS = 100, MAX_BOOTSTRAP = 64, MAX_MAX_POLL_RECORDS = 100_000;
    static final Duration MAX_COMMIT_INTERVAL = Duration.ofMinutes(10);
    private static final List<String> RESOURCES_FIELDS = List.of("cpus", "memMb", "diskMb", "gpus");
    private static final List<String> RETRIES_FIELDS = List.of("max", "backoff");
    private static final List<String> BACKOFF_FIELDS = List.of("initial", "max");
    private static final List<String> CONSTRAINT_FIELDS = List.of("attribute", "operator", "value");
    private static final String OPERATORS = String.join(", ",
            Arrays.stream(Constraint.Operator.values()).map(Enum::name).toList());

    private static final String DURATION_EXAMPLE = "an ISO-8601 duration such as PT30S, PT5M or PT1H30M";
    private static final ObjectWriter CANONICAL = Json.mapper().writer()
            .with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .without(SerializationFeature.INDENT_OUTPUT);

    private JobSpecParser() {
    }

    /** Parses a request body (UTF-8 JSON, at most {@link #MAX_BODY_BYTES}). */
    public static JobSpec parse(byte[] json) throws InvalidSpecException {
        if (json != null && json.length > MAX_BODY_BYTES) {
            throw new InvalidSpecException("", "body is %d bytes, more than the limit of %d bytes (1 MiB)"
                    .formatted(json.length, MAX_BODY_BYTES));
        }
        Problems problems = new Problems();
        ObjectNode root = JsonBodyReader.read(json == null ? new byte[0] : json, problems);
        if (root == null) throw problems.exception();
        return new Check(problems).spec(root);
    }

    /** Parses JSON text; the size limit applies to its UTF-8 encoding. */
    public static JobSpec parse(String json) throws InvalidSpecException {
        if (json == null) return parse((byte[]) null);
        // Every char encodes to at least one UTF-8 byte: longer than the limit in chars means too big.
        if (json.length() > MAX_BODY_BYTES) {
            throw new InvalidSpecException("", "body is more than the limit of %d bytes (1 MiB)".formatted(MAX_BODY_BYTES));
        }
        return parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Checks a tree built elsewhere (the CLI reads YAML into one). Duplicate keys and the body size are
     * the tree builder's business; depth, types and bounds are checked here exactly as for JSON.
     */
    public static JobSpec parse(JsonNode tree) throws InvalidSpecException {
        Problems problems = new Problems();
        if (tree == null || tree.isMissingNode()) {
            problems.add("", "body is empty, expected a JSON object");
        } else if (!tree.isObject()) {
            problems.add("", "expected a JSON object at the top level, got " + kind(tree));
        } else if (JsonBodyReader.checkDepth(tree, problems)) {
            return new Check(problems).spec((ObjectNode) tree);
        }
        throw problems.exception();
    }

    /**
     * SHA-256 (lower-case hex) of the canonical JSON of {@code spec} without its id: defaults
     * applied (the records did that), object keys sorted at every level, no whitespace. Two specs
     * that differ only in id, in key order, or in spelling out a default hash equal; this is what
     * makes resubmission idempotent (same spec → 200, different spec under the same id → 409).
     */
    public static String canonicalHash(JobSpec spec) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(canonicalJson(spec).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The text {@link #canonicalHash} digests. Keys are sorted whatever order the records declare them in. */
    static String canonicalJson(JobSpec spec) {
        // Through plain maps, so ORDER_MAP_ENTRIES_BY_KEYS sorts record properties too, not only env/labels.
        Map<?, ?> generic = Json.mapper().convertValue(spec.withId(null), Map.class);
        try {
            return CANONICAL.writeValueAsString(generic);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code type} values this version accepts, in declaration order: command, jvm. */
    public static Set<String> knownTypes() {
        return KNOWN_TYPES;
    }

    /** One validation pass: reads fields, collects problems, builds records only from checked values. */
    private static final class Check {
        private final Problems problems;
        /** resources.memMb as it will be (given or default), or null when unknown because it is invalid. */
        private Long memMb;

        Check(Problems problems) {
            this.problems = problems;
        }

        JobSpec spec(ObjectNode root) {
            unknownFields(root, "", TOP_FIELDS);
            String id = matching(optional(root, "", "id"), "/id", ID,
                    "1 to 64 letters, digits, '_' or '-', starting with a letter or digit (no dots)");
            String name = name(optional(root, "", "name"));
            String queue = matching(optional(root, "", "queue"), "/queue", QUEUE,
                    "1 to 64 lower-case letters, digits, '_' or '-', starting with a letter or digit");
            JobType type = type(root);

            memMb = root.has("resources") ? null : JobSpec.DEFAULT_RESOURCES.memMb();
            Resources resources = resources(optional(root, "", "resources"));

            CommandSpec command = null;
            JvmSpec jvm = null;
            KafkaSpec kafka = null;
            SparkSpec spark = null;
            HadoopSpec hadoop = null;
            for (JobType section : JobType.values()) {
                String field = section.wire();
                JsonNode node;
                if (type == null) {
                    node = optional(root, "", field);         // type unknown: still check what is there
                } else if (section == type) {
                    node = required(root, "", field, "is required for type " + field);
                } else {
                    if (root.has(field)) {
                        problems.add("/" + field, "is not allowed for type %s: a job has only the section of its own type"
                                .formatted(type.wire()));
                    }
                    continue;
                }
                switch (section) {
                    case COMMAND -> command = command(node);
                    case JVM -> jvm = jvm(node);
                    case KAFKA -> kafka = kafka(node);
                    case SPARK -> spark = spark(node);
                    case HADOOP -> hadoop = hadoop(node);
                }
            }

            Map<String, String> env = env(optional(root, "", "env"));
            List<String> args = strings(optional(root, "", "args"), "/args", 0, MAX_ARGS, 0, MAX_ARG_CHARS, null);
            RetryPolicy retries = retries(optional(root, "", "retries"));
            Duration maxRuntime = duration(optional(root, "", "maxRuntime"), "/maxRuntime",
                    Duration.ZERO, false, MAX_RUNTIME, "> PT0S and <= P30D");
            Duration killGrace = duration(optional(root, "", "killGracePeriod"), "/killGracePeriod",
                    Duration.ZERO, true, MAX_KILL_GRACE, ">= PT0S and <= PT1H");
            Long priority = integer(optional(root, "", "priority"), "/priority", MIN_PRIORITY, MAX_PRIORITY);
            Map<String, String> labels = labels(optional(root, "", "labels"));
            Long instances = integer(optional(root, "", "instances"), "/instances", 1, MAX_INSTANCES);
            List<Constraint> constraints = constraints(optional(root, "", "constraints"));
            Boolean gang = bool(optional(root, "", "gang"), "/gang");
            JsonNode deadlineNode = optional(root, "", "deadline");
            LocalTime deadlineTime = timeOfDay(optional(root, "", "deadlineTime"), "/deadlineTime");
            if (deadlineNode != null && deadlineNode.isTextual() && TIME_OF_DAY.matcher(deadlineNode.textValue()).matches()) {
                if (root.has("deadlineTime")) problems.add("/deadline", "give a time of day in 'deadline' or in 'deadlineTime', not both");
                deadlineTime = timeOfDay(deadlineNode, "/deadline");
                deadlineNode = null;
            }
            Instant deadline = instant(deadlineNode, "/deadline");
            if (deadline != null && deadlineTime != null) problems.add("/deadlineTime", "give a deadline instant or a time of day, not both");
            boolean hasDeadline = root.has("deadline") || root.has("deadlineTime");
            String deadlineZone = string(optional(root, "", "deadlineZone"), "/deadlineZone", 1, 64);
            if (deadlineZone != null) {
                try {
                    java.time.ZoneId.of(deadlineZone);
                } catch (java.time.DateTimeException e) {
                    problems.add("/deadlineZone", "must be an IANA time zone such as Europe/Amsterdam or UTC, got " + quote(deadlineZone));
                }
                if (deadline != null) problems.add("/deadlineZone", "belongs to a time-of-day deadline; a deadline instant has its own offset");
            }
            Duration expectedRuntime = duration(optional(root, "", "expectedRuntime"), "/expectedRuntime",
                    Duration.ZERO, false, MAX_RUNTIME, "> PT0S and <= P30D");
            DeadlinePolicy deadlinePolicy = deadlinePolicy(optional(root, "", "deadlinePolicy"));
            for (String f : List.of("deadlineZone", "expectedRuntime", "deadlinePolicy")) {
                if (root.has(f) && !hasDeadline) problems.add("/" + f, "is used only with a deadline; give 'deadline' too");
            }
            if (kafka != null && (killGrace != null || !root.has("killGracePeriod"))) {
                Duration grace = killGrace != null ? killGrace : JobSpec.DEFAULT_KILL_GRACE;
                if (grace.compareTo(kafka.commitInterval()) <= 0) {
                    problems.add("/killGracePeriod", ("must exceed kafka.commitInterval (%s) so that an instance told to stop "
                            + "can commit and leave its group before it is killed, got %s%s").formatted(kafka.commitInterval(),
                            grace, killGrace == null ? " (the default)" : ""));
                }
            }
            Duration pendingTimeout = duration(optional(root, "", "pendingTimeout"), "/pendingTimeout",
                    Duration.ofSeconds(1), true, MAX_RUNTIME, ">= PT1S and <= P30D");
            List<ArtifactSpec> artifacts = ArtifactRules.check(optional(root, "", "artifacts"), problems);
            Map<String, String> secrets = secrets(optional(root, "", "secrets"), env);
            Boolean revocable = bool(optional(root, "", "revocable"), "/revocable");
            String window = window(optional(root, "", "window"));
            ScheduleSpec schedule = schedule(optional(root, "", "schedule"));
            if ((spark != null || hadoop != null) && args != null && !args.isEmpty()) {
                problems.add("/args", "is not used by %s jobs: give the application's arguments in %s"
                        .formatted(type.wire(), spark != null ? "spark.appArgs" : "hadoop.args"));
            }
            if (spark != null && artifacts != null) {
                fromArtifact(spark.appResource(), "/spark/appResource", artifacts);
                for (int i = 0; i < spark.jars().size(); i++) fromArtifact(spark.jars().get(i), child("/spark/jars", i), artifacts);
                for (int i = 0; i < spark.files().size(); i++) fromArtifact(spark.files().get(i), child("/spark/files", i), artifacts);
                for (int i = 0; i < spark.pyFiles().size(); i++) fromArtifact(spark.pyFiles().get(i), child("/spark/pyFiles", i), artifacts);
            }
            if (hadoop != null && artifacts != null) fromArtifact(hadoop.jar(), "/hadoop/jar", artifacts);
            List<DependencySpec> after = after(optional(root, "", "after"), id);

            if (!problems.isEmpty()) throw problems.exception();
            return new JobSpec(id, name, queue, type, command, jvm, resources, env, args, retries, maxRuntime,
                    killGrace, priority == null ? 0 : priority.intValue(), labels,
                    instances == null ? 1 : instances.intValue(), constraints, gang != null && gang, deadline, kafka,
                    pendingTimeout, artifacts, secrets, revocable != null && revocable, window, schedule, after, spark, hadoop,
                    deadlineTime, deadlineZone, expectedRuntime, deadlinePolicy);
        }

        private String window(JsonNode n) {
            if (n == null) return null;
            if (!n.isTextual() || !WINDOW.matcher(n.textValue()).matches()) {
                problems.add("/window", "must be the name of a pool window (1 to 63 lower-case letters, digits or '-'), "
                        + "such as night, got " + Problems.describe(n));
                return null;
            }
            return n.textValue();
        }

        // ---- after ---------------------------------------------------------------------------

        static final int MAX_AFTER = 32;
        private static final List<String> AFTER_FIELDS = List.of("job", "state", "sameDay");

        private List<DependencySpec> after(JsonNode n, String selfId) {
            if (n == null) return null;
            if (!n.isArray()) {
                problems.add("/after", "must be an array of {job, state, sameDay} objects, got " + describe(n));
                return null;
            }
            if (n.size() > MAX_AFTER) {
                problems.add("/after", "must have at most %d entries, got %d".formatted(MAX_AFTER, n.size()));
                return null;
            }
            int before = problems.count();
            List<DependencySpec> out = new ArrayList<>();
            Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < n.size(); i++) {
                String at = child("/after", i);
                ObjectNode o = object(n.get(i), at, AFTER_FIELDS);
                if (o == null) continue;
                String job = matching(required(o, at, "job", "is required: the id of the job to wait for"), at + "/job", ID,
                        "a job id: 1 to 64 letters, digits, '_' or '-', starting with a letter or digit");
                if (job != null && job.equals(selfId)) problems.add(at + "/job", "a job cannot wait for itself");
                else if (job != null && !seen.add(job)) problems.add(at + "/job", "job '" + job + "' is listed twice");
                DependencySpec.Condition state = null;
                String s = string(optional(o, at, "state"), at + "/state", 1, 16);
                if (s != null) {
                    try {
                        state = DependencySpec.Condition.valueOf(s);
                    } catch (IllegalArgumentException e) {
                        problems.add(at + "/state", "must be SUCCEEDED, FAILED or ENDED, got " + quote(s));
                    }
                }
                Boolean sameDay = bool(optional(o, at, "sameDay"), at + "/sameDay");
                if (job != null) out.add(new DependencySpec(job, state, sameDay != null && sameDay));
            }
            return problems.count() == before ? out : null;
        }

        // ---- schedule ------------------------------------------------------------------------

        /** A library's reason as it may appear in a message: at most 160 characters, control characters replaced. */
        private static String reason(String s) {
            String r = s == null ? "invalid" : s.replaceAll("\\p{Cntrl}", "?");
            return r.length() > 160 ? r.substring(0, 160) + "..." : r;
        }

        private static final List<String> SCHEDULE_FIELDS = List.of("cron", "syntax", "zone", "at", "concurrency", "missed",
                "missedCap", "missedAfter");

        private ScheduleSpec schedule(JsonNode n) {
            ObjectNode o = object(n, "/schedule", SCHEDULE_FIELDS);
            if (o == null) return null;
            int before = problems.count();
            String cron = string(optional(o, "/schedule", "cron"), "/schedule/cron", 1, Crons.MAX_EXPRESSION_CHARS);
            Instant at = instant(optional(o, "/schedule", "at"), "/schedule/at");
            if (o.has("cron") == o.has("at"))
                problems.add("/schedule", "needs exactly one of 'cron' (a repeating schedule) and 'at' (one run at an instant)");
            ScheduleSpec.CronSyntax syntax = null;
            String syntaxName = string(optional(o, "/schedule", "syntax"), "/schedule/syntax", 1, 16);
            if (syntaxName != null && (syntax = ScheduleSpec.CronSyntax.fromWire(syntaxName)) == null)
                problems.add("/schedule/syntax", "must be unix or quartz, got " + quote(syntaxName));
            String zone = string(optional(o, "/schedule", "zone"), "/schedule/zone", 1, 64);
            if (zone != null) {
                try {
                    java.time.ZoneId.of(zone);
                } catch (java.time.DateTimeException e) {
                    problems.add("/schedule/zone", "must be an IANA time zone such as Europe/Amsterdam or UTC, got " + quote(zone));
                }
            }
            if (at != null && (o.has("syntax") || o.has("zone")))
                problems.add("/schedule", "'syntax' and 'zone' belong to 'cron'; 'at' is an instant with its own offset");
            if (cron != null && problems.count() == before) {
                try {
                    Crons.parse(syntax, cron);
                } catch (IllegalArgumentException e) {
                    problems.add("/schedule/cron", "is not a %s cron expression (%s): %s".formatted(
                            syntax == null ? "unix" : syntax.wire(),
                            syntax == ScheduleSpec.CronSyntax.QUARTZ ? "6 or 7 fields, seconds first"
                                    : "5 fields: minute hour day-of-month month day-of-week", reason(e.getMessage())));
                }
            }
            ScheduleSpec.Concurrency concurrency = null;
            String c = string(optional(o, "/schedule", "concurrency"), "/schedule/concurrency", 1, 16);
            if (c != null && (concurrency = ScheduleSpec.Concurrency.fromWire(c)) == null) {
                problems.add("/schedule/concurrency", "allow".equals(c)
                        ? "allow is not supported: a job has one run at a time; use forbid (wait) or replace (kill the running one)"
                        : "must be forbid or replace, got " + quote(c));
            }
            ScheduleSpec.Missed missed = null;
            String m = string(optional(o, "/schedule", "missed"), "/schedule/missed", 1, 16);
            if (m != null && (missed = ScheduleSpec.Missed.fromWire(m)) == null)
                problems.add("/schedule/missed", "must be run-once, skip or run-all, got " + quote(m));
            Long cap = integer(optional(o, "/schedule", "missedCap"), "/schedule/missedCap", 1, 1000);
            Duration after = duration(optional(o, "/schedule", "missedAfter"), "/schedule/missedAfter",
                    Duration.ofSeconds(1), true, Duration.ofDays(1), ">= PT1S and <= P1D");
            if (problems.count() != before) return null;
            return new ScheduleSpec(cron, syntax, zone, at, concurrency, missed, cap == null ? 0 : cap.intValue(), after);
        }

        // ---- placement -----------------------------------------------------------------------

        private List<Constraint> constraints(JsonNode n) {
            if (n == null) return null;
            if (!n.isArray()) {
                problems.add("/constraints", "must be an array of {attribute, operator, value} objects, got " + describe(n));
                return null;
            }
            if (n.size() > MAX_CONSTRAINTS) {
                problems.add("/constraints", "must have at most %d entries, got %d".formatted(MAX_CONSTRAINTS, n.size()));
                return null;
            }
            int before = problems.count();
            List<Constraint> out = new ArrayList<>(n.size());
            for (int i = 0; i < n.size(); i++) out.add(constraint(n.get(i), child("/constraints", i)));
            return problems.count() == before ? out : null;
        }

        private Constraint constraint(JsonNode n, String at) {
            ObjectNode o = object(n, at, CONSTRAINT_FIELDS);
            if (o == null) return null;
            int before = problems.count();
            String attribute = string(required(o, at, "attribute", "is required: the agent attribute to constrain, "
                    + "such as hostname, rack or zone"), at + "/attribute", 1, 63);
            if (attribute != null && !ATTRIBUTE.matcher(attribute).matches()) {
                problems.add(at + "/attribute", "must be 1 to 63 letters, digits, '.', '_', '/' or '-', starting with "
                        + "a letter or digit, got " + quote(attribute));
            }
            Constraint.Operator operator = operator(required(o, at, "operator", "is required; one of " + OPERATORS),
                    at + "/operator");
            JsonNode valueNode = optional(o, at, "value");
            String valuePath = at + "/value";
            String value = null;
            if (operator != null) {
                switch (operator) {
                    case UNIQUE -> {
                        if (valueNode != null) {
                            problems.add(valuePath, "must be left out: UNIQUE allows one instance per value of the attribute");
                        }
                    }
                    case CLUSTER -> value = string(valueNode, valuePath, 1, MAX_LABEL_VALUE_CHARS);
                    case GROUP_BY -> value = count(valueNode, valuePath, false, "the number of groups to spread over");
                    case MAX_PER -> value = count(valueNode, valuePath, true, "k, the most instances per value");
                    case LIKE, UNLIKE -> value = regex(valueNode, valuePath, operator);
                }
            }
            return problems.count() == before ? new Constraint(attribute, operator, value) : null;
        }

        private Constraint.Operator operator(JsonNode n, String path) {
            if (n == null) return null;
            if (n.isTextual()) {
                for (Constraint.Operator op : Constraint.Operator.values()) {
                    if (op.name().equals(n.textValue())) return op;
                }
            }
            problems.add(path, "must be one of %s; got %s".formatted(OPERATORS, describe(n)));
            return null;
        }

        /** A positive integer given as a JSON number or as decimal text, returned as canonical text. */
        private String count(JsonNode n, String path, boolean required, String what) {
            if (n == null) {
                if (required) problems.add(path, "is required: " + what);
                return null;
            }
            BigDecimal v = n.isTextual() && n.textValue().matches("[0-9]{1,9}") ? new BigDecimal(n.textValue()) : number(n);
            if (v == null || !isIntegral(v) || v.compareTo(BigDecimal.ONE) < 0
                    || v.compareTo(BigDecimal.valueOf(MAX_CONSTRAINT_INT)) > 0) {
                problems.add(path, "must be an integer from 1 to %d (%s), got %s".formatted(MAX_CONSTRAINT_INT, what,
                        describe(n)));
                return null;
            }
            return Integer.toString(v.intValueExact());
        }

        private String regex(JsonNode n, String path, Constraint.Operator op) {
            if (n == null) {
                problems.add(path, "is required: a regular expression the attribute value must %smatch as a whole"
                        .formatted(op == Constraint.Operator.UNLIKE ? "not " : ""));
                return null;
            }
            String s = string(n, path, 1, MAX_REGEX_CHARS);
            if (s == null) return null;
            try {
                Pattern.compile(s);
            } catch (PatternSyntaxException e) {
                problems.add(path, "is not a valid regular expression (%s at index %d), got %s"
                        .formatted(e.getDescription(), e.getIndex(), quote(s)));
                return null;
            }
            return s;
        }

        private Boolean bool(JsonNode n, String path) {
            if (n == null) return null;
            if (!n.isBoolean()) {
                problems.add(path, "must be true or false, got " + describe(n));
                return null;
            }
            return n.booleanValue();
        }

        private LocalTime timeOfDay(JsonNode n, String path) {
            if (n == null) return null;
            if (!n.isTextual() || !TIME_OF_DAY.matcher(n.textValue()).matches()) {
                problems.add(path, "must be a time of day HH:MM or HH:MM:SS such as 06:00, got " + describe(n));
                return null;
            }
            try {
                return LocalTime.parse(n.textValue());
            } catch (DateTimeParseException e) {
                problems.add(path, "must be a time of day from 00:00 to 23:59:59, got " + quote(n.textValue()));
                return null;
            }
        }

        private DeadlinePolicy deadlinePolicy(JsonNode n) {
            if (n == null) return null;
            DeadlinePolicy p = n.isTextual() ? DeadlinePolicy.fromWire(n.textValue()) : null;
            if (p == null) problems.add("/deadlinePolicy", "must be refuse or warn, got " + describe(n));
            return p;
        }

        private Instant instant(JsonNode n, String path) {
            if (n == null) return null;
            String example = "an ISO-8601 instant such as 2026-03-02T06:00:00Z or 2026-03-02T07:00:00+01:00"
                    + (path.equals("/deadline") ? ", or a time of day such as 06:00" : "");
            if (!n.isTextual()) {
                problems.add(path, "must be %s (a string), got %s".formatted(example, describe(n)));
                return null;
            }
            String s = string(n, path, 1, 64);
            if (s == null) return null;
            Instant t;
            try {
                t = OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                problems.add(path, "expected %s, got %s".formatted(example, quote(s)));
                return null;
            }
            if (t.isBefore(MIN_DEADLINE) || !t.isBefore(MAX_DEADLINE)) {
                problems.add(path, "must be in the years 2000 to 2199, got " + quote(s));
                return null;
            }
            return t;
        }

        // ---- sections ------------------------------------------------------------------------

        private JobType type(ObjectNode root) {
            String known = String.join(", ", KNOWN_TYPES);
            JsonNode n = required(root, "", "type", "is required; known types: " + known);
            if (n == null) return null;
            if (!n.isTextual()) {
                problems.add("/type", "must be a string, one of: %s; got %s".formatted(known, describe(n)));
                return null;
            }
            JobType type = JobType.fromWire(n.textValue());
            if (type == null) {
                problems.add("/type", "unknown type %s; known types: %s".formatted(Problems.name(n.textValue()), known));
            }
            return type;
        }

        private String name(JsonNode n) {
            String s = string(n, "/name", 1, MAX_NAME_CHARS);
            if (s != null && s.codePoints().anyMatch(Character::isISOControl)) {
                problems.add("/name", "must not contain control characters such as newline or tab, got " + quote(s));
                return null;
            }
            return s;
        }

        private CommandSpec command(JsonNode n) {
            ObjectNode o = object(n, "/command", COMMAND_FIELDS);
            if (o == null) return null;
            int before = problems.count();
            boolean hasArgv = o.has("argv"), hasShell = o.has("shell");
            if (hasArgv && hasShell) {
                problems.add("/command", "set only one of 'argv' or 'shell', not both");
            } else if (!hasArgv && !hasShell) {
                problems.add("/command", "set one of 'argv' (a program and its arguments, run without a shell) "
                        + "or 'shell' (a line run by /bin/sh -c)");
            }
            List<String> argv = strings(optional(o, "/command", "argv"), "/command/argv", 1, MAX_ARGV, 1,
                    MAX_ARG_CHARS, null);
            if (argv != null && argv.get(0).isBlank()) {
                problems.add("/command/argv/0", "must not be blank: it names the program to run");
            }
            String shell = string(optional(o, "/command", "shell"), "/command/shell", 1, MAX_SHELL_CHARS);
            if (shell != null && shell.isBlank()) problems.add("/command/shell", "must not be blank");
            return problems.count() == before ? new CommandSpec(argv, shell) : null;
        }

        private JvmSpec jvm(JsonNode n) {
            ObjectNode o = object(n, "/jvm", JVM_FIELDS);
            if (o == null) return null;
            int before = problems.count();
            String mainClass = string(required(o, "/jvm", "mainClass",
                    "is required: the class whose main method runs, such as com.example.Main"),
                    "/jvm/mainClass", 1, MAX_MAIN_CLASS_CHARS);
            if (mainClass != null && !JAVA_BINARY_NAME.matcher(mainClass).matches()) {
                problems.add("/jvm/mainClass", "must be a Java class name such as com.example.Main, got " + quote(mainClass));
            }
            List<String> classpath = strings(optional(o, "/jvm", "classpath"), "/jvm/classpath", 0, MAX_CLASSPATH,
                    1, MAX_PATH_CHARS, null);
            List<String> jvmOptions = strings(optional(o, "/jvm", "jvmOptions"), "/jvm/jvmOptions", 0,
                    MAX_JVM_OPTIONS, 1, MAX_PATH_CHARS, (path, option) -> {
                        if (!option.startsWith("-")) {
                            problems.add(path, "must start with '-' (a JVM option such as -Xss2m or -Dkey=value), got "
                                    + quote(option));
                        }
                    });
            Long heapMb = integer(optional(o, "/jvm", "heapMb"), "/jvm/heapMb", MIN_HEAP_MB, MAX_MEM_MB);
            if (heapMb != null && memMb != null && heapMb > memMb) {
                problems.add("/jvm/heapMb", "must not exceed resources.memMb (%d), got %d".formatted(memMb, heapMb));
            }
            String javaHome = string(optional(o, "/jvm", "javaHome"), "/jvm/javaHome", 1, MAX_PATH_CHARS);
            return problems.count() == before ? new JvmSpec(mainClass, classpath, jvmOptions, heapMb, javaHome) : null;
        }

        // ---- kafka ---------------------------------------------------------------------------

        private KafkaSpec kafka(JsonNode n) {
            String at = "/kafka";
            ObjectNode o = object(n, at, KAFKA_FIELDS);
            if (o == null) return null;
            int before = problems.count();
            String bootstrap = bootstrapServers(required(o, at, "bootstrapServers",
                    "is required: host:port[,host:port...] of brokers of the Kafka cluster"));
            if (o.has("topics") == o.has("topicPattern")) {
                problems.add(at, "set exactly one of 'topics' (a list of topic names) or 'topicPattern' (a regular expression)");
            }
            List<String> topics = strings(optional(o, at, "topics"), at + "/topics", 1, MAX_TOPICS, 1, 249, (path, t) -> {
                if (!TOPIC.matcher(t).matches())
                    problems.add(path, "must be a Kafka topic name: 1 to 249 letters, digits, '.', '_' or '-', got " + quote(t));
            });
            String topicPattern = string(optional(o, at, "topicPattern"), at + "/topicPattern", 1, MAX_REGEX_CHARS);
            if (topicPattern != null) {
                try {
                    Pattern.compile(topicPattern);
                } catch (PatternSyntaxException e) {
                    problems.add(at + "/topicPattern", "is not a valid regular expression (%s at index %d), got %s"
                            .formatted(e.getDescription(), e.getIndex(), quote(topicPattern)));
                    topicPattern = null;
                }
            }
            String groupId = name(string(required(o, at, "groupId", "is required: the consumer group all instances join"),
                    at + "/groupId", 1, 255), at + "/groupId");
            KafkaSpec.Mode mode = null;
            JsonNode m = required(o, at, "mode", "is required: drain (consume up to the end offsets taken at start, then "
                    + "succeed) or stream (run until stopped)");
            if (m != null) {
                mode = m.isTextual() ? KafkaSpec.Mode.fromWire(m.textValue()) : null;
                if (mode == null) problems.add(at + "/mode", "must be drain or stream, got " + describe(m));
            }
            if (o.has("handler") == o.has("sink")) {
                problems.add(at, "set exactly one of 'handler' (a class implementing io.nightshift.sdk.kafka.RecordHandler) "
                        + "or 'sink' (the built-in file sink)");
            }
            String handler = string(optional(o, at, "handler"), at + "/handler", 1, MAX_MAIN_CLASS_CHARS);
            if (handler != null && !JAVA_BINARY_NAME.matcher(handler).matches()) {
                problems.add(at + "/handler", "must be a Java class name such as com.example.MyHandler, got " + quote(handler));
            }
            List<String> classpath = strings(optional(o, at, "classpath"), at + "/classpath", 0, MAX_CLASSPATH, 1,
                    MAX_PATH_CHARS, null);
            KafkaSpec.SinkSpec sink = sink(optional(o, at, "sink"));
            ObjectNode config = object(optional(o, at, "consumerConfig"), at + "/consumerConfig", null);
            Map<String, String> consumerConfig = config == null ? null
                    : KafkaConsumerConfig.check(config, at + "/consumerConfig", problems);
            Long maxPollRecords = integer(optional(o, at, "maxPollRecords"), at + "/maxPollRecords", 1, MAX_MAX_POLL_RECORDS);
            Duration commitInterval = duration(optional(o, at, "commitInterval"), at + "/commitInterval", Duration.ZERO,
                    true, MAX_COMMIT_INTERVAL, ">= PT0S and <= PT10M");
            Long heapMb = integer(optional(o, at, "heapMb"), at + "/heapMb", MIN_HEAP_MB, MAX_MEM_MB);
            if (heapMb != null && memMb != null && heapMb > memMb) {
                problems.add(at + "/heapMb", "must not exceed resources.memMb (%d), got %d".formatted(memMb, heapMb));
            }
            Long recordAttempts = integer(optional(o, at, "recordAttempts"), at + "/recordAttempts", 1, 100);
            KafkaSpec.PoisonAction onPoison = null;
            JsonNode p = optional(o, at, "onPoison");
            if (p != null) {
                onPoison = p.isTextual() ? KafkaSpec.PoisonAction.fromWire(p.textValue()) : null;
                if (onPoison == null) problems.add(at + "/onPoison", "must be fail or deadLetter, got " + describe(p));
            }
            String deadLetterTopic = string(optional(o, at, "deadLetterTopic"), at + "/deadLetterTopic", 1, 249);
            if (deadLetterTopic != null && !TOPIC.matcher(deadLetterTopic).matches()) {
                problems.add(at + "/deadLetterTopic", "must be a Kafka topic name: 1 to 249 letters, digits, '.', '_' or '-', "
                        + "got " + quote(deadLetterTopic));
            } else if (deadLetterTopic != null && topics != null && topics.contains(deadLetterTopic)) {
                problems.add(at + "/deadLetterTopic", "must not be one of the topics the job consumes, got "
                        + quote(deadLetterTopic));
            } else if (deadLetterTopic != null && topicPattern != null && Pattern.matches(topicPattern, deadLetterTopic)) {
                problems.add(at + "/deadLetterTopic", "must not match topicPattern (the job would consume its own dead "
                        + "letters), got " + quote(deadLetterTopic));
            }
            if (onPoison == KafkaSpec.PoisonAction.DEAD_LETTER && deadLetterTopic == null && !o.has("deadLetterTopic")) {
                problems.add(at + "/deadLetterTopic", "is required with onPoison deadLetter: the topic poison records go to");
            }
            Duration stuckAfter = duration(optional(o, at, "stuckAfter"), at + "/stuckAfter", Duration.ofSeconds(1),
                    true, Duration.ofHours(24), ">= PT1S and <= PT24H");
            if (problems.count() != before) return null;
            return new KafkaSpec(bootstrap, topics, topicPattern, groupId, mode, handler, classpath, sink, consumerConfig,
                    maxPollRecords == null ? 0 : maxPollRecords.intValue(), commitInterval, heapMb,
                    recordAttempts == null ? null : recordAttempts.intValue(), onPoison, deadLetterTopic, stuckAfter);
        }

        private String bootstrapServers(JsonNode n) {
            String path = "/kafka/bootstrapServers";
            String s = string(n, path, 1, MAX_PATH_CHARS);
            if (s == null) return null;
            String[] servers = s.split(",", -1);
            if (servers.length > MAX_BOOTSTRAP) {
                problems.add(path, "must list at most %d servers, got %d".formatted(MAX_BOOTSTRAP, servers.length));
                return null;
            }
            for (String server : servers) {
                String t = server.trim();
                int colon = t.lastIndexOf(':');
                boolean ok = HOST_PORT.matcher(t).matches();
                if (ok) {
                    int port = Integer.parseInt(t.substring(colon + 1));
                    ok = port >= 1 && port <= 65535;
                }
                if (!ok) {
                    problems.add(path, "must be host:port[,host:port...] with ports 1 to 65535, got " + quote(t));
                    return null;
                }
            }
            return s;
        }

        private KafkaSpec.SinkSpec sink(JsonNode n) {
            String at = "/kafka/sink";
            ObjectNode o = object(n, at, SINK_FIELDS);
            if (o == null) return null;
            int before = problems.count();
            String path = string(required(o, at, "path", "is required: the directory the files are written to"),
                    at + "/path", 1, MAX_PATH_CHARS);
            if (path != null) {
                String bad = sinkPathProblem(path);
                if (bad != null) problems.add(at + "/path", bad + ", got " + quote(path));
            }
            KafkaSpec.Format format = null;
            JsonNode f = optional(o, at, "format");
            if (f != null) {
                format = f.isTextual() ? KafkaSpec.Format.fromWire(f.textValue()) : null;
                if (format == null) problems.add(at + "/format", "must be ndjson or parquet, got " + describe(f));
            }
            Long rollBytes = integer(optional(o, at, "rollBytes"), at + "/rollBytes", 1024, 1L << 30);
            Duration rollInterval = duration(optional(o, at, "rollInterval"), at + "/rollInterval", Duration.ofSeconds(1),
                    true, Duration.ofHours(24), ">= PT1S and <= PT24H");
            if (problems.count() != before) return null;
            return new KafkaSpec.SinkSpec(path, rollBytes == null ? 0 : rollBytes, rollInterval, format);
        }

        /**
         * Null when {@code path} is an absolute local directory, {@code hdfs://[authority]/dir} or
         * {@code s3://bucket[/prefix]}; else what is wrong with it.
         */
        private static String sinkPathProblem(String path) {
            if (path.codePoints().anyMatch(Character::isISOControl)) return "must not contain control characters";
            if (path.startsWith("/")) return path.contains("/../") || path.endsWith("/..")
                    ? "must not contain '..' segments" : null;
            java.net.URI uri;
            try {
                uri = new java.net.URI(path);
            } catch (java.net.URISyntaxException e) {
                return "must be an absolute directory path on the agent, hdfs://[cluster]/dir or s3://bucket/prefix ("
                        + e.getReason() + ")";
            }
            if ("hdfs".equals(uri.getScheme())) {
                if (uri.getRawPath() == null || !uri.getRawPath().startsWith("/") || uri.getRawPath().length() < 2)
                    return "must name a directory: hdfs://[cluster]/dir";
                if (uri.getQuery() != null || uri.getFragment() != null) return "must have no query or fragment";
                return path.contains("/../") || path.endsWith("/..") ? "must not contain '..' segments" : null;
            }
            if ("s3".equals(uri.getScheme())) {
                if (uri.getHost() == null || !S3_BUCKET.matcher(uri.getHost()).matches())
                    return "must name a bucket (3 to 63 lower-case letters, digits, '.' or '-'): s3://bucket/prefix";
                if (uri.getQuery() != null || uri.getFragment() != null || uri.getUserInfo() != null || uri.getPort() != -1)
                    return "must be s3://bucket/prefix, with no credentials, port, query or fragment";
                return null;
            }
            return "must be an absolute directory path on the agent, hdfs://[cluster]/dir or s3://bucket/prefix";
        }

        private String name(String s, String path) {
            if (s != null && s.codePoints().anyMatch(Character::isISOControl)) {
                problems.add(path, "must not contain control characters such as newline or tab, got " + quote(s));
                return null;
            }
            return s;
        }

        private Resources resources(JsonNode n) {
            if (n == null) return null;
            ObjectNode o = object(n, "/resources", RESOURCES_FIELDS);
            if (o == null) return null;
            int before = problems.count();
            Double cpus = cpus(optional(o, "/resources", "cpus"));
            Long mem = integer(optional(o, "/resources", "memMb"), "/resources/memMb", 1, MAX_MEM_MB);
            Long disk = integer(optional(o, "/resources", "diskMb"), "/resources/diskMb", 0, MAX_DISK_MB);
            Long gpus = integer(optional(o, "/resources", "gpus"), "/resources/gpus", 0, MAX_GPUS);
            Resources d = JobSpec.DEFAULT_RESOURCES;
            memMb = o.has("memMb") ? mem : Long.valueOf(d.memMb());
            if (problems.count() != before) return null;
            return new Resources(cpus == null ? d.cpus() : cpus, mem == null ? d.memMb() : mem,
                    disk == null ? d.diskMb() : disk, gpus == null ? d.gpus() : gpus.intValue());
        }

        private Double cpus(JsonNode n) {
            if (n == null) return null;
            BigDecimal v = number(n);
            if (v == null || v.signum() <= 0 || v.compareTo(MAX_CPUS) > 0 || !(v.doubleValue() > 0)) {
                problems.add("/resources/cpus", "must be a number > 0 and <= 1024, got " + describe(n));
                return null;
            }
            return v.doubleValue();
        }

        private Map<String, String> env(JsonNode n) {
            if (n == null) return null;
            ObjectNode o = object(n, "/env", null);
            if (o == null) return null;
            if (o.size() > MAX_ENV) {
                problems.add("/env", "must have at most %d entries, got %d".formatted(MAX_ENV, o.size()));
                return null;
            }
            int before = problems.count();
            Map<String, String> env = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                String key = e.getKey(), path = child("/env", key);
                if (!ENV_KEY.matcher(key).matches()) {
                    problems.add(path, "is not a valid variable name: use 1 to 256 letters, digits or '_', "
                            + "not starting with a digit");
                } else if (key.startsWith(RESERVED_ENV_PREFIX)) {
                    problems.add(path, "is reserved: names starting with " + RESERVED_ENV_PREFIX + " are set by Nightshift");
                }
                // Values may be secrets: messages about them never show them.
                env.put(key, string(e.getValue(), path, 0, MAX_ENV_VALUE_CHARS, true));
            }
            return problems.count() == before ? env : null;
        }

        private Map<String, String> secrets(JsonNode n, Map<String, String> env) {
            if (n == null) return null;
            ObjectNode o = object(n, "/secrets", null);
            if (o == null) return null;
            if (o.size() > MAX_SECRETS) {
                problems.add("/secrets", "must have at most %d entries, got %d".formatted(MAX_SECRETS, o.size()));
                return null;
            }
            int before = problems.count();
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                String key = e.getKey(), path = child("/secrets", key);
                if (!ENV_KEY.matcher(key).matches()) {
                    problems.add(path, "is not a valid variable name: use 1 to 256 letters, digits or '_', "
                            + "not starting with a digit");
                } else if (key.startsWith(RESERVED_ENV_PREFIX)) {
                    problems.add(path, "is reserved: names starting with " + RESERVED_ENV_PREFIX + " are set by Nightshift");
                } else if (env != null && env.containsKey(key)) {
                    problems.add(path, "is also set in env: a variable comes either from env or from a secret");
                }
                JsonNode v = e.getValue();
                if (v == null || !v.isTextual() || !SECRET_NAME.matcher(v.textValue()).matches()) {
                    problems.add(path, "must be the name of a stored secret (1 to 64 lower-case letters, digits, '.', '_' "
                            + "or '-', starting with a letter or digit); the value itself never goes in a spec");
                } else {
                    out.put(key, v.textValue());
                }
            }
            return problems.count() == before ? out : null;
        }

        private Map<String, String> labels(JsonNode n) {
            if (n == null) return null;
            ObjectNode o = object(n, "/labels", null);
            if (o == null) return null;
            if (o.size() > MAX_LABELS) {
                problems.add("/labels", "must have at most %d entries, got %d".formatted(MAX_LABELS, o.size()));
                return null;
            }
            int before = problems.count();
            Map<String, String> labels = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                String key = e.getKey(), path = child("/labels", key);
                if (!LABEL_KEY.matcher(key).matches()) {
                    problems.add(path, "is not a valid label key: use 1 to 63 letters, digits, '.', '_', '/' or '-', "
                            + "starting with a letter or digit");
                }
                labels.put(key, string(e.getValue(), path, 0, MAX_LABEL_VALUE_CHARS));
            }
            return problems.count() == before ? labels : null;
        }

        private RetryPolicy retries(JsonNode n) {
            if (n == null) return null;
            ObjectNode o = object(n, "/retries", RETRIES_FIELDS);
            if (o == null) return null;
            int before = problems.count();
            Long max = integer(optional(o, "/retries", "max"), "/retries/max", 0, MAX_RETRIES);
            Backoff backoff = backoff(optional(o, "/retries", "backoff"));
            if (problems.count() != before) return null;
            return new RetryPolicy(max == null ? 0 : max.intValue(), backoff);
        }

        private Backoff backoff(JsonNode n) {
            if (n == null) return null;
            String at = "/retries/backoff";
            ObjectNode o = object(n, at, BACKOFF_FIELDS);
            if (o == null) return null;
            int before = problems.count();
            String range = ">= PT0S and <= PT24H";
            Duration initial = duration(optional(o, at, "initial"), at + "/initial", Duration.ZERO, true, MAX_BACKOFF, range);
            Duration max = duration(optional(o, at, "max"), at + "/max", Duration.ZERO, true, MAX_BACKOFF, range);
            if (problems.count() != before) return null;
            Duration effectiveInitial = initial != null ? initial : Backoff.DEFAULT.initial();
            Duration effectiveMax = max != null ? max : Backoff.DEFAULT.max();
            if (effectiveMax.compareTo(effectiveInitial) < 0) {
                if (max != null) {
                    problems.add(at + "/max", "must be >= initial (%s%s), got %s".formatted(effectiveInitial,
                            initial == null ? " by default" : "", max));
                } else {
                    problems.add(at + "/initial", "must be <= max, which defaults to %s; set 'max' as well, got %s"
                            .formatted(effectiveMax, initial));
                }
                return null;
            }
            return new Backoff(effectiveInitial, effectiveMax);
        }

        // ---- spark and hadoop ------------------------------------------------------------------

        private SparkSpec spark(JsonNode n) {
            String at = "/spark";
            ObjectNode o = object(n, at, SPARK_FIELDS);
            if (o == null) return null;
            int before = problems.count();
            String appResource = sandboxPath(required(o, at, "appResource",
                    "is required: the application's jar or .py file, as one of the job's artifacts (e.g. \"etl.jar\")"),
                    at + "/appResource");
            boolean python = appResource != null && appResource.endsWith(".py");
            String mainClass = string(python ? optional(o, at, "mainClass") : required(o, at, "mainClass",
                    "is required for a jar application: the class whose main method runs, such as com.example.Etl"),
                    at + "/mainClass", 1, MAX_MAIN_CLASS_CHARS);
            if (mainClass != null && !JAVA_BINARY_NAME.matcher(mainClass).matches()) {
                problems.add(at + "/mainClass", "must be a Java class name such as com.example.Etl, got " + quote(mainClass));
            }
            List<String> appArgs = strings(optional(o, at, "appArgs"), at + "/appArgs", 0, MAX_ARGS, 0, MAX_ARG_CHARS, null);
            String master = string(optional(o, at, "master"), at + "/master", 1, 1024);
            if (master != null && !SPARK_MASTER.matcher(master).matches()) {
                problems.add(at + "/master", "must be local, local[N], local[*], local[N,F], spark://host:port[,host:port...], "
                        + "yarn or k8s://https://host:port, got " + quote(master));
            }
            String deployMode = string(optional(o, at, "deployMode"), at + "/deployMode", 1, 16);
            if (deployMode != null && !deployMode.equals(SparkSpec.CLIENT)) {
                problems.add(at + "/deployMode", "must be client (the agent runs and supervises the driver), got " + quote(deployMode));
            }
            Map<String, String> conf = settings(optional(o, at, "conf"), at + "/conf", SPARK_CONF_KEY,
                    "a Spark setting: spark. then 1 to 250 letters, digits, '.', '_' or '-'", SPARK_CONF_WITH_FIELD);
            List<String> jars = sparkPaths(optional(o, at, "jars"), at + "/jars");
            List<String> files = sparkPaths(optional(o, at, "files"), at + "/files");
            List<String> pyFiles = sparkPaths(optional(o, at, "pyFiles"), at + "/pyFiles");
            String driverMemory = string(optional(o, at, "driverMemory"), at + "/driverMemory", 1, 16);
            if (driverMemory != null) {
                java.util.regex.Matcher m = SPARK_SIZE.matcher(driverMemory.toLowerCase(java.util.Locale.ROOT));
                if (!m.matches()) {
                    problems.add(at + "/driverMemory", "must be a size such as 512m or 2g, got " + quote(driverMemory));
                } else {
                    long mb = sizeMb(Long.parseLong(m.group(1)), m.group(2));
                    if (mb < MIN_HEAP_MB || (memMb != null && mb > memMb)) {
                        problems.add(at + "/driverMemory", "must be from %d MiB to resources.memMb (%s MiB), got %s"
                                .formatted(MIN_HEAP_MB, memMb == null ? "?" : memMb, quote(driverMemory)));
                    }
                }
            }
            String sparkVersion = matching(optional(o, at, "sparkVersion"), at + "/sparkVersion", SPARK_VERSION,
                    "a Spark version such as 4.0.1");
            if (problems.count() != before || appResource == null) return null;
            return new SparkSpec(appResource, mainClass, appArgs, master, deployMode, conf, jars, files, pyFiles,
                    driverMemory, sparkVersion);
        }

        private HadoopSpec hadoop(JsonNode n) {
            String at = "/hadoop";
            ObjectNode o = object(n, at, HADOOP_FIELDS);
            if (o == null) return null;
            int before = problems.count();
            String jar = sandboxPath(required(o, at, "jar", "is required: the job jar, as one of the job's artifacts (e.g. \"wordcount.jar\")"),
                    at + "/jar");
            String mainClass = string(required(o, at, "mainClass",
                    "is required: the driver class whose main method submits the job, such as com.example.WordCount"),
                    at + "/mainClass", 1, MAX_MAIN_CLASS_CHARS);
            if (mainClass != null && !JAVA_BINARY_NAME.matcher(mainClass).matches()) {
                problems.add(at + "/mainClass", "must be a Java class name such as com.example.WordCount, got " + quote(mainClass));
            }
            List<String> args = strings(optional(o, at, "args"), at + "/args", 0, MAX_ARGS, 0, MAX_ARG_CHARS, null);
            Map<String, String> conf = settings(optional(o, at, "conf"), at + "/conf", HADOOP_CONF_KEY,
                    "a Hadoop setting: 1 to 250 letters, digits, '.', '_' or '-', starting with a letter", Set.of());
            Long heapMb = integer(optional(o, at, "heapMb"), at + "/heapMb", MIN_HEAP_MB, MAX_MEM_MB);
            if (heapMb != null && memMb != null && heapMb > memMb) {
                problems.add(at + "/heapMb", "must not exceed resources.memMb (%d), got %d".formatted(memMb, heapMb));
            }
            if (problems.count() != before || jar == null || mainClass == null) return null;
            return new HadoopSpec(jar, mainClass, args, conf, heapMb);
        }

        /** A relative path inside the sandbox: no leading '/', no '..' segment, no ',' (Spark splits lists on it). */
        private String sandboxPath(JsonNode n, String path) {
            String s = string(n, path, 1, MAX_PATH_CHARS);
            if (s == null) return null;
            if (s.startsWith("/") || s.contains(",") || List.of(s.split("/", -1)).contains("..") || s.contains("\\")) {
                problems.add(path, "must be a path relative to the sandbox naming one of the job's artifacts (no leading '/', "
                        + "no '..', no ','), got " + quote(s));
                return null;
            }
            return s;
        }

        /** jars, files, pyFiles: sandbox paths (artifacts) or hdfs/s3a/http(s) URIs, no ','. */
        private List<String> sparkPaths(JsonNode n, String path) {
            return strings(n, path, 0, MAX_SPARK_PATHS, 1, MAX_PATH_CHARS, (p, v) -> {
                if (v.contains(",")) problems.add(p, "must not contain ',' (Spark separates entries with it), got " + quote(v));
                else if (URI_LIKE.matcher(v).lookingAt()) {
                    if (!SPARK_URI.matcher(v).lookingAt())
                        problems.add(p, "must be a sandbox path or an hdfs://, s3a://, http:// or https:// URI, got " + quote(v));
                } else if (v.startsWith("/") || List.of(v.split("/", -1)).contains("..")) {
                    problems.add(p, "must be a path relative to the sandbox (no leading '/', no '..'), got " + quote(v));
                }
            });
        }

        /** A sandbox path (not a URI) must be one of the artifacts' targets, or inside an extracted one. */
        private void fromArtifact(String value, String path, List<ArtifactSpec> artifacts) {
            if (value == null || URI_LIKE.matcher(value).lookingAt()) return;
            for (ArtifactSpec a : artifacts) {
                String t = a.target();
                if (value.equals(t) || (a.extractEffective() && value.startsWith(t + "/"))) return;
            }
            List<String> targets = artifacts.stream().map(ArtifactSpec::target).toList();
            problems.add(path, "names no artifact of this job: add it to 'artifacts' (targets now: %s), got %s"
                    .formatted(targets.isEmpty() ? "none" : String.join(", ", targets), quote(value)));
        }

        private Map<String, String> settings(JsonNode n, String path, Pattern key, String rule, Set<String> withField) {
            if (n == null) return null;
            ObjectNode o = object(n, path, null);
            if (o == null) return null;
            if (o.size() > MAX_CONF) {
                problems.add(path, "must have at most %d entries, got %d".formatted(MAX_CONF, o.size()));
                return null;
            }
            int before = problems.count();
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                String k = e.getKey(), at = child(path, k);
                if (!key.matcher(k).matches()) problems.add(at, "must be " + rule);
                else if (withField.contains(k)) problems.add(at, "is set by a field of its own: " + SPARK_CONF_FIELDS.get(k));
                out.put(k, string(e.getValue(), at, 0, MAX_CONF_VALUE_CHARS));
            }
            return problems.count() == before ? out : null;
        }

        private static long sizeMb(long n, String unit) {
            return switch (unit) {
                case "k" -> n / 1024;
                case "g" -> n * 1024;
                case "t" -> n * 1024 * 1024;
                default -> n;
            };
        }

        // ---- field helpers: each returns the checked value, or null (absent or a problem was added) ----

        /** An optional field's node; null when absent, or when explicit null (a problem). */
        private JsonNode optional(ObjectNode o, String parent, String field) {
            JsonNode n = o.get(field);
            if (n != null && n.isNull()) {
                problems.add(child(parent, field), "must not be null; leave the field out to get the default");
                return null;
            }
            return n;
        }

        /** A required field's node; null when absent or null (a problem either way). */
        private JsonNode required(ObjectNode o, String parent, String field, String whenMissing) {
            JsonNode n = o.get(field);
            if (n == null) problems.add(child(parent, field), whenMissing);
            else if (n.isNull()) problems.add(child(parent, field), "must not be null");
            return n == null || n.isNull() ? null : n;
        }

        private ObjectNode object(JsonNode n, String path, List<String> knownFields) {
            if (n == null) return null;
            if (!n.isObject()) {
                problems.add(path, "must be an object, got " + describe(n));
                return null;
            }
            ObjectNode o = (ObjectNode) n;
            if (knownFields != null) unknownFields(o, path, knownFields);
            return o;
        }

        private void unknownFields(ObjectNode o, String path, List<String> known) {
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                String field = e.getKey();
                if (!known.contains(field)) {
                    problems.add(child(path, field), "unknown field; %sknown fields: %s"
                            .formatted(suggestion(field, known), String.join(", ", known)));
                }
            }
        }

        private String string(JsonNode n, String path, int minChars, int maxChars) {
            return string(n, path, minChars, maxChars, false);
        }

        private String string(JsonNode n, String path, int minChars, int maxChars, boolean secret) {
            if (n == null) return null;
            if (!n.isTextual()) {
                problems.add(path, "must be a string, got " + (secret ? kind(n) : describe(n)));
                return null;
            }
            String s = n.textValue();
            if (s.indexOf('\0') >= 0) {
                problems.add(path, "must not contain the NUL character (\\u0000)");
                return null;
            }
            int chars = s.codePointCount(0, s.length());
            if (chars < minChars || chars > maxChars) {
                String message;
                if (chars == 0) message = "must not be empty";
                else if (minChars == 0) message = "must be at most %d characters long, got %d".formatted(maxChars, chars);
                else message = "must be %d to %d characters long, got %d".formatted(minChars, maxChars, chars);
                problems.add(path, message);
                return null;
            }
            return s;
        }

        private String matching(JsonNode n, String path, Pattern pattern, String rule) {
            String s = string(n, path, 0, Integer.MAX_VALUE);
            if (s != null && !pattern.matcher(s).matches()) {
                problems.add(path, "must be %s, got %s".formatted(rule, quote(s)));
                return null;
            }
            return s;
        }

        /** An array of strings; {@code check} may add problems about one element (path, value). */
        private List<String> strings(JsonNode n, String path, int minSize, int maxSize, int minChars, int maxChars,
                BiConsumer<String, String> check) {
            if (n == null) return null;
            if (!n.isArray()) {
                problems.add(path, "must be an array of strings, got " + describe(n));
                return null;
            }
            int size = n.size();
            if (size < minSize || size > maxSize) {
                problems.add(path, (minSize == 0 ? "must have at most %2$d entries, got %3$d"
                        : "must have %d to %d entries, got %d").formatted(minSize, maxSize, size));
                return null;
            }
            int before = problems.count();
            List<String> out = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                String element = string(n.get(i), child(path, i), minChars, maxChars);
                if (element != null && check != null) check.accept(child(path, i), element);
                out.add(element);
            }
            return problems.count() == before ? out : null;
        }

        private Long integer(JsonNode n, String path, long min, long max) {
            if (n == null) return null;
            BigDecimal v = number(n);
            if (v == null || v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0
                    || !isIntegral(v)) {
                problems.add(path, "must be an integer from %d to %d, got %s".formatted(min, max, describe(n)));
                return null;
            }
            return v.longValue();
        }

        private Duration duration(JsonNode n, String path, Duration min, boolean minInclusive, Duration max,
                String range) {
            if (n == null) return null;
            if (!n.isTextual()) {
                problems.add(path, "must be %s (a string), got %s".formatted(DURATION_EXAMPLE, describe(n)));
                return null;
            }
            String s = string(n, path, 0, 64);
            if (s == null) return null;
            Duration d;
            try {
                d = Duration.parse(s);
            } catch (DateTimeParseException | ArithmeticException e) {
                problems.add(path, "expected %s, got %s".formatted(DURATION_EXAMPLE, quote(s)));
                return null;
            }
            int low = d.compareTo(min);
            if ((minInclusive ? low < 0 : low <= 0) || d.compareTo(max) > 0) {
                problems.add(path, "must be %s, got %s".formatted(range, quote(s)));
                return null;
            }
            return d;
        }

        /** The exact value of a finite JSON number, or null for anything else (strings, NaN, Infinity…). */
        private static BigDecimal number(JsonNode n) {
            if (!n.isNumber()) return null;
            if ((n.isDouble() || n.isFloat()) && !Double.isFinite(n.doubleValue())) return null;
            return n.decimalValue();
        }

        /** Whole numbers, also when written as 256.0 or 1e3. Call after the range check (cheap on 1e-999999999). */
        private static boolean isIntegral(BigDecimal v) {
            return v.signum() == 0 || v.scale() <= 0 || v.stripTrailingZeros().scale() <= 0;
        }

        /** "did you mean 'cpus'? " for a near miss (case or a typo or two), else "". */
        private static String suggestion(String field, List<String> known) {
            if (field.length() > 64) return "";
            for (String k : known) {
                if (field.equalsIgnoreCase(k) || distance(field, k) <= (k.length() <= 4 ? 1 : 2)) {
                    return "did you mean '" + k + "'? ";
                }
            }
            return "";
        }

        /** Levenshtein distance; both strings are short here. */
        private static int distance(String a, String b) {
            int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) prev[j] = j;
            for (int i = 1; i <= a.length(); i++) {
                cur[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                    cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                }
                int[] t = prev;
                prev = cur;
                cur = t;
            }
            return prev[b.length()];
        }
    }
}
