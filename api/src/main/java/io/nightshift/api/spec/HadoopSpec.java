package io.nightshift.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A Hadoop MapReduce driver, as {@code hadoop jar <jar> <mainClass> <args>} runs it: {@code jar} (a sandbox-relative
 * path naming one of the job's {@code artifacts}), {@code mainClass}, {@code args}, and {@code conf}: Hadoop settings
 * ({@code -D k=v} before the arguments, for a driver using {@code ToolRunner}, and in the driver's
 * {@code HADOOP_CONF} defaults) on top of the agent's Hadoop configuration. With no {@code mapreduce.framework.name}
 * anywhere the job runs in the driver's JVM (the local job runner). Checked by {@link JobSpecParser}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HadoopSpec(
        String jar,
        String mainClass,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> args,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> conf,
        Long heapMb) {

    public HadoopSpec {
        if (jar == null || jar.isBlank()) throw new InvalidSpecException("/hadoop/jar", "is required");
        if (mainClass == null || mainClass.isBlank()) throw new InvalidSpecException("/hadoop/mainClass", "is required");
        args = args == null ? List.of() : List.copyOf(args);
        conf = conf == null ? Map.of() : Map.copyOf(conf);
    }

    public static HadoopSpec of(String jar, String mainClass, List<String> args) {
        return new HadoopSpec(jar, mainClass, args, null, null);
    }
}
