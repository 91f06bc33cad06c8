package io.nightshift.agent.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to execute for one attempt: the full argv (argv[0] an executable path or a name looked up on
 * the {@code PATH} of {@code env}), the complete environment (nothing is inherited from the agent),
 * and the working directory (the sandbox).
 */
public record ProcessPlan(List<String> argv, Map<String, String> env, Path workDir) {
    public ProcessPlan {
        if (argv == null || argv.isEmpty()) throw new IllegalArgumentException("argv must not be empty");
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }
}
