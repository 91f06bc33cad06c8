package io.nightshift.cli;

import io.nightshift.api.model.AgentInfo;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code nightshift agents}: the registered agents, their capacity, their owners' load and their idle capacity. */
@Command(name = "agents", mixinStandardHelpOptions = true,
        description = "List agents: ID, HOST, STATUS, POOL, free/total CPUs and memory, the owners' load, the idle "
                + "capacity, process isolation.")
final class AgentsCommand implements Callable<Integer> {
    @ParentCommand
    Nightshift root;

    @Override
    public Integer call() {
        if (root.json()) {
            root.out.println(Cli.pretty(root.client().getJson("/v1/agents")));
            return 0;
        }
        List<AgentInfo> agents = root.client().agents();
        if (agents.isEmpty()) root.out.println("No agents.");
        else root.out.print(Views.agentsTable(agents));
        return 0;
    }
}
