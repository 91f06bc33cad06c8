package io.nightshift.cli;

import io.nightshift.api.client.NightshiftClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nightshift logs ID [--follow] [--stderr]}: a task's stdout (or stderr). ID is a task id
 * ({@code <job>.r<run>.<instance>}) or a job id (its first task in its latest run).
 */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Print a task's stdout or stderr.",
                "ID is a job id (its first task, latest run) or a task id (<job>.r<run>.<instance>).",
                "--follow keeps printing as the log grows until the task ends."})
final class LogsCommand implements Callable<Integer> {
    @ParentCommand
    Nightshift root;

    @Parameters(index = "0", paramLabel = "ID", description = "Job id or task id (<job>.r<run>.<instance>).")
    String id;

    @Option(names = {"-f", "--follow"}, description = "Keep streaming until the task ends.")
    boolean follow;

    @Option(names = "--stderr", description = "Show stderr instead of stdout.")
    boolean stderr;

    @Option(names = "--tail", paramLabel = "N", description = "Only the last N lines (without --follow).")
    Integer tail;

    @Override
    public Integer call() {
        if (tail != null && tail < 0) throw CliException.usage("--tail must not be negative");
        NightshiftClient client = root.client();
        NightshiftClient.Stream stream = stderr ? NightshiftClient.Stream.STDERR : NightshiftClient.Stream.STDOUT;
        boolean isTask = Cli.jobOfTask(id) != null;
        if (follow) {
            java.util.function.Consumer<String> print = line -> {
                root.out.println(line);
                if (root.out.checkError()) throw new ReaderGone(); // e.g. `| head` closed the pipe
            };
            // on a terminal, say what is followed and when it ends (on stderr: stdout stays the log itself)
            if (root.tty) root.err.println(root.style().dim("Following " + stream.wire() + " of " + id + " until the task ends; Ctrl-C stops."));
            try {
                if (isTask) client.followTaskLogs(id, stream, print);
                else client.followLogs(id, stream, print);
                if (root.tty) root.err.println(root.style().dim("The task ended; that was all of its " + stream.wire() + "."));
            } catch (ReaderGone e) {
                // nobody reads any more: stop following
            }
            return 0;
        }
        root.out.print(isTask ? client.taskLogs(id, stream, tail) : client.logs(id, stream, tail));
        root.out.flush();
        return 0;
    }

    /** Stops a follow when stdout is closed. */
    private static final class ReaderGone extends RuntimeException {
        ReaderGone() {
            super(null, null, false, false);
        }
    }
}
