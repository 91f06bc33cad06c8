package io.nightshift.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A JVM task: {@code mainClass} run with {@code classpath} entries (paths on the agent, absolute or
 * relative to the sandbox) and {@code jvmOptions}. The heap ({@code -Xmx}) is derived from the
 * job's {@code memMb} (75 %) unless {@code heapMb} is set or an {@code -Xmx} option is given.
 * {@code javaHome} picks the JDK; by default the agent's own.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JvmSpec(String mainClass, List<String> classpath, List<String> jvmOptions, Long heapMb, String javaHome) {
    public JvmSpec {
        if (mainClass == null || mainClass.isBlank()) {
            throw new InvalidSpecException("/jvm/mainClass", "is required");
        }
        classpath = classpath == null ? List.of() : List.copyOf(classpath);
        jvmOptions = jvmOptions == null ? List.of() : List.copyOf(jvmOptions);
    }
}
