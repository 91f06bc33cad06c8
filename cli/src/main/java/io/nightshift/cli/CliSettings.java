package io.nightshift.cli;

import io.nightshift.api.config.Setting;
import java.time.Duration;
import java.util.List;

/**
 * Settings of the CLI's client side, declared once. Like every setting they come from the default,
 * {@code nightshift.properties}, the environment ({@code NIGHTSHIFT_CLI_*}) or {@code --set}. The
 * coordinator URL also has the shorter spellings {@code --coordinator} and {@code NIGHTSHIFT_COORDINATOR}.
 */
public final class CliSettings {
    private CliSettings() {
    }

    public static final String DEFAULT_COORDINATOR = "http://127.0.0.1:7070";

    /** Environment variable that sets {@link #COORDINATOR} (besides the generic {@code NIGHTSHIFT_CLI_COORDINATOR}). */
    public static final String COORDINATOR_ENV = "NIGHTSHIFT_COORDINATOR";

    public static final Setting<String> COORDINATOR = Setting.string("cli.coordinator", DEFAULT_COORDINATOR,
            "https?://[^\\s/?#]+(/\\S*)?",
            "Coordinator URL the client commands talk to. Also --coordinator and " + COORDINATOR_ENV + ".");

    public static final Setting<String> TOKEN = Setting.secret("cli.token",
            "Bearer token sent with every API call; when unset, NIGHTSHIFT_TOKEN, else (for a coordinator on this machine) "
                    + "the admin token in <coordinator.data-dir>/admin.token.");

    public static final Setting<Duration> REQUEST_TIMEOUT = Setting.duration("cli.request-timeout",
            Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(10),
            "How long one API call may take before the CLI gives up (log streams have no limit).");

    public static final Setting<Duration> WAIT_TIMEOUT = Setting.duration("cli.wait-timeout",
            Duration.ofDays(7), Duration.ofSeconds(1), Duration.ofDays(365),
            "How long 'submit --wait' waits for the job to end before giving up (exit 1).");

    public static final Setting<java.nio.file.Path> CA_FILE = Setting.path("cli.ca-file", null,
            "PEM bundle of the CAs an https coordinator's certificate must chain to; when unset, NIGHTSHIFT_CA_FILE, else "
                    + "(for a coordinator on this machine) <coordinator.data-dir>/tls/cert.pem made by 'nightshift local --tls', "
                    + "else the JDK's CAs.");

    public static final List<Setting<?>> ALL = List.of(COORDINATOR, TOKEN, REQUEST_TIMEOUT, WAIT_TIMEOUT, CA_FILE);
}
