package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.ConsoleAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LoggingTest {
    static Logger root() {
        return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    static List<String> appenders() {
        List<String> names = new ArrayList<>();
        root().iteratorForAppenders().forEachRemaining(a -> names.add((a instanceof ConsoleAppender ? "console:" : "other:") + a.getName()));
        return names;
    }

    @Test
    void localAndDemoLogOnlyToTheirFileUnlessVerbose(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data").resolve("nightshift.log");
        List<String> before = appenders();
        assertThat(before).anyMatch(a -> a.startsWith("console:"));

        try (AutoCloseable quiet = Logging.toFile(file, false)) {
            assertThat(appenders()).containsExactly("other:FILE");
            LoggerFactory.getLogger("io.nightshift.test").warn("job j1 accepted for the file only");
        }
        assertThat(Files.readString(file)).contains("WARN  test - job j1 accepted for the file only");
        assertThat(appenders()).isEqualTo(before);

        try (AutoCloseable verbose = Logging.toFile(file, true)) {
            assertThat(appenders()).containsAll(before).contains("other:FILE");
        }
        assertThat(appenders()).isEqualTo(before);
    }
}
