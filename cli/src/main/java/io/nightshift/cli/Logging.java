package io.nightshift.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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

    /** The pattern of every log line, on the console or in a file. */
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{0} - %msg%n";

    /**
     * For {@code local} and {@code demo}: every log line goes to {@code file} (appended, created with its
     * directories), and to the console only when {@code alsoConsole} ({@code --verbose}), so the console
     * tells the story and the file keeps the detail. Closing the result puts the console back (tests).
     */
    static AutoCloseable toFile(Path file, boolean alsoConsole) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) return () -> { };
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(PATTERN);
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(ctx);
        appender.setName("FILE");
        appender.setFile(file.toAbsolutePath().toString());
        appender.setAppend(true);
        appender.setPrudent(false);
        appender.setEncoder(encoder);
        appender.start();
        List<Appender<ILoggingEvent>> detached = new ArrayList<>();
        if (!alsoConsole) {
            for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) detached.add(it.next());
            detached.forEach(root::detachAppender);
        }
        root.addAppender(appender);
        return () -> {
            root.detachAppender(appender);
            appender.stop();
            detached.forEach(root::addAppender);
        };
    }
}
