package io.nightshift.cli;

import io.nightshift.api.config.Config;
import io.nightshift.coordinator.Coordinator;
import io.nightshift.coordinator.CoordinatorConfig;
import java.util.concurrent.Callable;
import io.nightshift.coordinator.CoordinatorSettings;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code nightshift coordinator}: runs a coordinator (REST API, dashboard, agent channel) until Ctrl-C. */
@Command(name = "coordinator", mixinStandardHelpOptions = true,
        description = {"Run a coordinator (REST API, dashboard, agent channel) until Ctrl-C.",
                "Settings: coordinator.* (see 'nightshift config'), e.g. --set coordinator.port=8080."})
final class CoordinatorCommand implements Callable<Integer>, ServerCommand {
    @ParentCommand
    Nightshift root;

    @Option(names = "--join", paramLabel = "HOST:PORT",
            description = "Join the coordinators whose Hazelcast member listens there (repeatable); the oldest leads, "
                    + "the others follow and take over when it dies. Same as coordinator.hazelcast.members.")
    List<String> join = List.of();

    @Override
    public Integer call() throws InterruptedException {
        Config config = root.config();
        if (!join.isEmpty()) config = config.with(CoordinatorSettings.HAZELCAST_MEMBERS, String.join(",", join));
        CoordinatorConfig cfg = CoordinatorConfig.from(config);
        Coordinator coordinator = Servers.start(() -> Coordinator.start(cfg), config);
        root.out.println("Nightshift coordinator serving at " + Servers.browserUrl(coordinator.url()) + " as "
                + (coordinator.isLeader() ? "leader" : "follower") + " (Ctrl-C to stop)");
        root.out.flush();
        // a coordinator that steps down as leader is closed and started afresh with the same settings
        var current = new java.util.concurrent.atomic.AtomicReference<>(coordinator);
        var stopping = new java.util.concurrent.CompletableFuture<Void>();
        Thread supervisor = new Thread(() -> {
            try {
                io.nightshift.coordinator.CoordinatorMain.supervise(cfg, current, stopping);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "nightshift-coordinator-supervisor");
        supervisor.start();
        Servers.serveUntilStopped(() -> {
            stopping.complete(null);
            supervisor.join(60_000);
        });
        return 0;
    }
}
