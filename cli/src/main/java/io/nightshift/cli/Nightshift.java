package io.nightshift.cli;

import io.nightshift.agent.AgentSettings;
import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.config.Config;
import io.nightshift.api.config.Setting;
import io.nightshift.coordinator.CoordinatorSettings;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code nightshift} command: global options and what every subcommand shares (the effective
 * configuration, the API client, where output goes). Global options may be given before or after
 * the subcommand ({@code nightshift --output json status} = {@code nightshift status --output json}).
 */
@Command(name = "nightshift",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Runs data jobs on the idle capacity of shared machines.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
                DemoCommand.class, LocalCommand.class, CoordinatorCommand.class, AgentCommand.class,
                SubmitCommand.class, StatusCommand.class, LogsCommand.class, KillCommand.class, ScaleCommand.class,
                PauseCommand.class, PauseCommand.Resume.class, DagCommand.class,
                AgentsCommand.class, CapacityCommand.class, QueuesCommand.class, TokensCommand.class, SecretsCommand.class, WhoamiCommand.class, SimulateCommand.class, ConfigCommand.class,
                VersionCommand.class, BenchCommand.class,
                picocli.CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 failed (job failed or was killed, coordinator unreachable...), 2 usage or invalid input."})
public final class Nightshift implements Callable<Integer> {

    /** Config file read when {@code --config} is not given and it exists in the working directory. */
    static final String DEFAULT_CONFIG_FILE = "nightshift.properties";

    @Spec
    CommandSpec spec;

    @Option(names = "--coordinator", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "Coordinator URL (env " + CliSettings.COORDINATOR_ENV + ", default " + CliSettings.DEFAULT_COORDINATOR + ").")
    String coordinator;

    /** As given with {@code --output}; {@code null} when not given (most commands then print a table). */
    private Output output;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "table|json",
            description = "Output format: table (default; json for simulate) or json.")
    void output(Output o) {
        if (o != null) output = o;
    }

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "More logging, and stack traces on errors.")
    boolean verbose;

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Settings file (Java properties). Default: " + DEFAULT_CONFIG_FILE + " in the working directory, if present.")
    Path configFile;

    private final Map<String, String> sets = new LinkedHashMap<>();

    @Option(names = "--set", scope = ScopeType.INHERIT, paramLabel = "KEY=VALUE",
            description = "Override a setting (repeatable); see 'nightshift config'.")
    void set(Map<String, String> kv) {
        if (kv != null) sets.putAll(kv);
    }

    final Map<String, String> env;
    final Path workDir;
    final InputStream stdin;
    final PrintWriter out;
    final PrintWriter err;
    final Clock clock;
    final ZoneId zone;
    /** True when stdout is a terminal (colours, table width); false in tests and for pipes. */
    boolean tty;

    private Config config;
    private NightshiftClient client;

    /** The real process: its environment, working directory and standard streams. */
    public Nightshift() {
        this(System.getenv(), Path.of("").toAbsolutePath(), System.in,
                new PrintWriter(System.out, true), new PrintWriter(System.err, true), Clock.systemDefaultZone());
        this.tty = System.console() != null;
    }

    /** For tests and embedding: everything the CLI reads from its surroundings, given explicitly. */
    Nightshift(Map<String, String> env, Path workDir, InputStream stdin, PrintWriter out, PrintWriter err, Clock clock) {
        this.env = Map.copyOf(env);
        this.workDir = workDir;
        this.stdin = stdin;
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.zone = clock.getZone();
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(err);
        return CliException.USAGE;
    }

    /** Colours for states: only on a terminal and never with NO_COLOR. */
    Style style() {
        return Style.of(Terminal.colours(env, tty));
    }

    boolean json() {
        return outputOr(Output.TABLE) == Output.JSON;
    }

    /** The output format asked for, or {@code dflt} when {@code --output} was not given. */
    Output outputOr(Output dflt) {
        return output == null ? dflt : output;
    }

    /** Every setting the CLI knows: the coordinator's, the agent's and its own (each declared once). */
    static List<Setting<?>> declaredSettings() {
        return Stream.of(CoordinatorSettings.ALL, AgentSettings.ALL, CliSettings.ALL)
                .flatMap(List::stream).distinct().toList();
    }

    /**
     * The effective configuration: defaults &lt; file &lt; environment &lt; flags. {@code --coordinator}
     * is the flag form of {@code cli.coordinator}, {@code NIGHTSHIFT_COORDINATOR} its short env form.
     */
    Config config() {
        if (config == null) {
            Path file = configFile;
            if (file == null) {
                Path dflt = workDir.resolve(DEFAULT_CONFIG_FILE);
                if (Files.isRegularFile(dflt)) file = dflt;
            } else if (!file.isAbsolute()) {
                file = workDir.resolve(file);
            }
            Map<String, String> environment = new HashMap<>(env);
            String shortEnv = env.get(CliSettings.COORDINATOR_ENV);
            if (shortEnv != null && !shortEnv.isBlank())
                environment.putIfAbsent(CliSettings.COORDINATOR.envName(), shortEnv);
            Map<String, String> overrides = new LinkedHashMap<>(sets);
            if (coordinator != null) overrides.put(CliSettings.COORDINATOR.name(), coordinator);
            config = Config.load(declaredSettings(), file, environment, overrides);
        }
        return config;
    }

    /** True when the user named a coordinator (flag, environment, file or --set) instead of relying on the default. */
    boolean coordinatorGiven() {
        return config().entries().stream()
                .anyMatch(e -> e.setting() == CliSettings.COORDINATOR && e.source() != Config.Source.DEFAULT);
    }

    URI coordinatorUrl() {
        return URI.create(config().get(CliSettings.COORDINATOR));
    }

    NightshiftClient client() {
        if (client == null) client = connect(coordinatorUrl());
        return client;
    }

    NightshiftClient connect(URI url) {
        return connect(url, token(url));
    }

    NightshiftClient connect(URI url, String token) {
        return NightshiftClient.connect(url, config().get(CliSettings.REQUEST_TIMEOUT), token, caFile(url));
    }

    /**
     * The CA bundle for an https {@code url}: {@code cli.ca-file}, else {@code NIGHTSHIFT_CA_FILE}, else, for a
     * coordinator on this machine, the self-signed certificate of {@code nightshift local --tls}; null: the JDK's.
     */
    java.nio.file.Path caFile(URI url) {
        if (!"https".equalsIgnoreCase(url.getScheme())) return null;
        Path f = config().get(CliSettings.CA_FILE);
        if (f != null) return workDir.resolve(f);
        Path local = workDir.resolve(config().get(CoordinatorSettings.DATA_DIR)).resolve("tls").resolve("cert.pem");
        return NightshiftClient.discoverCa(url, env, local);
    }

    /**
     * The token for {@code url}: {@code cli.token} (file, {@code NIGHTSHIFT_CLI_TOKEN}, --set), else
     * {@code NIGHTSHIFT_TOKEN}, else, for a coordinator on this machine, the admin token a local
     * cluster wrote to {@code <coordinator.data-dir>/admin.token}.
     */
    String token(URI url) {
        String t = config().get(CliSettings.TOKEN);
        if (t != null && !t.isBlank()) return t;
        Path file = workDir.resolve(config().get(CoordinatorSettings.DATA_DIR)).resolve("admin.token");
        return NightshiftClient.discoverToken(url, env, file);
    }
}
