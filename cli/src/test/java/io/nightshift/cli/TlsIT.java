package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nightshift.api.client.NightshiftClient;
import io.nightshift.coordinator.SecuritySettings;
import io.nightshift.coordinator.tls.SelfSigned;
import io.nightshift.testkit.LocalCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS end to end, as {@code nightshift local --tls} sets it up: the coordinator serves https/wss with
 * the self-signed pair it made under its data directory, the agent joins over wss trusting it and
 * serves its logs over https, the CLI and the Java client trust the certificate from there; a
 * plain-http client and a client trusting another CA are refused.
 */
class TlsIT {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Path cert;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.testConfig(dir.resolve("cluster")).with(SecuritySettings.TLS_SELF_SIGNED, "true"), 1);
        cert = dir.resolve("cluster").resolve("coordinator").resolve("tls").resolve("cert.pem");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void theClusterServesHttpsAndTheAgentJoinsOverWssAndServesItsLogsOverHttps() throws IOException {
        assertThat(cluster.url().getScheme()).isEqualTo("https");
        assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----");
        Path key = cert.resolveSibling("key.pem");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(cluster.agents().get(0).connected()).isTrue();
        assertThat(cluster.agents().get(0).registeredWith().getScheme()).isEqualTo("https");
        assertThat(cluster.agents().get(0).httpUrl()).startsWith("https://");
    }

    @Test
    void theCliSubmitsWaitsAndReadsTheLogOverHttpsTrustingTheLocalCertificateByItself() throws IOException {
        Files.writeString(dir.resolve("hello.json"), """
                {"type": "command", "command": {"shell": "echo hello over tls"}, "resources": {"cpus": 0.1, "memMb": 32}}
                """);
        // no CA named: for a coordinator on this machine the CLI finds <coordinator.data-dir>/tls/cert.pem
        CliRunner cli = new CliRunner(dir).env("NIGHTSHIFT_COORDINATOR", cluster.url().toString())
                .env("NIGHTSHIFT_TOKEN", cluster.adminToken());
        String dataDir = "coordinator.data-dir=" + dir.resolve("cluster").resolve("coordinator");

        CliRunner.Result r = cli.run("--set", dataDir, "submit", "hello.json", "--wait", "--timeout", "2m");

        assertThat(r.code()).as(r.err()).isZero();
        String id = r.out().lines().findFirst().orElseThrow();
        // the coordinator reads the log from the agent's https server, with a ticket
        assertThat(cli.run("--set", dataDir, "logs", id).out()).isEqualTo("hello over tls\n");
        assertThat(cli.run("--set", dataDir, "agents").out()).contains("local-1").contains("ACTIVE");
    }

    @Test
    void theJavaClientTrustingTheCertificateWorks() {
        NightshiftClient client = NightshiftClient.connect(cluster.url(), Duration.ofSeconds(30), cluster.adminToken(), cert);
        assertThat(client.whoami().path("subject").asText()).isEqualTo("admin");
    }

    @Test
    void aPlainHttpClientIsRefused() {
        URI plain = URI.create("http://127.0.0.1:" + cluster.url().getPort() + "/v1/whoami");
        HttpRequest req = HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + cluster.adminToken()).build();
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aClientTrustingAnotherCaIsRefusedAtTheHandshake() throws IOException {
        Path other = SelfSigned.ensure(dir.resolve("other")).cert();
        NightshiftClient client = NightshiftClient.connect(cluster.url(), Duration.ofSeconds(30), cluster.adminToken(), other);
        assertThatThrownBy(client::whoami).satisfies(e -> assertThat(causes(e)).anyMatch(SSLHandshakeException.class::isInstance));
        // nor does the JDK's default trust accept a self-signed certificate
        HttpRequest req = HttpRequest.newBuilder(cluster.url().resolve("/health")).timeout(Duration.ofSeconds(10)).build();
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);

        CliRunner.Result r = new CliRunner(dir).env("NIGHTSHIFT_COORDINATOR", cluster.url().toString())
                .env("NIGHTSHIFT_TOKEN", cluster.adminToken()).env(NightshiftClient.CA_FILE_ENV, other.toString()).run("whoami");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).doesNotContain("\tat ");
    }

    static java.util.List<Throwable> causes(Throwable t) {
        java.util.List<Throwable> all = new java.util.ArrayList<>();
        for (Throwable c = t; c != null && !all.contains(c); c = c.getCause()) all.add(c);
        return all;
    }
}
