package io.nightshift.cli;

import io.nightshift.api.client.NightshiftException;
import io.nightshift.api.config.ConfigException;
import io.nightshift.api.spec.InvalidSpecException;
import io.nightshift.api.spec.Problem;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Entry point of {@code nightshift.jar}. Exit codes: 0 ok; 1 the job failed or was killed, or an
 * operation failed (coordinator unreachable, unknown job...); 2 usage error or invalid input
 * (bad option, invalid spec, bad setting). Errors are one line on stderr ({@code error: ...}),
 * never a stack trace unless {@code --verbose}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        io.nightshift.agent.process.LaunchMechanism.applyDefault(); // agents of local/demo/agent, bench's floor
        Logging.routeLibraries();
        Nightshift root = new Nightshift();
        int code = CliException.FAILED;
        try {
            code = commandLine(root).execute(args);
        } catch (Throwable t) { // an Error picocli does not handle (broken install, out of memory): still one line, still exit
            root.err.println("error: " + t);
            if (root.verbose) t.printStackTrace(root.err);
        } finally {
            root.out.flush();
            root.err.flush();
            System.exit(code); // servers' non-daemon threads must not keep a finished command alive
        }
    }

    /** The configured picocli command line around {@code root} (tests run it in-process). */
    static CommandLine commandLine(Nightshift root) {
        CommandLine cl = new CommandLine(root);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(root.out);
        cl.setErr(root.err);
        cl.setExecutionStrategy(Main::execute);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> handle(ex, root));
        // as spark-submit: everything after the application is the application's, flags included
        cl.getSubcommands().get("submit").getSubcommands().get("spark").setStopAtPositional(true);
        return cl;
    }

    private static int execute(ParseResult parsed) {
        List<CommandLine> chain = parsed.asCommandLineList();
        CommandLine leaf = chain.get(chain.size() - 1);
        Nightshift root = (Nightshift) chain.get(0).getCommand();
        boolean helpOnly = parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested()
                || chain.stream().anyMatch(c -> c.getParseResult().isUsageHelpRequested());
        if (!helpOnly) Logging.configure(leaf.getCommand() instanceof ServerCommand, root.verbose);
        Table.defaultWidth = Terminal.columns(root.env, root.tty);
        try {
            return new CommandLine.RunLast().execute(parsed);
        } finally {
            root.out.flush();
        }
    }

    /** Turns a failure into its one-line explanation and exit code. */
    static int handle(Exception ex, Nightshift root) {
        PrintWriter err = root.err;
        int code;
        if (ex instanceof InvalidSpecException e) {
            err.println("error: invalid job spec (" + count(e.problems().size()) + "):");
            printProblems(err, e.problems());
            code = CliException.USAGE;
        } else if (ex instanceof NightshiftException e) {
            err.println("error: " + e.getMessage());
            printProblems(err, e.problems());
            code = e.isBadRequest() ? CliException.USAGE : CliException.FAILED;
        } else if (ex instanceof CliException e) {
            err.println("error: " + e.getMessage());
            printProblems(err, e.problems());
            code = e.exitCode();
        } else if (ex instanceof ConfigException e) {
            err.println("error: bad configuration: " + e.getMessage());
            code = CliException.USAGE;
        } else {
            String m = ex.getMessage();
            err.println("error: " + (m == null || m.isBlank() ? ex.getClass().getName() : m)
                    + (root.verbose ? "" : " (run with --verbose for details)"));
            code = CliException.FAILED;
        }
        if (root.verbose) ex.printStackTrace(err);
        err.flush();
        return code;
    }

    static void printProblems(PrintWriter err, List<Problem> problems) {
        for (Problem p : problems) err.println("  " + p);
    }

    private static String count(int n) {
        return n == 1 ? "1 problem" : n + " problems";
    }
}
