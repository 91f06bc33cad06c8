package io.nightshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code nightshift whoami}: the subject and roles of the token the CLI sends. */
@Command(name = "whoami", mixinStandardHelpOptions = true, description = "Show whose token the CLI sends, and its roles.")
final class WhoamiCommand implements Callable<Integer> {
    @ParentCommand
    Nightshift root;

    @Override
    public Integer call() {
        JsonNode me = root.client().whoami();
        if (root.json()) {
            root.out.println(Cli.pretty(me));
            return 0;
        }
        List<String> roles = new ArrayList<>();
        me.path("roles").forEach(r -> roles.add(r.asText()));
        root.out.println(me.path("subject").asText() + " (" + (roles.isEmpty() ? "no roles" : String.join(", ", roles)) + ")");
        return 0;
    }
}
