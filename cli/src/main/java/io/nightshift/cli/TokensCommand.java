package io.nightshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code nightshift tokens [list] | create | revoke}: API tokens (admin only). */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = {"List, create and revoke API tokens (needs an admin token).",
                "Roles: admin, read, read:QUEUE, submit:QUEUE, submit:*, agent (a join token for agents)."},
        subcommands = {TokensCommand.Create.class, TokensCommand.Revoke.class})
final class TokensCommand implements Callable<Integer> {
    @ParentCommand
    Nightshift root;

    @Override
    public Integer call() {
        JsonNode tokens = root.client().tokens();
        if (root.json()) {
            root.out.println(Cli.pretty(tokens));
            return 0;
        }
        Table t = Table.of("ID", "SUBJECT", "ROLES", "CREATED", "BY", "REVOKED");
        for (JsonNode n : tokens.path("tokens")) {
            List<String> roles = new ArrayList<>();
            n.path("roles").forEach(r -> roles.add(r.asText()));
            t.row(n.path("id").asText(), n.path("subject").asText(), String.join(",", roles), n.path("createdAt").asText(null),
                    n.path("createdBy").asText(null), n.path("revokedAt").asText(null));
        }
        root.out.print(t.render());
        return 0;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a token and print it (the only time it is shown; the coordinator keeps its hash).")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        TokensCommand parent;

        @Option(names = "--subject", required = true, paramLabel = "NAME", description = "Who holds the token (shown as the job owner).")
        String subject;

        @Option(names = "--role", paramLabel = "ROLE", description = "A role (repeatable): admin, read, read:QUEUE, submit:QUEUE, submit:*, agent.")
        List<String> roles = new ArrayList<>();

        @Override
        public Integer call() {
            Nightshift root = parent.root;
            JsonNode created = root.client().createToken(subject, roles);
            if (root.json()) root.out.println(Cli.pretty(created));
            else {
                root.out.println(created.path("token").asText());
                root.err.println("token " + created.path("info").path("id").asText() + " for '" + subject + "' with roles "
                        + roles + "; keep it secret: it is not shown again");
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by its id (tok-...).")
    static final class Revoke implements Callable<Integer> {
        @ParentCommand
        TokensCommand parent;

        @Parameters(paramLabel = "ID", description = "The token's id, as 'nightshift tokens' lists it.")
        String id;

        @Override
        public Integer call() {
            parent.root.client().revokeToken(id);
            parent.root.out.println("revoked " + id);
            return 0;
        }
    }
}
