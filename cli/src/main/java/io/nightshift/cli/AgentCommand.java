package io.nightshift.cli;

import io.nightshift.agent.Agent;
import io.nightshift.agent.AgentConfig;
import io.nightshift.agent.AgentSettings;
import io.nightshift.api.config.Config;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nightshift agent --coordinator URL}: runs an agent on this machine until Ctrl-C. The
 * coordinator comes from {@code --coordinator} / {@code NIGHTSHIFT_COORDINATOR} when given, else
 * from the setting {@code agent.coordinator}.
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Run an agent on this machine, joined to --coordinator URL, until Ctrl-C.",
                "Settings: agent.* (see 'nightshift config'), e.g. --set agent.cpus=4 --set agent.work-dir=/var/lib/nightshift."})
final class AgentCommand implements Callable<Integer>, ServerCommand {
    @ParentCommand
    Nightshift root;

    @Override
    public Integer call() throws InterruptedException {
        Config config = root.config();
        if (root.coordinatorGiven()) config = config.with(AgentSettings.COORDINATOR, root.coordinatorUrl().toString());
        AgentConfig cfg = AgentConfig.from(config);
        Agent agent = Agent.start(cfg);
        root.out.println("Nightshift agent " + agent.id() + " joining " + config.get(AgentSettings.COORDINATOR)
                + " (Ctrl-C to stop)");
        root.out.flush();
        Servers.serveUntilStopped(agent::close);
        return 0;
    }
}
