package io.nightshift.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.client.QueueView;
import io.nightshift.api.json.Json;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.api.queue.QueueSpecParser;
import io.nightshift.api.spec.InvalidSpecException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nightshift queues}: the queues with their shares; {@code queues apply FILE|-} creates or
 * replaces one from a JSON or YAML definition (checked locally first with {@link QueueSpecParser},
 * every problem listed, exit 2); {@code queues delete NAME} removes one.
 */
@Command(name = "queues", mixinStandardHelpOptions = true,
        description = {"List queues with their weights, guarantees, limits and shares; create, replace or delete one.",
                "Columns: NAME, WEIGHT, GUARANTEE and LIMIT (cpus/MiB; '*' = unlimited in that dimension), MAX RUNNING, "
                        + "SHARE % (its dominant share of the cluster now), FAIR % (what weighted DRF gives it for the "
                        + "current demand), PENDING, RUNNING."},
        subcommands = {QueuesCommand.Apply.class, QueuesCommand.Delete.class})
final class QueuesCommand implements Callable<Integer> {
    @ParentCommand
    Nightshift root;

    @Override
    public Integer call() {
        if (root.json()) {
            root.out.println(Cli.pretty(root.client().getJson("/v1/queues")));
            return 0;
        }
        List<QueueView> queues = root.client().queues();
        if (queues.isEmpty()) root.out.println("No queues.");
        else root.out.print(Views.queuesTable(queues));
        return 0;
    }

    /** The definition in {@code file}, checked; a problem with the file or the definition is a usage error. */
    static Definition read(String file, Path workDir, InputStream stdin) {
        JsonNode tree = SpecFiles.read(file, workDir, stdin, "queue spec", QueueSpecParser.MAX_BODY_BYTES);
        try {
            return new Definition(QueueSpecParser.parse(tree), tree);
        } catch (InvalidSpecException e) {
            throw CliException.invalid("queue spec", e.problems());
        }
    }

    /** A checked queue definition, and the tree it came from (sent as the user wrote it; the coordinator fills defaults). */
    record Definition(QueueSpec spec, JsonNode tree) {
        byte[] json() {
            try {
                return Json.mapper().writeValueAsBytes(tree);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = {"Create a queue, or replace its definition, from a file.",
                    "FILE is JSON, or YAML for .yaml/.yml files; '-' reads stdin (JSON or YAML, detected).",
                    "Fields: name (required), weight (default 1), guarantee and limit {cpus, memMb, diskMb, gpus}, "
                            + "maxRunning, defaultPriority.",
                    "The definition is checked locally first: every problem is listed, exit 2."})
    static final class Apply implements Callable<Integer> {
        @ParentCommand
        QueuesCommand queues;

        @Parameters(index = "0", paramLabel = "FILE|-", description = "Queue definition file, or - for stdin.")
        String file;

        @Override
        public Integer call() {
            Nightshift root = queues.root;
            Definition d = read(file, root.workDir, root.stdin);
            boolean created = root.client().putQueueRaw(d.spec().name(), d.json());
            if (root.json()) {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("queue", d.spec().name());
                answer.put("created", created);
                root.out.println(Cli.pretty(answer));
            } else {
                root.out.println("queue " + d.spec().name() + (created ? " created" : " updated"));
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Delete a queue.",
                    "Refused (exit 1) while it still has jobs that have not ended, and for the default queue."})
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        QueuesCommand queues;

        @Parameters(index = "0", paramLabel = "NAME", description = "The queue's name.")
        String name;

        @Override
        public Integer call() {
            Nightshift root = queues.root;
            root.client().deleteQueue(name);
            if (root.json()) {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("queue", name);
                answer.put("deleted", true);
                root.out.println(Cli.pretty(answer));
            } else {
                root.out.println("queue " + name + " deleted");
            }
            return 0;
        }
    }
}
