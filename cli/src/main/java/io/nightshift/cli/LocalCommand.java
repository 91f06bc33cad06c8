package io.nightshift.cli;

import io.nightshift.api.config.Config;
import io.nightshift.testkit.LocalCluster;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code nightshift local}: a coordinator and agents in this process, serving until Ctrl-C. */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = {"Run a coordinator and an agent in this process until Ctrl-C.",
                "Data goes under nightshift-data/ in the working directory (settings coordinator.data-dir, agent.work-dir).",
                "Port 7070 unless it is taken, then any free port; the real URL is printed."})
final class LocalCommand implements Callable<Integer>, ServerCommand {
    @ParentCommand
    Nightshift root;

    @Option(names = "--agents", paramLabel = "N", defaultValue = "1", description = "How many agents (default ${DEFAULT-VALUE}).")
    int agents;

    @Override
    public Integer call() throws InterruptedException {
        if (agents < 1 || agents > 64) throw CliException.usage("--agents must be between 1 and 64");
        java.nio.file.Path logFile = Servers.logToFile(root);
        Config config = Servers.preferDefaultPort(root.config());
        LocalCluster cluster = Servers.start(() -> LocalCluster.start(config, agents), config);
        String url = Servers.browserUrl(cluster.url());
        root.out.println("Nightshift is running at " + url + " (API " + url + "v1, " + agents
                + (agents == 1 ? " agent" : " agents") + "). Ctrl-C to stop.");
        if (!url.startsWith(CliSettings.DEFAULT_COORDINATOR + "/"))
            root.out.println("Client commands need: --coordinator " + cluster.url() + "  (or export "
                    + CliSettings.COORDINATOR_ENV + "=" + cluster.url() + ")");
        root.out.println("Logs: " + logFile + (root.verbose ? " (also on this console)" : " (--verbose shows them here)"));
        printToken(root, cluster);
        root.out.flush();
        Servers.serveUntilStopped(cluster::close);
        return 0;
    }

    /** Where the admin token is: the CLI here picks it up by itself; the dashboard and others need it given. */
    static void printToken(Nightshift root, LocalCluster cluster) {
        if (cluster.adminToken() == null) {
            if (cluster.coordinator().auth() == null)
                root.out.println("Authentication is OFF (coordinator.auth.insecure=true): anyone on this machine is admin.");
            return;
        }
        java.nio.file.Path file = cluster.coordinator().config().dataDir().resolve("admin.token").toAbsolutePath();
        root.out.println("Admin token: " + file + " (mode 0600; ./nightshift here uses it by itself; for the dashboard, "
                + "curl or another machine: export NIGHTSHIFT_TOKEN=$(cat " + file + "))");
    }
}
