package io.nightshift.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A command task: either {@code argv} (executed directly, no shell) or {@code shell} (one line run
 * by {@code /bin/sh -c}). Exactly one of the two is set. The job's {@code args} are appended to argv,
 * or passed to the shell line as {@code $1..$n}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CommandSpec(List<String> argv, String shell) {
    public CommandSpec {
        if ((argv == null || argv.isEmpty()) == (shell == null)) {
            throw new InvalidSpecException("/command", "set exactly one of 'argv' or 'shell'");
        }
        argv = argv == null ? null : List.copyOf(argv);
    }

    public static CommandSpec argv(String... argv) {
        return new CommandSpec(List.of(argv), null);
    }

    public static CommandSpec shell(String line) {
        return new CommandSpec(null, line);
    }
}
