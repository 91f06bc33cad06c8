package io.nightshift.cli;

import io.nightshift.api.model.Job;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code nightshift scale ID N}: a running stream kafka job gets N instances; the highest ones above N stop cleanly. */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Set the instances of a running stream kafka job: new ones start, the highest ones above N "
                + "are stopped cleanly (commit, leave the group).")
final class ScaleCommand implements Callable<Integer> {
    @ParentCommand
    Nightshift root;

    @Parameters(index = "0", paramLabel = "ID", description = "Job id.")
    String id;

    @Parameters(index = "1", paramLabel = "N", description = "Instances, 1 to 100.")
    int instances;

    @Override
    public Integer call() {
        if (instances < 1 || instances > 100)
            throw new CliException(CliException.USAGE, "N must be from 1 to 100, got " + instances);
        Job job = root.client().scale(id, instances);
        if (root.json()) root.out.println(Cli.pretty(job));
        else root.out.println("job " + job.id() + " now runs " + job.spec().instances() + " instance(s)");
        return 0;
    }
}
