package io.nightshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nightshift capacity}: the night capacity by pool, from {@code GET /v1/pools}: the pool's active agents,
 * their total, what the owners hold now (their reservation, or their measured load inside a window), the idle
 * capacity Nightshift may use, whether the pool lends its reservation now, and each window's current or next opening.
 */
@Command(name = "capacity", mixinStandardHelpOptions = true,
        description = {"Show capacity by pool: agents, total, held by the owners, idle for Nightshift, and the windows.",
                "Columns: POOL, AGENTS, TOTAL, OWNERS and IDLE (cpus/MiB), LENDING (a window is open: the owners' "
                        + "reservation is lent to revocable jobs), WINDOWS (name: open until, or next opening)."})
final class CapacityCommand implements Callable<Integer> {
    @ParentCommand
    Nightshift root;

    @Override
    public Integer call() {
        JsonNode answer = root.client().getJson("/v1/pools");
        JsonNode pools = answer.path("pools");
        if (root.json()) {
            root.out.println(Cli.pretty(answer));
            return 0;
        }
        if (!pools.isArray() || pools.isEmpty()) {
            root.out.println("No pools. Agents join one with --pool NAME; an admin declares it with PUT /v1/pools/NAME.");
            return 0;
        }
        root.out.print(table(pools));
        return 0;
    }

    /** {@code pools}: the {@code pools} array of {@code GET /v1/pools}. */
    static String table(JsonNode pools) {
        Table t = Table.of("POOL", "AGENTS", "TOTAL CPUS/MiB", "OWNERS CPUS/MiB", "IDLE CPUS/MiB", "LENDING", "WINDOWS")
                .alignRight(1, 2, 3, 4);
        for (JsonNode p : pools) {
            t.row(p.path("spec").path("name").asText(), p.path("agents").size(), resources(p.path("total")),
                    resources(p.path("owners")), resources(p.path("idle")), p.path("lending").asBoolean() ? "yes" : "no",
                    windows(p.path("windows")));
        }
        return t.render();
    }

    private static String resources(JsonNode r) {
        if (r.isMissingNode() || r.isNull()) return null;
        return Views.cpus(r.path("cpus").asDouble()) + "/" + r.path("memMb").asLong();
    }

    private static String windows(JsonNode ws) {
        List<String> out = new ArrayList<>();
        for (JsonNode w : ws) {
            out.add(w.path("name").asText() + (w.path("open").asBoolean()
                    ? ": open until " + w.path("closesAt").asText()
                    : ": opens " + w.path("opensAt").asText()));
        }
        return out.isEmpty() ? null : String.join(", ", out);
    }
}
