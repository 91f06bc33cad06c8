package io.nightshift.cli;

import io.nightshift.api.config.Config;
import io.nightshift.coordinator.Coordinator;
import io.nightshift.coordinator.CoordinatorConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code nightshift coordinator}: runs a coordinator (REST API, dashboard, agent channel) until Ctrl-C. */
@Command(name = "coordinator", mixinStandardHelpOptions = true,
        description = {"Run a coordinator (REST API, dashboard, agent channel) until Ctrl-C.",
                "Settings: coordinator.* (see 'nightshift config'), e.g. --set coordinator.port=8080."})
final class CoordinatorCommand implements Callable<Integer>, ServerCommand {
    @ParentCommand
    Nightshift root;

    @Override
    public Integer call() throws InterruptedException {
        Config config = root.config();
        CoordinatorConfig cfg = CoordinatorConfig.from(config);
        Coordinator coordinator = Servers.start(() -> Coordinator.start(cfg), config);
        root.out.println("Nightshift coordinator serving at " + Servers.browserUrl(coordinator.url()) + " (Ctrl-C to stop)");
        root.out.flush();
        Servers.serveUntilStopped(coordinator::close);
        return 0;
    }
}
