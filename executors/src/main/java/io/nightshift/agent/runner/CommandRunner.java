package io.nightshift.agent.runner;

import io.nightshift.agent.process.ProcessPlan;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.spec.CommandSpec;
import io.nightshift.api.spec.JobType;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code command} jobs: {@code argv + args}, executed directly; or a shell line as
 * {@code /bin/sh -c <line> sh <args...>}, so the job's args are {@code $1..$n} and {@code $0} is "sh".
 */
public final class CommandRunner implements Runner {
    public static final String SHELL = "/bin/sh";

    @Override
    public JobType type() {
        return JobType.COMMAND;
    }

    @Override
    public ProcessPlan plan(Launch launch, TaskContext ctx) {
        return new ProcessPlan(argv(launch.spec().command(), launch.spec().args()), TaskEnvironment.of(launch, ctx),
                ctx.sandboxDir());
    }

    static List<String> argv(CommandSpec command, List<String> args) {
        List<String> argv = new ArrayList<>();
        if (command.shell() != null) {
            argv.addAll(List.of(SHELL, "-c", command.shell(), "sh"));
        } else {
            argv.addAll(command.argv());
        }
        argv.addAll(args);
        return argv;
    }
}
