package io.nightshift.agent;

import io.nightshift.api.config.Config;
import io.nightshift.api.config.ConfigException;
import io.nightshift.api.config.Setting;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs an agent in its own JVM until SIGTERM (used by integration tests; the real CLI is elsewhere).
 * SIGTERM stops it with {@link Agent#close()}: by default its tasks keep running and the next agent
 * started on the same work dir re-attaches to them; {@code --kill-tasks-on-stop true} kills them
 * instead (reported KILLED / AGENT_SHUTDOWN).
 * Flags map to settings by name: {@code --coordinator URL} → {@code agent.coordinator}, likewise
 * {@code --id}, {@code --work-dir}, {@code --cpus}, {@code --mem-mb}, {@code --http-port},
 * {@code --attributes k=v,...} and every other {@code agent.*} setting ({@code --name value} or
 * {@code --name=value}). Environment {@code NIGHTSHIFT_AGENT_*} applies below the flags. Once up it
 * prints one line {@code nightshift-agent <id> ready <httpUrl>} on stdout.
 */
public final class AgentMain {
    private AgentMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        io.nightshift.agent.process.LaunchMechanism.applyDefault(); // before the first process this JVM starts
        Map<String, String> flags;
        try {
            flags = parseFlags(args);
        } catch (IllegalArgumentException e) {
            System.err.println("nightshift-agent: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        AgentConfig config;
        try {
            config = AgentConfig.from(Config.load(AgentSettings.ALL, null, System.getenv(), flags));
        } catch (ConfigException e) {
            System.err.println("nightshift-agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        Agent agent = Agent.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "nightshift-agent-shutdown"));
        System.out.println("nightshift-agent " + agent.id() + " ready " + agent.httpUrl());
        System.out.flush();
        stopped.await();
    }

    /** {@code --name value} / {@code --name=value} → {@code agent.name → value}. */
    static Map<String, String> parseFlags(String[] args) {
        return Config.flags("agent", AgentSettings.ALL, args);
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("usage: AgentMain [--flag value]...\n");
        for (Setting<?> s : AgentSettings.ALL) {
            sb.append(String.format("  --%-28s %s%n", s.name().substring("agent.".length()), s.doc()));
        }
        return sb.toString();
    }
}
