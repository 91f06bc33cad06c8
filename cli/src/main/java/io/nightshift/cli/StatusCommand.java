package io.nightshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.client.JobQuery;
import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.state.JobState;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code nightshift status [ID]}: the jobs as a table, or one job with its runs, tasks, attempts and pending reasons. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"List jobs, or show one job with its runs, tasks and attempts.",
                "Without ID: a table of jobs (ID, NAME, STATE, QUEUE, SUBMITTED).",
                "With ID: the job, its runs, tasks and attempts (agent, exit code, reason) and, while pending, why it waits",
                "and when the coordinator expects it to start."})
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    Nightshift root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "A job id.")
    String id;

    @Option(names = "--state", paramLabel = "STATE", description = "Only jobs in this state: ${COMPLETION-CANDIDATES}.")
    JobState state;

    @Option(names = "--queue", paramLabel = "QUEUE", description = "Only jobs of this queue.")
    String queue;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Only jobs with this label (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N jobs (0 = all; default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        NightshiftClient client = root.client();
        if (id != null) {
            String jobId = Cli.jobOfTask(id) != null ? Cli.jobOfTask(id) : id;
            JsonNode tree = client.getJson("/v1/jobs/" + Cli.pathSegment(jobId));
            if (root.json()) root.out.println(Cli.pretty(tree));
            else root.out.print(Views.jobDetail(Cli.read(tree, JobDetail.class), eta(tree), root.clock.instant(), root.zone, root.tty));
            return 0;
        }
        if (limit < 0) throw CliException.usage("--limit must not be negative");
        JobQuery q = JobQuery.all().withState(state).withQueue(queue).withLimit(limit);
        for (Map.Entry<String, String> l : labels.entrySet()) q = q.withLabel(l.getKey(), l.getValue());
        List<Job> jobs = client.list(q);
        if (root.json()) {
            root.out.println(Cli.pretty(Map.of("jobs", jobs)));
        } else if (jobs.isEmpty()) {
            root.out.println("No jobs.");
        } else {
            root.out.print(Views.jobsTable(jobs, root.zone, root.style()));
        }
        return 0;
    }

    /** {@code pending.eta} of a job detail: when the coordinator expects its waiting tasks to start; null when it has no estimate. */
    static Instant eta(JsonNode detail) {
        JsonNode eta = detail.path("pending").path("eta");
        if (!eta.isTextual()) return null;
        try {
            return OffsetDateTime.parse(eta.textValue()).toInstant();
        } catch (DateTimeParseException e) {
            return null; // an estimate the CLI cannot read is left out, not an error
        }
    }
}
