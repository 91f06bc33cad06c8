package io.nightshift.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.spec.JobSpecParser;
import io.nightshift.api.state.JobState;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nightshift submit FILE|- [--wait]}: reads a JSON or YAML spec, checks it locally with the
 * same parser the coordinator uses (every problem listed, exit 2), submits it and prints the job
 * id. With {@code --wait} it then reports each state change and exits 0 when the job SUCCEEDED,
 * 1 when it FAILED or was KILLED.
 */
@Command(name = "submit", mixinStandardHelpOptions = true, subcommands = SubmitSparkCommand.class,
        description = {"Submit a job spec and print the job id.",
                "FILE is JSON, or YAML for .yaml/.yml files; '-' reads stdin (JSON or YAML, detected).",
                "The spec is checked locally first: every problem is listed, exit 2.",
                "With --wait, show its progress and exit 0 if it succeeded, 1 if it failed or was killed."})
final class SubmitCommand implements Callable<Integer> {
    @ParentCommand
    Nightshift root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE|-", description = "Job spec file, or - for stdin.")
    String file;

    @Option(names = {"-w", "--wait"}, description = "Wait for the job to end, showing each state change.")
    boolean await;

    @Option(names = "--idempotency-key", paramLabel = "KEY",
            description = "Resending the same spec with the same key returns the first job instead of a new one.")
    String idempotencyKey;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "With --wait: give up after this long (e.g. 30s, 10m, PT1H; default: setting cli.wait-timeout).")
    String timeout;

    @Override
    public Integer call() {
        // optional for picocli only, so that 'submit spark ...' needs no FILE
        if (file == null) throw CliException.usage("Missing required parameter: 'FILE|-'");
        return submit(root, SpecFiles.read(file, root.workDir, root.stdin), await, idempotencyKey, timeout);
    }

    /**
     * Checks {@code tree} with the coordinator's own parser (every problem at once, exit 2, nothing sent), submits
     * it and prints the job id; with {@code await}, follows it to its end (exit 0 when it SUCCEEDED, else 1).
     */
    static int submit(Nightshift root, JsonNode tree, boolean await, String idempotencyKey, String timeout) {
        Duration waitFor = timeout == null ? root.config().get(CliSettings.WAIT_TIMEOUT) : Durations.parse("--timeout", timeout);
        JobSpecParser.parse(tree); // every problem at once, before anything is sent
        byte[] body;
        try {
            body = Json.mapper().writeValueAsBytes(tree);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        NightshiftClient client = root.client();
        Job job = client.submitRaw(body, "application/json", idempotencyKey);
        io.nightshift.api.model.Admission admission = job.admission();
        if (admission != null && !root.json() && !io.nightshift.api.model.Admission.ADMITTED.equals(admission.verdict()))
            root.err.println("deadline " + admission.verdict() + ": " + admission.reason()); // stdout stays the job id
        if (!await) {
            root.out.println(root.json() ? Cli.pretty(job) : job.id());
            return 0;
        }
        Progress progress = new Progress(root.clock, root.style());
        if (!root.json()) root.out.println(job.id());
        boolean bars = root.tty && !root.json();
        boolean[] drawn = {false};
        JobDetail done = client.await(job.id(), waitFor, d -> {
            if (!root.json()) {
                List<String> lines = bars ? progress.updateWithoutFetchFigures(d) : progress.update(d);
                if (drawn[0] && (!lines.isEmpty() || bars)) root.out.print("\r\u001b[K"); // the bar goes under the new lines
                drawn[0] = false;
                lines.forEach(root.out::println);
                String bar = bars ? progress.bar(d) : null;
                if (bar != null) {
                    root.out.print(bar);
                    drawn[0] = true;
                }
            }
            root.out.flush();
        });
        if (drawn[0]) root.out.print("\r\u001b[K");
        if (root.json()) root.out.println(Cli.pretty(done));
        return exitCode(done.job().state());
    }

    static int exitCode(JobState s) {
        return s == JobState.SUCCEEDED ? 0 : 1;
    }
}
