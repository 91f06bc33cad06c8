package io.nightshift.cli;

import io.nightshift.api.model.Job;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code nightshift kill ID}: running tasks get SIGTERM, then SIGKILL after the job's grace period; the job ends KILLED. */
@Command(name = "kill", mixinStandardHelpOptions = true,
        description = "Kill a job: its running tasks get SIGTERM, then SIGKILL after the grace period; it ends KILLED.")
final class KillCommand implements Callable<Integer> {
    @ParentCommand
    Nightshift root;

    @Parameters(index = "0", paramLabel = "ID", description = "Job id.")
    String id;

    @Override
    public Integer call() {
        String jobId = Cli.jobOfTask(id) != null ? Cli.jobOfTask(id) : id;
        Job job = root.client().kill(jobId);
        if (root.json()) root.out.println(Cli.pretty(job));
        else if (job.state() != null && job.state().isTerminal())
            root.out.println("job " + job.id() + " had already ended: " + job.state());
        else root.out.println("kill requested for job " + job.id() + " (was " + job.state() + ")");
        return 0;
    }
}
