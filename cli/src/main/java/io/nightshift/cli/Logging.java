package io.nightshift.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/**
 * Log levels by kind of command: servers log every event at INFO (one line each, to stderr);
 * client commands only WARN and above, so their stdout/stderr carry nothing but their answer.
 * {@code --verbose} adds DEBUG for Nightshift's own loggers.
 */
final class Logging {
    private Logging() {
    }

    /** Before anything else starts: route Hazelcast's own logging through SLF4J (and so through logback.xml). */
    static void routeLibraries() {
        if (System.getProperty("hazelcast.logging.type") == null) System.setProperty("hazelcast.logging.type", "slf4j");
    }

    static void configure(boolean server, boolean verbose) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) return;
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(server || verbose ? Level.INFO : Level.WARN);
        ctx.getLogger("io.nightshift").setLevel(verbose ? Level.DEBUG : null);
        // bench runs a whole cluster in-process: Hazelcast's start-up warnings are noise next to its table
        ctx.getLogger("com.hazelcast").setLevel(server || verbose ? Level.WARN : Level.ERROR);
    }
}
