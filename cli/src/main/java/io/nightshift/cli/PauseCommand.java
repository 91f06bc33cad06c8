package io.nightshift.cli;

import io.nightshift.api.model.Job;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code nightshift pause ID}: a scheduled job fires nothing until resumed (a run already going is left alone). */
@Command(name = "pause", mixinStandardHelpOptions = true,
        description = "Pause a scheduled job: it fires nothing until it is resumed; a run already going goes on.")
final class PauseCommand implements Callable<Integer> {
    @ParentCommand
    Nightshift root;

    @Parameters(index = "0", paramLabel = "ID", description = "Job id.")
    String id;

    @Override
    public Integer call() {
        return print(root, root.client().pause(id, true));
    }

    static int print(Nightshift root, Job job) {
        if (root.json()) {
            root.out.println(Cli.pretty(job));
        } else if (job.schedule() != null && job.schedule().paused()) {
            root.out.println("job " + job.id() + " paused");
        } else {
            root.out.println("job " + job.id() + " resumed; next fire at "
                    + (job.schedule() == null || job.schedule().nextFireAt() == null ? "none" : job.schedule().nextFireAt()));
        }
        return 0;
    }

    /** {@code nightshift resume ID}: the schedule fires again; the times that passed while paused are skipped. */
    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Resume a paused scheduled job; the times that passed while it was paused are skipped.")
    static final class Resume implements Callable<Integer> {
        @ParentCommand
        Nightshift root;

        @Parameters(index = "0", paramLabel = "ID", description = "Job id.")
        String id;

        @Override
        public Integer call() {
            return print(root, root.client().pause(id, false));
        }
    }
}
