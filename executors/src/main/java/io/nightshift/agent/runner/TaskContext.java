package io.nightshift.agent.runner;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a runner may use besides the Launch: the attempt's sandbox directory, the agent's own
 * environment (only a few safe variables are passed on, see {@link TaskEnvironment}) and the agent's
 * java home (the default JDK of jvm tasks).
 */
public record TaskContext(Path sandboxDir, Map<String, String> agentEnv, Path agentJavaHome) {
    public TaskContext {
        agentEnv = Map.copyOf(agentEnv);
    }
}
