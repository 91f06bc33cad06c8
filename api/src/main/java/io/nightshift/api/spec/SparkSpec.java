package io.nightshift.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A Spark application, in the words of {@code spark-submit}. Checked by {@link JobSpecParser}; this record only
 * normalizes (absent lists and maps are empty).
 * <ul>
 *   <li>{@code appResource}: the application's jar or {@code .py} file, a path relative to the sandbox naming one
 *       of the job's {@code artifacts} (its {@code target()}, or a file inside an extracted one);</li>
 *   <li>{@code mainClass}: the driver's main class (required unless {@code appResource} is a {@code .py} file);</li>
 *   <li>{@code appArgs}: the application's arguments;</li>
 *   <li>{@code master}: default {@code local[N]} with N the task's cpus rounded up; also {@code local[*]},
 *       {@code spark://host:port}, {@code yarn}, {@code k8s://https://host:port};</li>
 *   <li>{@code deployMode}: {@code client} (the only one: the agent supervises the driver);</li>
 *   <li>{@code conf}: {@code spark.*} settings, passed as {@code --conf k=v};</li>
 *   <li>{@code jars}, {@code files}, {@code pyFiles}: sandbox-relative paths (artifacts) or URIs;</li>
 *   <li>{@code driverMemory}: a Spark size ({@code 512m}, {@code 2g}); default 75 % of the job's {@code memMb};</li>
 *   <li>{@code sparkVersion}: which of the agent's Spark homes runs it; default the agent's first.</li>
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SparkSpec(
        String appResource,
        String mainClass,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> appArgs,
        String master,
        String deployMode,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> conf,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> jars,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> files,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> pyFiles,
        String driverMemory,
        String sparkVersion) {

    public static final String CLIENT = "client";

    public SparkSpec {
        if (appResource == null || appResource.isBlank()) throw new InvalidSpecException("/spark/appResource", "is required");
        appArgs = appArgs == null ? List.of() : List.copyOf(appArgs);
        conf = conf == null ? Map.of() : Map.copyOf(conf);
        jars = jars == null ? List.of() : List.copyOf(jars);
        files = files == null ? List.of() : List.copyOf(files);
        pyFiles = pyFiles == null ? List.of() : List.copyOf(pyFiles);
    }

    /** A jar application: {@code mainClass} in {@code appResource}, everything else default. */
    public static SparkSpec of(String appResource, String mainClass, List<String> appArgs) {
        return new SparkSpec(appResource, mainClass, appArgs, null, null, null, null, null, null, null, null);
    }

    public SparkSpec withMaster(String v) {
        return new SparkSpec(appResource, mainClass, appArgs, v, deployMode, conf, jars, files, pyFiles, driverMemory, sparkVersion);
    }

    public SparkSpec withConf(Map<String, String> v) {
        return new SparkSpec(appResource, mainClass, appArgs, master, deployMode, v, jars, files, pyFiles, driverMemory, sparkVersion);
    }
}
