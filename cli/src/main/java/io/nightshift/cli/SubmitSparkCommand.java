package io.nightshift.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nightshift.api.json.Json;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nightshift submit spark [spark-submit flags] APP [APP ARGS...]}: a {@code spark} job from the flags a data
 * engineer already gives {@code spark-submit}, so a script can swap one for the other. Everything after APP belongs to
 * the application, as with spark-submit. APP is an artifact: a URI (hdfs, s3, s3a, http, https, file) or a local path
 * (sent as a {@code file:} URI, which the agent fetches only from the directories it allow-lists); the agent puts it
 * at {@code app/<name>} in the sandbox. The spec is built as JSON and checked by the coordinator's own parser, so its
 * answers (every problem by JSON path, exit 2) are the same as for a spec file.
 */
@Command(name = "spark", mixinStandardHelpOptions = true,
        description = {"Submit a Spark application with spark-submit's flags and print the job id.",
                "Everything after APP is passed to the application. APP is a URI (hdfs://, s3a://, https://, ...) or a",
                "local path (sent as file:, fetched only from directories the agent allow-lists).",
                "Executor flags become the matching spark.* settings; --packages and cluster deploy mode are not supported."})
final class SubmitSparkCommand implements Callable<Integer> {
    static final int DEFAULT_MEM_MB = 1024;
    private static final Set<String> SCHEMES = Set.of("hdfs", "s3", "s3a", "http", "https", "file");
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,7})([kmgt])?b?", Pattern.CASE_INSENSITIVE);

    @ParentCommand
    SubmitCommand submit;

    @Option(names = "--class", paramLabel = "CLASS", description = "The application's main class (jar applications).")
    String mainClass;

    @Option(names = "--master", paramLabel = "URL", description = "local[N] (default: local[cpus]), spark://host:port, yarn, k8s://...")
    String master;

    @Option(names = "--deploy-mode", paramLabel = "MODE", description = "client (the only mode: the agent supervises the driver).")
    String deployMode;

    @Option(names = "--name", paramLabel = "NAME", description = "The job's name (default: the job id).")
    String name;

    @Option(names = {"--conf", "-c"}, paramLabel = "PROP=VALUE", description = "A spark.* setting (repeatable).")
    List<String> conf = new ArrayList<>();

    @Option(names = "--properties-file", paramLabel = "FILE", description = "spark.* settings from a properties file; --conf wins.")
    Path propertiesFile;

    @Option(names = "--jars", paramLabel = "JARS", description = "Comma-separated jars (URIs, or paths of the job's artifacts).")
    String jars;

    @Option(names = "--files", paramLabel = "FILES", description = "Comma-separated files (URIs, or paths of the job's artifacts).")
    String files;

    @Option(names = "--py-files", paramLabel = "PY_FILES", description = "Comma-separated .py/.zip/.egg files.")
    String pyFiles;

    @Option(names = "--driver-memory", paramLabel = "MEM", description = "The driver's heap (e.g. 2g); the job's memory is sized from it.")
    String driverMemory;

    @Option(names = "--driver-cores", paramLabel = "N", description = "The driver's cores: the job's cpus unless --cpus is given.")
    Double driverCores;

    @Option(names = "--executor-memory", paramLabel = "MEM", description = "spark.executor.memory.")
    String executorMemory;

    @Option(names = "--executor-cores", paramLabel = "N", description = "spark.executor.cores.")
    String executorCores;

    @Option(names = "--num-executors", paramLabel = "N", description = "spark.executor.instances.")
    String numExecutors;

    @Option(names = "--total-executor-cores", paramLabel = "N", description = "spark.cores.max.")
    String totalExecutorCores;

    @Option(names = "--spark-version", paramLabel = "VERSION", description = "Which of the agent's Spark homes runs it (default: its first).")
    String sparkVersion;

    @Option(names = "--id", paramLabel = "ID", description = "The job's id (default: assigned by the coordinator).")
    String id;

    @Option(names = {"-q", "--queue"}, paramLabel = "QUEUE", description = "The queue (default: default).")
    String queue;

    @Option(names = "--cpus", paramLabel = "N", description = "CPUs for the driver's task (default 1, or --driver-cores).")
    Double cpus;

    @Option(names = "--mem", paramLabel = "MB", description = "Memory of the task in MiB (default: the driver memory plus 384, else "
            + DEFAULT_MEM_MB + ").")
    Long memMb;

    @Option(names = "--max-runtime", paramLabel = "DURATION", description = "Kill the driver after this long (ISO-8601, e.g. PT2H).")
    String maxRuntime;

    @Option(names = {"-w", "--wait"}, description = "Wait for the job to end, showing each state change.")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "With --wait: give up after this long.")
    String timeout;

    @Parameters(index = "0", paramLabel = "APP", description = "The application's jar or .py file: a URI or a local path.")
    String app;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "The application's arguments.")
    List<String> appArgs = new ArrayList<>();

    @Override
    public Integer call() {
        return SubmitCommand.submit(submit.root, spec(), await, submit.idempotencyKey, timeout);
    }

    /** The job spec these flags describe, as the JSON a spec file would hold. */
    ObjectNode spec() {
        ObjectNode root = Json.mapper().createObjectNode();
        if (id != null) root.put("id", id);
        if (name != null) root.put("name", name);
        if (queue != null) root.put("queue", queue);
        root.put("type", "spark");
        ObjectNode res = root.putObject("resources");
        Double c = cpus != null ? cpus : driverCores;
        if (c != null) res.put("cpus", c);
        res.put("memMb", memMb != null ? memMb : driverMemory != null ? megabytes(driverMemory) + 384 : DEFAULT_MEM_MB);
        if (maxRuntime != null) root.put("maxRuntime", maxRuntime);

        String uri = artifactUri(app);
        String target = "app/" + baseName(uri);
        ObjectNode artifact = root.putArray("artifacts").addObject();
        artifact.put("uri", uri);
        artifact.put("destination", target);

        ObjectNode spark = root.putObject("spark");
        spark.put("appResource", target);
        if (mainClass != null) spark.put("mainClass", mainClass);
        if (!appArgs.isEmpty()) strings(spark.putArray("appArgs"), appArgs);
        if (master != null) spark.put("master", master);
        if (deployMode != null) spark.put("deployMode", deployMode);
        Map<String, String> settings = settings();
        if (!settings.isEmpty()) {
            ObjectNode confNode = spark.putObject("conf");
            settings.forEach(confNode::put);
        }
        list(spark, "jars", jars);
        list(spark, "files", files);
        list(spark, "pyFiles", pyFiles);
        if (driverMemory != null) spark.put("driverMemory", driverMemory);
        if (sparkVersion != null) spark.put("sparkVersion", sparkVersion);
        return root;
    }

    /** The properties file, then the executor flags, then every --conf (the last one of a key wins, as in spark-submit). */
    private Map<String, String> settings() {
        Map<String, String> out = new LinkedHashMap<>();
        if (propertiesFile != null) {
            Path f = submit.root.workDir.resolve(propertiesFile);
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw CliException.usage("--properties-file: cannot read " + f + ": " + e.getMessage());
            }
            p.stringPropertyNames().stream().sorted().forEach(k -> out.put(k, p.getProperty(k).trim()));
        }
        if (executorMemory != null) out.put("spark.executor.memory", executorMemory);
        if (executorCores != null) out.put("spark.executor.cores", executorCores);
        if (numExecutors != null) out.put("spark.executor.instances", numExecutors);
        if (totalExecutorCores != null) out.put("spark.cores.max", totalExecutorCores);
        for (String kv : conf) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw CliException.usage("--conf takes PROP=VALUE, got '" + kv + "'");
            out.put(kv.substring(0, eq).trim(), kv.substring(eq + 1));
        }
        return out;
    }

    /** APP as an artifact URI: a URI of a fetchable scheme as given, a local path as an absolute file: URI. */
    private String artifactUri(String given) {
        if (given.isBlank()) throw CliException.usage("APP is empty");
        int colon = given.indexOf(':');
        if (colon > 1) {
            String scheme = given.substring(0, colon).toLowerCase(Locale.ROOT);
            if (SCHEMES.contains(scheme)) return given;
            if (given.startsWith(scheme + "://")) {
                throw CliException.usage("APP: the scheme '" + scheme + "' cannot be fetched; use one of " + String.join(", ",
                        SCHEMES.stream().sorted().toList()) + ", or a local path");
            }
        }
        try {
            return submit.root.workDir.resolve(given).toAbsolutePath().normalize().toUri().toString();
        } catch (java.nio.file.InvalidPathException e) {
            throw CliException.usage("APP is not a valid path: " + e.getMessage());
        }
    }

    private static String baseName(String uri) {
        String path;
        try {
            path = URI.create(uri.replace(" ", "%20")).getPath();
        } catch (IllegalArgumentException e) {
            throw CliException.usage("APP is not a valid URI: " + e.getMessage());
        }
        if (path == null || path.isEmpty() || path.endsWith("/")) {
            throw CliException.usage("APP must name a file (a jar or a .py file), got '" + uri + "'");
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** A Spark size in MiB ({@code 2g} → 2048; no unit: bytes, as in Spark). */
    static long megabytes(String size) {
        Matcher m = SIZE.matcher(size.trim());
        if (!m.matches()) throw CliException.usage("--driver-memory takes a size such as 512m or 2g, got '" + size + "'");
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "k" -> Math.max(1, n / 1024);
            case "m" -> n;
            case "g" -> n * 1024;
            case "t" -> n * 1024 * 1024;
            default -> Math.max(1, n / (1024 * 1024));
        };
    }

    private static void list(ObjectNode spark, String field, String commaSeparated) {
        if (commaSeparated == null) return;
        List<String> items = new ArrayList<>();
        for (String s : commaSeparated.split(",")) if (!s.isBlank()) items.add(s.trim());
        if (!items.isEmpty()) strings(spark.putArray(field), items);
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
