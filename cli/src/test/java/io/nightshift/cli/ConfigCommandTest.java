package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.config.Setting;
import io.nightshift.api.json.Json;
import io.nightshift.agent.AgentSettings;
import io.nightshift.coordinator.CoordinatorSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandTest {
    @TempDir
    Path dir;

    /** KEY -> the rest of its row, split on the column gaps. */
    private static Map<String, List<String>> rows(String table) {
        return table.lines().skip(1).map(l -> List.of(l.split(" {2,}")))
                .collect(Collectors.toMap(c -> c.get(0), c -> c.subList(1, c.size())));
    }

    @Test
    void listsEveryDeclaredSettingOfCoordinatorAgentAndCli() {
        CliRunner.Result r = new CliRunner(dir).run("config");

        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("KEY ");
        Map<String, List<String>> rows = rows(r.out());
        List<Setting<?>> declared = Nightshift.declaredSettings();
        assertThat(declared).containsAll(CoordinatorSettings.ALL).containsAll(AgentSettings.ALL).containsAll(CliSettings.ALL);
        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(declared.stream().map(Setting::name).toList());
        for (Setting<?> s : declared) assertThat(r.out()).contains(s.doc());
    }

    @Test
    void showsWhereEachValueCameFrom() throws IOException {
        Files.writeString(dir.resolve("nightshift.properties"), "coordinator.port = 9090\nagent.cpus = 2\n");

        CliRunner.Result r = new CliRunner(dir)
                .env("NIGHTSHIFT_AGENT_CPUS", "3")
                .env("NIGHTSHIFT_COORDINATOR", "http://10.0.0.1:7070")
                .run("config", "--set", "cli.request-timeout=5s");

        Map<String, List<String>> rows = rows(r.out());
        assertThat(rows.get("coordinator.port")).startsWith("9090", "file");
        assertThat(rows.get("agent.cpus")).startsWith("3.0", "env");
        assertThat(rows.get("cli.coordinator")).startsWith("http://10.0.0.1:7070", "env");
        assertThat(rows.get("cli.request-timeout")).startsWith("PT5S", "flag");
        assertThat(rows.get("coordinator.host")).startsWith("127.0.0.1", "default");
    }

    @Test
    void theCoordinatorFlagIsTheFlagFormOfCliCoordinator() {
        CliRunner.Result r = new CliRunner(dir).run("--coordinator", "http://example.test:1", "config");

        assertThat(rows(r.out()).get("cli.coordinator")).startsWith("http://example.test:1", "flag");
    }

    @Test
    void aConfigFileCanBeNamed() throws IOException {
        Files.writeString(dir.resolve("other.properties"), "agent.attributes = rack=r1\n");

        CliRunner.Result r = new CliRunner(dir).run("config", "--config", "other.properties");

        assertThat(rows(r.out()).get("agent.attributes")).startsWith("rack=r1", "file");
    }

    @Test
    void anUnknownKeyInTheFileIsAUsageError() throws IOException {
        Files.writeString(dir.resolve("nightshift.properties"), "coordinator.prot = 1\n");

        CliRunner.Result r = new CliRunner(dir).run("config");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown setting 'coordinator.prot'");
    }

    @Test
    void secretsAreMasked() {
        CliRunner.Result r = new CliRunner(dir).env("NIGHTSHIFT_CLI_TOKEN", "hunter2").run("config");

        assertThat(r.out()).doesNotContain("hunter2");
        assertThat(rows(r.out()).get("cli.token")).startsWith("****", "env");

        CliRunner.Result json = new CliRunner(dir).env("NIGHTSHIFT_CLI_TOKEN", "hunter2").run("config", "-o", "json");
        assertThat(json.out()).doesNotContain("hunter2");
    }

    @Test
    void jsonOutputDescribesEverySetting() throws IOException {
        CliRunner.Result r = new CliRunner(dir).run("config", "--output", "json");

        JsonNode settings = Json.mapper().readTree(r.out()).path("settings");
        assertThat(settings).hasSize(Nightshift.declaredSettings().size());
        JsonNode port = settings.get(1);
        assertThat(port.path("key").asText()).isEqualTo("coordinator.port");
        assertThat(port.path("value").asText()).isEqualTo("7070");
        assertThat(port.path("source").asText()).isEqualTo("default");
        assertThat(port.path("env").asText()).isEqualTo("NIGHTSHIFT_COORDINATOR_PORT");
    }
}
