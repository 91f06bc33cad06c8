package io.nightshift.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/** Runs the CLI in-process with a given environment, working directory and stdin; captures exit code and output. */
final class CliRunner {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-01T10:00:00Z"), ZoneOffset.UTC);

    record Result(int code, String out, String err) {
    }

    private final Map<String, String> env = new HashMap<>();
    private final Path workDir;
    private String stdin = "";

    CliRunner(Path workDir) {
        this.workDir = workDir;
    }

    CliRunner env(String key, String value) {
        env.put(key, value);
        return this;
    }

    CliRunner stdin(String text) {
        stdin = text;
        return this;
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        Nightshift root = new Nightshift(env, workDir, in, new PrintWriter(out, true), new PrintWriter(err, true), CLOCK);
        int code = Main.commandLine(root).execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
