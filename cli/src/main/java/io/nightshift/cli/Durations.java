package io.nightshift.cli;

import io.nightshift.api.config.ConfigException;
import io.nightshift.api.config.Setting;
import java.time.Duration;

/** Durations typed on the command line, in the same forms as settings: {@code 30s}, {@code 5m}, {@code PT1H}. */
final class Durations {
    private static final Setting<Duration> ANY = Setting.duration("cli.option", Duration.ofSeconds(1),
            Duration.ofMillis(1), Duration.ofDays(3650), "a duration typed as an option");

    private Durations() {
    }

    static Duration parse(String option, String raw) {
        try {
            return ANY.parse(raw);
        } catch (ConfigException e) {
            throw CliException.usage(option + ": '" + raw + "' is not a duration (use e.g. 30s, 5m, 2h or PT30S)");
        }
    }
}
