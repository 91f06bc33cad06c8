package io.nightshift.cli;

import io.nightshift.api.config.Config;
import io.nightshift.testkit.ArtifactServices;
import io.nightshift.testkit.LocalCluster;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code nightshift local}: a coordinator and agents in this process, serving until Ctrl-C. */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = {"Run a coordinator and an agent in this process until Ctrl-C.",
                "Data goes under nightshift-data/ in the working directory (settings coordinator.data-dir, agent.work-dir).",
                "Port 7070 unless it is taken, then any free port; the real URL is printed."})
final class LocalCommand implements Callable<Integer>, ServerCommand {
    @ParentCommand
    Nightshift root;

    @Option(names = "--agents", paramLabel = "N", defaultValue = "1", description = "How many agents (default ${DEFAULT-VALUE}).")
    int agents;

    @Option(names = "--artifact-services", description = "Also start example artifact stores for jobs to fetch from: "
            + "an HTTP file server, S3 (S3Proxy) and HDFS (a mini-cluster), each agent set up to reach them.")
    boolean artifactServices;

    @Option(names = "--tls", description = "Serve https/wss (API, dashboard, agent channel, the agents' logs) with a self-signed "
            + "certificate made once under <coordinator.data-dir>/tls; the CLI here trusts it by itself.")
    boolean tls;

    @Option(names = "--kafka", description = "Also start a local Kafka broker (KRaft, a child JVM on a free port, data "
            + "beside the coordinator's) for kafka jobs; its bootstrap servers are printed.")
    boolean kafka;

    @Override
    public Integer call() throws InterruptedException {
        if (agents < 1 || agents > 64) throw CliException.usage("--agents must be between 1 and 64");
        java.nio.file.Path logFile = Servers.logToFile(root);
        Config base = Servers.preferDefaultPort(root.config());
        if (tls) base = base.with(io.nightshift.coordinator.SecuritySettings.TLS_SELF_SIGNED, "true");

        KafkaDemo broker = kafka ? KafkaDemo.start(base.get(io.nightshift.coordinator.CoordinatorSettings.DATA_DIR)
                .toAbsolutePath().resolveSibling("kafka")) : null;
        ArtifactServices services = artifactServices ? startServices(base) : null;
        Config config = services != null ? services.configure(base) : base;
        LocalCluster cluster;
        try {
            cluster = Servers.start(() -> LocalCluster.start(config, agents), config);
        } catch (RuntimeException e) {
            if (services != null) services.close();
            if (broker != null) broker.close();
            throw e;
        }
        if (services != null) services.describe().forEach(root.out::println);
        if (broker != null) {
            String servers;
            try {
                servers = broker.broker(java.time.Duration.ofMinutes(2)).bootstrapServers();
            } catch (RuntimeException e) {
                cluster.close();
                if (services != null) services.close();
                broker.close();
                throw e;
            }
            root.out.println("Kafka broker (KRaft, one node): bootstrapServers " + servers + "  (kafka jobs: \"kafka\": "
                    + "{\"bootstrapServers\": \"" + servers + "\", ...})");
        }
        String url = Servers.browserUrl(cluster.url());
        root.out.println("Nightshift is running at " + url + " (API " + url + "v1, " + agents
                + (agents == 1 ? " agent" : " agents") + "). Ctrl-C to stop.");
        if (!url.startsWith(CliSettings.DEFAULT_COORDINATOR + "/"))
            root.out.println("Client commands need: --coordinator " + cluster.url() + "  (or export "
                    + CliSettings.COORDINATOR_ENV + "=" + cluster.url() + ")");
        root.out.println("Logs: " + logFile + (root.verbose ? " (also on this console)" : " (--verbose shows them here)"));
        printToken(root, cluster);
        if (cluster.coordinator().tls() != null) {
            java.nio.file.Path cert = cluster.coordinator().tls().cert().toAbsolutePath();
            root.out.println("TLS: certificate " + cert + " (./nightshift here trusts it by itself; curl --cacert " + cert
                    + "; elsewhere: export " + io.nightshift.api.client.NightshiftClient.CA_FILE_ENV + "=" + cert + ")");
        }
        root.out.flush();
        Servers.serveUntilStopped(() -> {
            cluster.close();
            if (services != null) services.close();
            if (broker != null) broker.close();
        });
        return 0;
    }

    /** Where the admin token is: the CLI here picks it up by itself; the dashboard and others need it given. */
    static void printToken(Nightshift root, LocalCluster cluster) {
        if (cluster.adminToken() == null) {
            if (cluster.coordinator().auth() == null)
                root.out.println("Authentication is OFF (coordinator.auth.insecure=true): anyone on this machine is admin.");
            return;
        }
        java.nio.file.Path file = cluster.coordinator().config().dataDir().resolve("admin.token").toAbsolutePath();
        root.out.println("Admin token: " + file + " (mode 0600; ./nightshift here uses it by itself; for the dashboard, "
                + "curl or another machine: export NIGHTSHIFT_TOKEN=$(cat " + file + "))");
    }

    /** The example artifact stores, with their data beside the coordinator's. */
    static ArtifactServices startServices(Config config) {
        java.nio.file.Path dir = config.get(io.nightshift.coordinator.CoordinatorSettings.DATA_DIR).toAbsolutePath()
                .resolveSibling("artifact-services");
        try {
            return ArtifactServices.start(dir, true);
        } catch (java.io.IOException e) {
            throw new CliException(CliException.FAILED, "cannot start the artifact services: " + e.getMessage());
        }
    }
}
