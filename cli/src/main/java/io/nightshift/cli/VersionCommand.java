package io.nightshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.client.NightshiftException;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParentCommand;

/** {@code nightshift version}: this CLI's version, and the coordinator's when it answers. */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Print the CLI's version and, if it is reachable, the coordinator's.")
final class VersionCommand implements Callable<Integer> {
    @ParentCommand
    Nightshift root;

    /** The version this jar was built as (filtered into version.properties by Maven). */
    static String version() {
        try (InputStream in = VersionCommand.class.getResourceAsStream("version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"nightshift " + version()};
        }
    }

    @Override
    public Integer call() {
        String java = System.getProperty("java.version");
        JsonNode coordinator = null;
        String unreachable = null;
        try {
            coordinator = root.client().version();
        } catch (NightshiftException e) {
            unreachable = e.getMessage();
        }
        if (root.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cli", version());
            m.put("java", java);
            m.put("coordinatorUrl", root.coordinatorUrl().toString());
            m.put("coordinator", coordinator);
            if (unreachable != null) m.put("coordinatorError", unreachable);
            root.out.println(Cli.pretty(m));
            return 0;
        }
        root.out.println("nightshift " + version() + " (Java " + java + ")");
        if (coordinator != null) {
            String v = coordinator.path("version").asText(coordinator.toString());
            root.out.println("coordinator " + v + " at " + root.coordinatorUrl());
        } else {
            root.out.println("coordinator at " + root.coordinatorUrl() + ": " + unreachable);
        }
        return 0;
    }
}
