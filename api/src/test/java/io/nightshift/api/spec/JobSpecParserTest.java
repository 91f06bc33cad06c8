package io.nightshift.api.spec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nightshift.api.Resources;
import io.nightshift.api.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobSpecParserTest {

    /** JSON written with single quotes for readability: {'a':'b'} → {"a":"b"}. */
    private static String q(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    /** A valid command job plus {@code extra} top-level fields (single-quoted). */
    private static String cmd(String extra) {
        return q("{'type':'command','command':{'argv':['echo','hi']}" + (extra.isEmpty() ? "" : "," + extra) + "}");
    }

    /** A valid jvm job plus {@code extra} fields inside the jvm section and {@code top} fields outside. */
    private static String jvm(String extra, String top) {
        return q("{'type':'jvm','jvm':{'mainClass':'com.example.Main'" + (extra.isEmpty() ? "" : "," + extra) + "}"
                + (top.isEmpty() ? "" : "," + top) + "}");
    }

    private static List<Problem> problemsOf(byte[] body) {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> JobSpecParser.parse(body));
        assertThat(e).as("expected the spec to be rejected").isNotNull();
        return e.problems();
    }

    private static List<Problem> problemsOf(String body) {
        return problemsOf(body.getBytes(UTF_8));
    }

    private static Problem only(List<Problem> problems) {
        assertThat(problems).hasSize(1);
        return problems.get(0);
    }

    // ---- accepted specs -----------------------------------------------------------------------

    @Test
    void minimalArgvSpecGetsEveryDefault() {
        JobSpec spec = JobSpecParser.parse(q("{'type':'command','command':{'argv':['echo','hi']}}"));

        assertThat(spec.type()).isEqualTo(JobType.COMMAND);
        assertThat(spec.command()).isEqualTo(CommandSpec.argv("echo", "hi"));
        assertThat(spec.jvm()).isNull();
        assertThat(spec.id()).isNull();
        assertThat(spec.name()).isNull();
        assertThat(spec.queue()).isEqualTo("default");
        assertThat(spec.resources()).isEqualTo(new Resources(1, 256, 0, 0));
        assertThat(spec.env()).isEmpty();
        assertThat(spec.args()).isEmpty();
        assertThat(spec.retries()).isEqualTo(RetryPolicy.NONE);
        assertThat(spec.maxRuntime()).isNull();
        assertThat(spec.killGracePeriod()).isEqualTo(Duration.ofSeconds(10));
        assertThat(spec.priority()).isZero();
        assertThat(spec.labels()).isEmpty();
        assertThat(spec.instances()).isEqualTo(1);
    }

    @Test
    void minimalShellSpec() {
        JobSpec spec = JobSpecParser.parse(q("{'type':'command','command':{'shell':'echo $1 | wc -c'},'args':['x']}"));

        assertThat(spec.command()).isEqualTo(CommandSpec.shell("echo $1 | wc -c"));
        assertThat(spec.args()).containsExactly("x");
    }

    @Test
    void fullJvmSpecWithEveryField() {
        String body = """
                {
                  "id": "nightly-etl_2",
                  "name": "Nightly ETL (orders) ✓",
                  "queue": "data-eng",
                  "type": "jvm",
                  "jvm": {
                    "mainClass": "com.example.etl.Main$Inner",
                    "classpath": ["lib/etl.jar", "/opt/shared/*"],
                    "jvmOptions": ["-Xss2m", "-Dkey=value"],
                    "heapMb": 1536,
                    "javaHome": "/usr/lib/jvm/java-17"
                  },
                  "resources": {"cpus": 2.5, "memMb": 2048, "diskMb": 10240, "gpus": 1},
                  "env": {"ORDERS_DB": "jdbc:postgresql://db/orders", "_X": ""},
                  "args": ["--date", "2024-01-01", ""],
                  "retries": {"max": 3, "backoff": {"initial": "PT10S", "max": "PT10M"}},
                  "maxRuntime": "PT2H",
                  "killGracePeriod": "PT30S",
                  "priority": -20,
                  "labels": {"team": "data", "app.kubernetes.io/part-of": "etl"},
                  "instances": 4
                }
                """;

        JobSpec spec = JobSpecParser.parse(body);

        assertThat(spec.id()).isEqualTo("nightly-etl_2");
        assertThat(spec.name()).isEqualTo("Nightly ETL (orders) ✓");
        assertThat(spec.queue()).isEqualTo("data-eng");
        assertThat(spec.type()).isEqualTo(JobType.JVM);
        assertThat(spec.command()).isNull();
        assertThat(spec.jvm()).isEqualTo(new JvmSpec("com.example.etl.Main$Inner", List.of("lib/etl.jar", "/opt/shared/*"),
                List.of("-Xss2m", "-Dkey=value"), 1536L, "/usr/lib/jvm/java-17"));
        assertThat(spec.resources()).isEqualTo(new Resources(2.5, 2048, 10240, 1));
        assertThat(spec.env()).containsExactlyInAnyOrderEntriesOf(Map.of("ORDERS_DB", "jdbc:postgresql://db/orders", "_X", ""));
        assertThat(spec.args()).containsExactly("--date", "2024-01-01", "");
        assertThat(spec.retries()).isEqualTo(new RetryPolicy(3, new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(10))));
        assertThat(spec.maxRuntime()).isEqualTo(Duration.ofHours(2));
        assertThat(spec.killGracePeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(spec.priority()).isEqualTo(-20);
        assertThat(spec.labels()).containsExactlyInAnyOrderEntriesOf(Map.of("team", "data", "app.kubernetes.io/part-of", "etl"));
        assertThat(spec.instances()).isEqualTo(4);
    }

    @Test
    void missingResourceFieldsTakeTheirOwnDefaults() {
        JobSpec spec = JobSpecParser.parse(cmd("'resources':{'memMb':1024}"));

        assertThat(spec.resources()).isEqualTo(new Resources(1, 1024, 0, 0));
    }

    @Test
    void partialRetriesAndBackoffTakeDefaults() {
        JobSpec spec = JobSpecParser.parse(cmd("'retries':{'backoff':{'max':'PT1M'}}"));

        assertThat(spec.retries()).isEqualTo(new RetryPolicy(0, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1))));
    }

    @Test
    void wholeNumbersWrittenWithAFractionOrExponentAreIntegers() {
        JobSpec spec = JobSpecParser.parse(cmd("'resources':{'memMb':512.0,'diskMb':1e3},'priority':-0.0"));

        assertThat(spec.resources().memMb()).isEqualTo(512);
        assertThat(spec.resources().diskMb()).isEqualTo(1000);
        assertThat(spec.priority()).isZero();
    }

    @Test
    void boundaryValuesAreAccepted() {
        JobSpec spec = JobSpecParser.parse(cmd("""
                'id':'%s','queue':'%s','resources':{'cpus':1024,'memMb':16777216,'diskMb':0,'gpus':64},
                'priority':1000,'instances':100,'retries':{'max':100,'backoff':{'initial':'PT0S','max':'PT24H'}},
                'maxRuntime':'P30D','killGracePeriod':'PT0S'""".formatted("A".repeat(64), "q".repeat(64))));

        assertThat(spec.resources()).isEqualTo(new Resources(1024, 16_777_216, 0, 64));
        assertThat(spec.maxRuntime()).isEqualTo(Duration.ofDays(30));
        assertThat(spec.killGracePeriod()).isZero();
        assertThat(spec.retries().backoff().max()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void acceptsAByteOrderMarkAndSurroundingWhitespace() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] json = ("\n  " + cmd("") + "  \n").getBytes(UTF_8);
        byte[] body = new byte[bom.length + json.length];
        System.arraycopy(bom, 0, body, 0, bom.length);
        System.arraycopy(json, 0, body, bom.length, json.length);

        assertThat(JobSpecParser.parse(body).type()).isEqualTo(JobType.COMMAND);
    }

    @Test
    void knownTypesAreCommandJvmKafkaSparkAndHadoop() {
        assertThat(JobSpecParser.knownTypes()).containsExactly("command", "jvm", "kafka", "spark", "hadoop");
    }

    // ---- rejected specs: one row per rule, each with the exact set of paths reported ----------

    static Stream<Arguments> malformedSpecs() {
        String deep = q("{'type':'command','command':{'argv':['x']},'args':") + "[".repeat(30) + "]".repeat(30) + "}";
        String deepPath = "/args" + "/0".repeat(19);   // top level is depth 1, /args 2, the 21st level is 19 arrays further
        String tooManyEnv = IntStream.range(0, 257).mapToObj(i -> "'V" + i + "':'x'").collect(Collectors.joining(","));
        String tooManyLabels = IntStream.range(0, 65).mapToObj(i -> "'l" + i + "':'x'").collect(Collectors.joining(","));
        String tooManyArgs = IntStream.range(0, 1001).mapToObj(i -> "'a'").collect(Collectors.joining(","));
        String overOneMiB = cmd("'name':'" + "x".repeat(JobSpecParser.MAX_BODY_BYTES) + "'");
        return Stream.of(
                row("malformed JSON", "{\"type\": \"command\",\n \"command\": {\"argv\": [\"echo\"]},\n \"priority\": }", ""),
                row("empty body", "", ""),
                row("blank body", "  \n\t ", ""),
                row("array body", "[1, 2]", ""),
                row("string body", "\"hello\"", ""),
                row("null body", "null", ""),
                row("content after the object", cmd("") + " {}", ""),
                row("trailing comma", q("{'type':'command',}"), ""),
                row("comment", "// hi\n" + cmd(""), ""),
                row("single-quoted strings", "{'type':'command'}", ""),
                row("NaN literal", cmd("'resources':{'cpus':NaN}"), ""),
                row("number with 2000 digits", cmd("'priority':" + "9".repeat(2000)), ""),
                row("leading zero", cmd("'priority':01"), ""),
                row("raw newline in a string", cmd("'name':'a\nb'"), ""),
                Arguments.of("invalid UTF-8", new byte[] {'{', '"', 'n', '"', ':', '"', (byte) 0xFF, '"', '}'}, List.of("")),
                row("unknown top-level field", cmd("'colour':'red'"), "/colour"),
                row("unknown field with a slash", cmd("'a/b~c':1"), "/a~1b~0c"),
                row("unknown nested field", cmd("'resources':{'cpu':2}"), "/resources/cpu"),
                row("unknown field in backoff", cmd("'retries':{'backoff':{'factor':2}}"), "/retries/backoff/factor"),
                row("unknown field in command", q("{'type':'command','command':{'argv':['x'],'cwd':'/tmp'}}"), "/command/cwd"),
                row("unknown type", q("{'type':'flink','flink':{}}"), "/type", "/flink"),
                row("missing type", q("{'command':{'argv':['x']}}"), "/type"),
                row("null type", q("{'type':null,'command':{'argv':['x']}}"), "/type"),
                row("type not a string", q("{'type':1,'command':{'argv':['x']}}"), "/type"),
                row("other type's section too", cmd("'jvm':{'mainClass':'a.B'}"), "/jvm"),
                row("wrong section only", q("{'type':'jvm','command':{'argv':['x']}}"), "/jvm", "/command"),
                row("section missing", q("{'type':'command'}"), "/command"),
                row("section null", q("{'type':'command','command':null}"), "/command"),
                row("section not an object", q("{'type':'command','command':'echo hi'}"), "/command"),
                row("both argv and shell", q("{'type':'command','command':{'argv':['x'],'shell':'x'}}"), "/command"),
                row("neither argv nor shell", q("{'type':'command','command':{}}"), "/command"),
                row("empty argv", q("{'type':'command','command':{'argv':[]}}"), "/command/argv"),
                row("argv not an array", q("{'type':'command','command':{'argv':'echo hi'}}"), "/command/argv"),
                row("argv non-string", q("{'type':'command','command':{'argv':['echo',1]}}"), "/command/argv/1"),
                row("argv null entry", q("{'type':'command','command':{'argv':['echo',null]}}"), "/command/argv/1"),
                row("argv empty entry", q("{'type':'command','command':{'argv':['echo','']}}"), "/command/argv/1"),
                row("argv[0] blank", q("{'type':'command','command':{'argv':['  ','x']}}"), "/command/argv/0"),
                row("blank shell", q("{'type':'command','command':{'shell':'   '}}"), "/command/shell"),
                row("NUL in shell", q("{'type':'command','command':{'shell':'echo \\u0000'}}"), "/command/shell"),
                row("NUL in argv", q("{'type':'command','command':{'argv':['echo','a\\u0000b']}}"), "/command/argv/1"),
                row("cpus 0", cmd("'resources':{'cpus':0}"), "/resources/cpus"),
                row("cpus negative", cmd("'resources':{'cpus':-1}"), "/resources/cpus"),
                row("cpus 2000", cmd("'resources':{'cpus':2000}"), "/resources/cpus"),
                row("cpus a word", cmd("'resources':{'cpus':'two'}"), "/resources/cpus"),
                row("cpus NaN as a string", cmd("'resources':{'cpus':'NaN'}"), "/resources/cpus"),
                row("cpus null", cmd("'resources':{'cpus':null}"), "/resources/cpus"),
                row("cpus 1e400", cmd("'resources':{'cpus':1e400}"), "/resources/cpus"),
                row("cpus below any double", cmd("'resources':{'cpus':1e-999}"), "/resources/cpus"),
                row("resources an array", cmd("'resources':[1]"), "/resources"),
                row("memMb 1.5", cmd("'resources':{'memMb':1.5}"), "/resources/memMb"),
                row("memMb 1e30", cmd("'resources':{'memMb':1e30}"), "/resources/memMb"),
                row("memMb huge integer", cmd("'resources':{'memMb':99999999999999999999}"), "/resources/memMb"),
                row("memMb 0", cmd("'resources':{'memMb':0}"), "/resources/memMb"),
                row("memMb boolean", cmd("'resources':{'memMb':true}"), "/resources/memMb"),
                row("diskMb negative", cmd("'resources':{'diskMb':-1}"), "/resources/diskMb"),
                row("gpus 65", cmd("'resources':{'gpus':65}"), "/resources/gpus"),
                row("env reserved key", cmd("'env':{'NIGHTSHIFT_TASK_ID':'x'}"), "/env/NIGHTSHIFT_TASK_ID"),
                row("env key starting with a digit", cmd("'env':{'1PATH':'x'}"), "/env/1PATH"),
                row("env key with a slash", cmd("'env':{'A/B':'x'}"), "/env/A~1B"),
                row("env key empty", cmd("'env':{'':'x'}"), "/env/"),
                row("env value a number", cmd("'env':{'PORT':8080}"), "/env/PORT"),
                row("env value null", cmd("'env':{'PORT':null}"), "/env/PORT"),
                row("env value with NUL", cmd("'env':{'X':'a\\u0000'}"), "/env/X"),
                row("env value too long", cmd("'env':{'X':'" + "v".repeat(32_769) + "'}"), "/env/X"),
                row("env too many entries", cmd("'env':{" + tooManyEnv + "}"), "/env"),
                row("env an array", cmd("'env':['A=B']"), "/env"),
                row("labels bad key", cmd("'labels':{'-team':'x'}"), "/labels/-team"),
                row("labels value too long", cmd("'labels':{'team':'" + "t".repeat(257) + "'}"), "/labels/team"),
                row("labels too many entries", cmd("'labels':{" + tooManyLabels + "}"), "/labels"),
                row("args too long a list", cmd("'args':[" + tooManyArgs + "]"), "/args"),
                row("args entry not a string", cmd("'args':['a',{}]"), "/args/1"),
                row("args entry too long", cmd("'args':['" + "a".repeat(32_769) + "']"), "/args/0"),
                row("retries.max 101", cmd("'retries':{'max':101}"), "/retries/max"),
                row("retries.max negative", cmd("'retries':{'max':-1}"), "/retries/max"),
                row("retries a number", cmd("'retries':3"), "/retries"),
                row("bad duration string", cmd("'maxRuntime':'5 minutes'"), "/maxRuntime"),
                row("duration as a number", cmd("'killGracePeriod':30"), "/killGracePeriod"),
                row("duration empty", cmd("'maxRuntime':''"), "/maxRuntime"),
                row("maxRuntime PT0S", cmd("'maxRuntime':'PT0S'"), "/maxRuntime"),
                row("maxRuntime negative", cmd("'maxRuntime':'-PT1H'"), "/maxRuntime"),
                row("maxRuntime P31D", cmd("'maxRuntime':'P31D'"), "/maxRuntime"),
                row("killGracePeriod PT2H", cmd("'killGracePeriod':'PT2H'"), "/killGracePeriod"),
                row("backoff max < initial", cmd("'retries':{'backoff':{'initial':'PT1M','max':'PT30S'}}"), "/retries/backoff/max"),
                row("backoff initial > default max", cmd("'retries':{'backoff':{'initial':'PT10M'}}"), "/retries/backoff/initial"),
                row("backoff max < default initial", cmd("'retries':{'backoff':{'max':'PT0.5S'}}"), "/retries/backoff/max"),
                row("backoff initial negative", cmd("'retries':{'backoff':{'initial':'PT-1S'}}"), "/retries/backoff/initial"),
                row("backoff max over a day", cmd("'retries':{'backoff':{'max':'PT25H'}}"), "/retries/backoff/max"),
                row("priority 5000", cmd("'priority':5000"), "/priority"),
                row("priority fractional", cmd("'priority':1.5"), "/priority"),
                row("instances 0", cmd("'instances':0"), "/instances"),
                row("instances a string", cmd("'instances':'1'"), "/instances"),
                row("id with a dot", cmd("'id':'etl.daily'"), "/id"),
                row("id too long", cmd("'id':'" + "a".repeat(65) + "'"), "/id"),
                row("id empty", cmd("'id':''"), "/id"),
                row("id starting with a dash", cmd("'id':'-x'"), "/id"),
                row("id null", cmd("'id':null"), "/id"),
                row("queue uppercase", cmd("'queue':'Batch'"), "/queue"),
                row("name with a control character", cmd("'name':'two\\nlines'"), "/name"),
                row("name empty", cmd("'name':''"), "/name"),
                row("name too long", cmd("'name':'" + "n".repeat(201) + "'"), "/name"),
                row("mainClass missing", q("{'type':'jvm','jvm':{'classpath':['a.jar']}}"), "/jvm/mainClass"),
                row("mainClass not a class name", jvm("", "").replace("com.example.Main", "com..Main"), "/jvm/mainClass"),
                row("mainClass a path", jvm("", "").replace("com.example.Main", "com/example/Main.class"), "/jvm/mainClass"),
                row("jvm unknown field", jvm("'main':'x'", ""), "/jvm/main"),
                row("classpath entry empty", jvm("'classpath':['']", ""), "/jvm/classpath/0"),
                row("classpath not an array", jvm("'classpath':'a.jar:b.jar'", ""), "/jvm/classpath"),
                row("jvmOption without a dash", jvm("'jvmOptions':['-Xss2m','Xmx1g']", ""), "/jvm/jvmOptions/1"),
                row("heapMb over memMb", jvm("'heapMb':512", "'resources':{'memMb':256}"), "/jvm/heapMb"),
                row("heapMb over the default memMb", jvm("'heapMb':257", ""), "/jvm/heapMb"),
                row("heapMb below 16", jvm("'heapMb':8", ""), "/jvm/heapMb"),
                row("javaHome empty", jvm("'javaHome':''", ""), "/jvm/javaHome"),
                row("nesting too deep", deep, deepPath),
                row("duplicate key", q("{'type':'command','type':'jvm','command':{'argv':['x']}}"), "/type"),
                row("duplicate nested key", cmd("'resources':{'cpus':1,'cpus':2}"), "/resources/cpus"),
                row("body over 1 MiB", overOneMiB, ""));
    }

    private static Arguments row(String rule, String body, String... paths) {
        return Arguments.of(rule, body.getBytes(UTF_8), List.of(paths));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedSpecs")
    void rejectsWithTheExactPaths(String rule, byte[] body, List<String> paths) {
        List<Problem> problems = problemsOf(body);

        assertThat(problems).extracting(Problem::path).containsExactlyInAnyOrderElementsOf(paths);
        assertThat(problems).allSatisfy(p -> assertThat(p.message())
                .isNotBlank()
                .hasSizeLessThan(400)
                .doesNotContain("com.fasterxml", "Exception", "`", "[Source", "Feature", "ALLOW_", "\n")
                .matches(m -> Character.isLowerCase(m.charAt(0)) || !Character.isLetter(m.charAt(0)),
                        "starts lower-case"));
    }

    @Test
    void atLeastFortyRules() {
        assertThat(malformedSpecs().count()).isGreaterThanOrEqualTo(40);
    }

    // ---- messages -----------------------------------------------------------------------------

    @Test
    void malformedJsonSaysWhereWithoutParserInternals() {
        Problem p = only(problemsOf("{\"type\": \"command\",\n \"command\": {\"argv\": [\"echo\"]},\n \"priority\": }"));

        assertThat(p.path()).isEmpty();
        assertThat(p.message()).startsWith("malformed JSON at line 3, column 14: ").contains("unexpected character");
    }

    @Test
    void nonStandardNumbersAreExplainedWithoutFeatureNames() {
        Problem p = only(problemsOf(cmd("'resources':{'cpus':NaN}")));

        assertThat(p.message()).startsWith("malformed JSON at line 1, column").contains("'NaN'").doesNotContain("enable");
    }

    @Test
    void unexpectedEndOfInputDoesNotLeakTheSourceOrMarkerLocation() {
        Problem p = only(problemsOf("{\"type\": \"command\""));

        assertThat(p.message()).startsWith("malformed JSON at line 1").contains("end-of-input")
                .doesNotContain("REDACTED", "Source", "start marker");
    }

    @Test
    void parserLimitsAreExplainedInWords() {
        assertThat(only(problemsOf(cmd("'priority':" + "9".repeat(2000)))).message())
                .startsWith("malformed JSON at line 1").endsWith(": a number is longer than 1000 characters");
        assertThat(only(problemsOf("// comment\n{}")).message())
                .isEqualTo("malformed JSON at line 1, column 1: unexpected character ('/' (code 47)): maybe a (non-standard) comment?");
    }

    @Test
    void emptyBodyMessage() {
        assertThat(only(problemsOf("")).message()).isEqualTo("body is empty, expected a JSON object");
        assertThat(only(problemsOf(new byte[0])).message()).isEqualTo("body is empty, expected a JSON object");
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> JobSpecParser.parse((byte[]) null));
        assertThat(e.problems()).extracting(Problem::message).containsExactly("body is empty, expected a JSON object");
    }

    @Test
    void topLevelArrayMessage() {
        assertThat(only(problemsOf("[]")).message()).isEqualTo("expected a JSON object at the top level, got an array");
    }

    @Test
    void scalarMessagesSayWhatIsAllowedAndWhatWasGiven() {
        assertThat(only(problemsOf(cmd("'resources':{'cpus':0}"))).toString())
                .isEqualTo("/resources/cpus: must be a number > 0 and <= 1024, got 0");
        assertThat(only(problemsOf(cmd("'resources':{'memMb':1.5}"))).message())
                .isEqualTo("must be an integer from 1 to 16777216, got 1.5");
        assertThat(only(problemsOf(cmd("'resources':{'memMb':99999999999999999999}"))).message())
                .isEqualTo("must be an integer from 1 to 16777216, got 99999999999999999999");
        assertThat(only(problemsOf(cmd("'resources':{'cpus':'two'}"))).message())
                .isEqualTo("must be a number > 0 and <= 1024, got \"two\"");
        assertThat(only(problemsOf(cmd("'resources':{'cpus':null}"))).message()).startsWith("must not be null");
        assertThat(only(problemsOf(cmd("'priority':5000"))).message()).isEqualTo("must be an integer from -1000 to 1000, got 5000");
        assertThat(only(problemsOf(cmd("'id':'etl.daily'"))).message()).contains("no dots").endsWith("got \"etl.daily\"");
    }

    @Test
    void unknownTypeListsTheKnownOnes() {
        assertThat(only(problemsOf(q("{'type':'flink'}"))).message())
                .isEqualTo("unknown type 'flink'; known types: command, jvm, kafka, spark, hadoop");
        assertThat(only(problemsOf(q("{'command':{'argv':['x']}}"))).message())
                .isEqualTo("is required; known types: command, jvm, kafka, spark, hadoop");
    }

    @Test
    void sectionMessagesNameTheType() {
        assertThat(only(problemsOf(q("{'type':'command'}"))).message()).isEqualTo("is required for type command");
        assertThat(only(problemsOf(cmd("'jvm':{'mainClass':'a.B'}"))).message()).contains("not allowed for type command");
    }

    @Test
    void unknownFieldListsTheKnownOnesAndSuggestsANearMiss() {
        assertThat(only(problemsOf(cmd("'resources':{'cpu':2}"))).toString())
                .isEqualTo("/resources/cpu: unknown field; did you mean 'cpus'? known fields: cpus, memMb, diskMb, gpus");
        assertThat(only(problemsOf(cmd("'resources':{'ram':2}"))).message())
                .isEqualTo("unknown field; known fields: cpus, memMb, diskMb, gpus");
        assertThat(only(problemsOf(cmd("'maxruntime':'PT1H'"))).message()).contains("did you mean 'maxRuntime'?");
    }

    @Test
    void durationProblemsGiveAnExample() {
        assertThat(only(problemsOf(cmd("'maxRuntime':'5 minutes'"))).message())
                .isEqualTo("expected an ISO-8601 duration such as PT30S, PT5M or PT1H30M, got \"5 minutes\"");
        assertThat(only(problemsOf(cmd("'killGracePeriod':'PT2H'"))).message())
                .isEqualTo("must be >= PT0S and <= PT1H, got \"PT2H\"");
        assertThat(only(problemsOf(cmd("'retries':{'backoff':{'initial':'PT1M','max':'PT30S'}}"))).message())
                .isEqualTo("must be >= initial (PT1M), got PT30S");
    }

    @Test
    void heapMbMessageNamesTheMemoryLimit() {
        assertThat(only(problemsOf(jvm("'heapMb':512", "'resources':{'memMb':256}"))).message())
                .isEqualTo("must not exceed resources.memMb (256), got 512");
    }

    @Test
    void heapMbIsNotComparedWithAnInvalidMemMb() {
        assertThat(problemsOf(jvm("'heapMb':512", "'resources':{'memMb':'lots'}")))
                .extracting(Problem::path).containsExactly("/resources/memMb");
    }

    @Test
    void envValuesAreNeverEchoed() {
        String secret = "s3cr3t-Pa55w0rd";
        List<Problem> problems = problemsOf(cmd("""
                'env':{'A':'%s\\u0000','B':'%s','C':12345678,'NIGHTSHIFT_X':'%s'}""".formatted(secret, secret.repeat(3000), secret)));

        assertThat(problems).extracting(Problem::path).containsExactlyInAnyOrder("/env/A", "/env/B", "/env/C", "/env/NIGHTSHIFT_X");
        assertThat(problems).extracting(Problem::message).noneMatch(m -> m.contains(secret) || m.contains("12345678"));
        assertThat(problems.stream().filter(p -> p.path().equals("/env/C")).findFirst().orElseThrow().message())
                .isEqualTo("must be a string, got a number");
    }

    @Test
    void echoedValuesAreShortenedAndControlCharactersEscaped() {
        String message = only(problemsOf(cmd("'queue':'" + "Q".repeat(5000) + "'"))).message();
        assertThat(message).hasSizeLessThan(200).endsWith("QQQ...\"");

        String name = only(problemsOf(cmd("'name':'bell\\u0007'"))).message();
        assertThat(name).contains("bell\\u0007").doesNotContain("\u0007");
    }

    @Test
    void nulMessageIsExplicit() {
        assertThat(only(problemsOf(q("{'type':'command','command':{'shell':'echo \\u0000'}}"))).message())
                .isEqualTo("must not contain the NUL character (\\u0000)");
    }

    @Test
    void duplicateKeyIsNamedByPath() {
        Problem p = only(problemsOf(cmd("'labels':{'team':'a','team':'b'}")));

        assertThat(p).isEqualTo(new Problem("/labels/team", "duplicate key; each key may appear only once"));
    }

    @Test
    void tooDeepNestingIsAProblemNotAStackOverflow() {
        String body = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";

        Problem p = only(problemsOf(body));

        assertThat(p.message()).contains("nested too deeply").contains("20");
    }

    @Test
    void nestingUpToTheLimitIsOnlyAnUnknownField() {
        // top level (1) + 19 nested arrays = 20 levels: allowed, so the only problem is the unknown field.
        String body = cmd("'deep':" + "[".repeat(19) + "]".repeat(19));

        assertThat(problemsOf(body)).extracting(Problem::path).containsExactly("/deep");
    }

    @Test
    void bodyOverOneMiBIsRejectedBeforeParsing() {
        byte[] body = new byte[JobSpecParser.MAX_BODY_BYTES + 1];   // not even JSON: size is checked first

        assertThat(only(problemsOf(body)).message())
                .isEqualTo("body is 1048577 bytes, more than the limit of 1048576 bytes (1 MiB)");
    }

    @Test
    void stringOverOneMiBIsRejectedToo() {
        String body = cmd("'name':'" + "é".repeat(JobSpecParser.MAX_BODY_BYTES / 2) + "'");   // < 1 Mi chars, > 1 MiB UTF-8
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> JobSpecParser.parse(body));

        assertThat(e.problems()).extracting(Problem::path).containsExactly("");
        assertThat(e.problems().get(0).message()).contains("more than the limit");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        String body = q("""
                {'id':'a.b','queue':'UPPER','type':'command','command':{'argv':[]},
                 'resources':{'cpus':0,'memMb':1.5,'gpu':1},'env':{'NIGHTSHIFT_X':'v'},
                 'maxRuntime':'soon','priority':5000,'instances':0,'extra':true}""");

        assertThat(problemsOf(body)).extracting(Problem::path).containsExactlyInAnyOrder(
                "/id", "/queue", "/command/argv", "/resources/cpus", "/resources/memMb", "/resources/gpu",
                "/env/NIGHTSHIFT_X", "/maxRuntime", "/priority", "/instances", "/extra");
    }

    @Test
    void theListOfProblemsIsCapped() {
        String fields = IntStream.range(0, 500).mapToObj(i -> "'f" + i + "':1").collect(Collectors.joining(","));

        List<Problem> problems = problemsOf(cmd(fields));

        assertThat(problems).hasSize(Problems.MAX + 1);
        assertThat(problems.get(Problems.MAX)).isEqualTo(new Problem("", "and 400 more problems not listed"));
    }

    @Test
    void exceptionMessageListsEveryProblem() {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> JobSpecParser.parse(cmd("'priority':5000,'instances':0")));

        assertThat(e.getMessage()).contains("/priority: must be an integer").contains("/instances: must be an integer");
    }

    // ---- trees from elsewhere (the CLI's YAML) ------------------------------------------------

    @Test
    void parsesATree() throws Exception {
        JobSpec fromTree = JobSpecParser.parse(Json.mapper().readTree(cmd("'resources':{'cpus':0.5}")));

        assertThat(fromTree).isEqualTo(JobSpecParser.parse(cmd("'resources':{'cpus':0.5}")));
    }

    @Test
    void treeWithNaNOrInfinityIsRejected() {
        ObjectNode tree = (ObjectNode) treeOf(cmd("'resources':{'cpus':1,'memMb':2}"));
        ((ObjectNode) tree.get("resources")).set("cpus", DoubleNode.valueOf(Double.NaN));
        ((ObjectNode) tree.get("resources")).set("memMb", DoubleNode.valueOf(Double.POSITIVE_INFINITY));

        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> JobSpecParser.parse(tree));

        assertThat(e.problems()).extracting(Problem::path).containsExactlyInAnyOrder("/resources/cpus", "/resources/memMb");
        assertThat(e.problems()).extracting(Problem::message).anyMatch(m -> m.endsWith("got NaN"));
    }

    @Test
    void treeTooDeepIsRejectedWithoutRecursion() {
        ObjectNode tree = (ObjectNode) treeOf(cmd(""));
        ObjectNode at = tree.putObject("labels");
        for (int i = 0; i < 50_000; i++) at = at.putObject("x");

        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> JobSpecParser.parse(tree));

        assertThat(e.problems()).extracting(Problem::path).containsExactly("/labels" + "/x".repeat(19));
    }

    @Test
    void treeThatIsNotAnObjectIsRejected() {
        for (var tree : List.of(JsonNodeFactory.instance.arrayNode(), JsonNodeFactory.instance.missingNode())) {
            InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> JobSpecParser.parse(tree));
            assertThat(e.problems()).extracting(Problem::path).containsExactly("");
        }
    }

    @Test
    void pendingTimeoutIsBoundedAndLeftOutOfTheHashWhenAbsent() {
        assertThat(JobSpecParser.parse(cmd("'pendingTimeout':'PT15M'")).pendingTimeout()).isEqualTo(java.time.Duration.ofMinutes(15));
        assertThat(JobSpecParser.parse(cmd("")).pendingTimeout()).isNull();
        assertThat(only(problemsOf(cmd("'pendingTimeout':'PT0.5S'"))).path()).isEqualTo("/pendingTimeout");
        assertThat(only(problemsOf(cmd("'pendingTimeout':'P31D'"))).path()).isEqualTo("/pendingTimeout");
        assertThat(JobSpecParser.canonicalJson(JobSpecParser.parse(cmd("")))).doesNotContain("pendingTimeout");
    }

    private static com.fasterxml.jackson.databind.JsonNode treeOf(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    // ---- canonical hash -----------------------------------------------------------------------

    @Test
    void explicitDefaultsHashLikeAbsentOnes() {
        JobSpec bare = JobSpecParser.parse(cmd(""));
        JobSpec spelledOut = JobSpecParser.parse(cmd("""
                'queue':'default','resources':{'cpus':1.0,'memMb':256,'diskMb':0,'gpus':0},'env':{},'args':[],
                'retries':{'max':0,'backoff':{'initial':'PT1S','max':'PT5M'}},'killGracePeriod':'PT10S',
                'priority':0,'labels':{},'instances':1"""));

        assertThat(JobSpecParser.canonicalHash(spelledOut)).isEqualTo(JobSpecParser.canonicalHash(bare));
    }

    @Test
    void differentCpusHashDifferently() {
        assertThat(JobSpecParser.canonicalHash(JobSpecParser.parse(cmd("'resources':{'cpus':2}"))))
                .isNotEqualTo(JobSpecParser.canonicalHash(JobSpecParser.parse(cmd("'resources':{'cpus':2.5}"))));
    }

    @Test
    void idIsIgnoredButAnExplicitNameIsNot() {
        String noId = JobSpecParser.canonicalHash(JobSpecParser.parse(cmd("")));
        String withId = JobSpecParser.canonicalHash(JobSpecParser.parse(cmd("'id':'etl-1'")));
        String assigned = JobSpecParser.canonicalHash(JobSpecParser.parse(cmd("")).withId("generated-42"));
        String named = JobSpecParser.canonicalHash(JobSpecParser.parse(cmd("'id':'etl-1','name':'ETL'")));

        assertThat(withId).isEqualTo(noId).isEqualTo(assigned);
        assertThat(named).isNotEqualTo(noId);
    }

    @Test
    void keyOrderDoesNotMatter() {
        String a = cmd("'env':{'A':'1','B':'2'},'labels':{'x':'1','y':'2'},'resources':{'memMb':512,'cpus':2}");
        String b = q("{'labels':{'y':'2','x':'1'},'resources':{'cpus':2,'memMb':512},'env':{'B':'2','A':'1'},"
                + "'command':{'argv':['echo','hi']},'type':'command'}");

        assertThat(JobSpecParser.canonicalHash(JobSpecParser.parse(b))).isEqualTo(JobSpecParser.canonicalHash(JobSpecParser.parse(a)));
    }

    @Test
    void argOrderMatters() {
        assertThat(JobSpecParser.canonicalHash(JobSpecParser.parse(cmd("'args':['a','b']"))))
                .isNotEqualTo(JobSpecParser.canonicalHash(JobSpecParser.parse(cmd("'args':['b','a']"))));
    }

    @Test
    void hashIsSha256HexOfSortedCompactJson() {
        JobSpec spec = JobSpecParser.parse(cmd("'id':'x','env':{'B':'2','A':'1'}"));

        assertThat(JobSpecParser.canonicalHash(spec)).matches("[0-9a-f]{64}");
        assertThat(JobSpecParser.canonicalJson(spec)).isEqualTo(q("{'args':[],'command':{'argv':['echo','hi']},"
                + "'env':{'A':'1','B':'2'},'instances':1,'killGracePeriod':'PT10S','labels':{},'priority':0,"
                + "'queue':'default','resources':{'cpus':1.0,'diskMb':0,'gpus':0,'memMb':256},"
                + "'retries':{'backoff':{'initial':'PT1S','max':'PT5M'},'max':0},'type':'command'}"));
    }

    @Test
    void withIdNullKeepsAGivenName() {
        JobSpec spec = JobSpecParser.parse(cmd("'id':'etl-1','name':'Nightly ETL'"));

        assertThat(spec.withId(null).name()).isEqualTo("Nightly ETL");
        assertThat(spec.withId(null).id()).isNull();
    }
}
