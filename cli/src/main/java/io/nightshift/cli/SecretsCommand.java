package io.nightshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nightshift secrets [list] | create | delete}: the coordinator's stored secrets (admin only).
 * A value is read from stdin or a file, never from the command line (where {@code ps} and shell
 * history would keep it), and never printed back.
 */
@Command(name = "secrets", mixinStandardHelpOptions = true,
        description = {"List, store and delete secrets that jobs reference by name in their spec's 'secrets' (needs an admin token).",
                "Values are never shown: the listing has names, queues, who and when."},
        subcommands = {SecretsCommand.Create.class, SecretsCommand.Delete.class})
final class SecretsCommand implements Callable<Integer> {
    /** What the coordinator accepts as one value (characters). */
    static final int MAX_VALUE_CHARS = 32_768;

    @ParentCommand
    Nightshift root;

    @Override
    public Integer call() {
        JsonNode secrets = root.client().secrets();
        if (root.json()) {
            root.out.println(Cli.pretty(secrets));
            return 0;
        }
        Table t = Table.of("NAME", "QUEUES", "UPDATED", "BY");
        for (JsonNode n : secrets.path("secrets")) {
            List<String> queues = new ArrayList<>();
            n.path("queues").forEach(q -> queues.add(q.asText()));
            t.row(n.path("name").asText(), String.join(",", queues), n.path("updatedAt").asText(null), n.path("updatedBy").asText(null));
        }
        root.out.print(t.render());
        return 0;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Store a secret (or replace the one of that name) for the jobs of the given queues.",
                    "The value comes from stdin (e.g. 'nightshift secrets create db --queue etl < db.pass'), or --from-file;",
                    "one trailing newline is dropped. It is never taken from the command line and never printed."})
    static final class Create implements Callable<Integer> {
        @ParentCommand
        SecretsCommand parent;

        @Parameters(paramLabel = "NAME", description = "The secret's name (lower-case letters, digits, '.', '_', '-').")
        String name;

        @Option(names = "--queue", paramLabel = "QUEUE", required = true,
                description = "A queue whose jobs may use the secret (repeatable).")
        List<String> queues = new ArrayList<>();

        @Option(names = "--from-file", paramLabel = "FILE", description = "Read the value from this file instead of stdin.")
        Path file;

        @Override
        public Integer call() {
            Nightshift root = parent.root;
            String value = file != null ? readFile(root.workDir.resolve(file)) : readStdin(root);
            JsonNode stored = root.client().putSecret(name, value, queues);
            if (root.json()) root.out.println(Cli.pretty(stored));
            else root.out.println("stored secret " + name + " for queue(s) " + String.join(",", queues) + " (its value is not shown again)");
            return 0;
        }

        private static String readFile(Path f) {
            if (!Files.isRegularFile(f)) throw CliException.usage("--from-file: no such file " + f);
            try (InputStream in = Files.newInputStream(f)) {
                return value(in, "--from-file " + f);
            } catch (IOException e) {
                throw CliException.usage("--from-file: cannot read " + f + ": " + e.getMessage());
            }
        }

        private String readStdin(Nightshift root) {
            java.io.Console console = System.console();
            if (root.tty && console != null && root.stdin == System.in) {
                char[] typed = console.readPassword("Value of secret %s (not echoed): ", name);
                if (typed == null || typed.length == 0) throw CliException.usage("no value given");
                String v = new String(typed);
                java.util.Arrays.fill(typed, '\0');
                return v;
            }
            try {
                return value(root.stdin, "stdin");
            } catch (IOException e) {
                throw CliException.usage("cannot read the value from stdin: " + e.getMessage());
            }
        }

        /** The value in {@code in}: UTF-8, one trailing newline dropped, 1 to {@value #MAX_VALUE_CHARS} characters. */
        static String value(InputStream in, String from) throws IOException {
            int maxBytes = 4 * MAX_VALUE_CHARS + 2;
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            for (int n; (n = in.read(chunk)) > 0; ) {
                buf.write(chunk, 0, n);
                if (buf.size() > maxBytes) throw CliException.usage("the value from " + from + " is longer than " + MAX_VALUE_CHARS + " characters");
            }
            String v;
            try {
                v = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(buf.toByteArray())).toString();
            } catch (CharacterCodingException e) {
                throw CliException.usage("the value from " + from + " is not UTF-8 text");
            }
            if (v.endsWith("\r\n")) v = v.substring(0, v.length() - 2);
            else if (v.endsWith("\n")) v = v.substring(0, v.length() - 1);
            if (v.isEmpty()) throw CliException.usage("the value from " + from + " is empty");
            if (v.length() > MAX_VALUE_CHARS) throw CliException.usage("the value from " + from + " is longer than " + MAX_VALUE_CHARS + " characters");
            return v;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a secret; jobs accepted before start their later attempts without it.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        SecretsCommand parent;

        @Parameters(paramLabel = "NAME", description = "The secret's name, as 'nightshift secrets' lists it.")
        String name;

        @Override
        public Integer call() {
            parent.root.client().deleteSecret(name);
            parent.root.out.println("deleted secret " + name);
            return 0;
        }
    }
}
