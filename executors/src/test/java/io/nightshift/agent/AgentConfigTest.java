package io.nightshift.agent;

import io.nightshift.api.Resources;
import io.nightshift.api.config.Config;
import io.nightshift.api.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentConfigTest {
    @TempDir
    Path tmp;

    private AgentConfig config(Map<String, String> flags) {
        return AgentConfig.from(Config.load(AgentSettings.ALL, null, Map.of(), flags));
    }

    @Test
    void defaultsDetectTheMachine() {
        AgentConfig c = config(Map.of("agent.work-dir", tmp.toString()));
        assertThat(c.id()).isNull();
        assertThat(c.coordinator().toString()).isEqualTo("http://127.0.0.1:7070");
        assertThat(c.httpHost()).isEqualTo("127.0.0.1");
        assertThat(c.httpPort()).isZero();
        assertThat(c.host()).isNotBlank();
        assertThat(c.resources().cpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.resources().memMb()).isPositive();
        assertThat(c.resources().diskMb()).isPositive();
        assertThat(c.resources().gpus()).isZero();
        assertThat(c.attributes()).isEmpty();
        assertThat(c.reconnectInitialBackoff()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.reconnectMaxBackoff()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.sandboxMaxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(c.sandboxDiskBudgetMb()).isEqualTo(10240);
        assertThat(c.sandboxGcInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.cgroups()).isTrue();
        assertThat(c.killTasksOnStop()).isFalse();
        assertThat(c.workDir()).isEqualTo(tmp.toAbsolutePath());
    }

    @Test
    void givenValuesWin() {
        AgentConfig c = config(Map.of("agent.cpus", "2.5", "agent.mem-mb", "1024", "agent.disk-mb", "2048",
                "agent.gpus", "1", "agent.attributes", "rack=r1, zone=eu-1", "agent.id", "node-7",
                "agent.coordinator", "https://coord.example:8443/ns", "agent.cgroups", "false"));
        assertThat(c.resources()).isEqualTo(new Resources(2.5, 1024, 2048, 1));
        assertThat(c.attributes()).containsExactly(Map.entry("rack", "r1"), Map.entry("zone", "eu-1"));
        assertThat(c.id()).isEqualTo("node-7");
        assertThat(c.coordinator().getPath()).isEqualTo("/ns");
        assertThat(c.cgroups()).isFalse();
    }

    @Test
    void severalCoordinatorsAreKeptInOrderWithoutDuplicates() {
        AgentConfig c = config(Map.of("agent.coordinator", "http://c1:7070, https://c2:8443/ns ,http://c1:7070,ws://c3:7070"));
        assertThat(c.coordinators()).extracting(java.net.URI::toString)
                .containsExactly("http://c1:7070", "https://c2:8443/ns", "ws://c3:7070");
        assertThat(c.coordinator().toString()).isEqualTo("http://c1:7070");
    }

    @Test
    void everyCoordinatorInTheListIsValidated() {
        assertThatThrownBy(() -> config(Map.of("agent.coordinator", "http://c1:7070,ftp://c2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("agent.coordinator");
        assertThatThrownBy(() -> config(Map.of("agent.coordinator", "http://c1:7070,,http://c2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("agent.coordinator");
        assertThatThrownBy(() -> AgentConfig.parseCoordinators("http://c1:7070,mailto:x@y"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'mailto:x@y'");
        assertThatThrownBy(() -> AgentConfig.parseCoordinators("http://c1:7070?x=1"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("query");
    }

    @Test
    void badAttributesAreAConfigErrorThatSaysWhatIsExpected() {
        assertThatThrownBy(() -> config(Map.of("agent.attributes", "rack")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("agent.attributes").hasMessageContaining("k=v");
        assertThatThrownBy(() -> config(Map.of("agent.attributes", "a=1,,b=2"))).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> config(Map.of("agent.attributes", "=1"))).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> config(Map.of("agent.attributes", "a=1=2"))).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> config(Map.of("agent.attributes", "a=1,a=2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> config(Map.of("agent.attributes", "bad key=1"))).isInstanceOf(ConfigException.class);
    }

    @Test
    void emptyAttributeValuesAreAllowed() {
        assertThat(AgentConfig.parseAttributes("ssd=")).containsExactly(Map.entry("ssd", ""));
    }

    @Test
    void badValuesAreRejectedWithTheSettingName() {
        assertThatThrownBy(() -> config(Map.of("agent.coordinator", "ftp://x"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("agent.coordinator");
        assertThatThrownBy(() -> config(Map.of("agent.id", "../etc"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("agent.id");
        assertThatThrownBy(() -> config(Map.of("agent.reconnect.initial-backoff", "20s")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must not exceed");
    }

    @Test
    void everySettingIsDocumentedAndNamedUnderAgent() {
        assertThat(AgentSettings.ALL).allSatisfy(s -> {
            assertThat(s.name()).startsWith("agent.");
            assertThat(s.doc()).isNotBlank().endsWith(".");
        });
    }

    @Test
    void environmentVariablesApply() {
        AgentConfig c = AgentConfig.from(Config.load(AgentSettings.ALL, null,
                Map.of("NIGHTSHIFT_AGENT_HTTP_PORT", "8089", "NIGHTSHIFT_AGENT_WORK_DIR", tmp.toString()), Map.of()));
        assertThat(c.httpPort()).isEqualTo(8089);
    }

    @Test
    void theChannelsLocalAddressIsAnIpLiteralOrUnset() {
        assertThat(config(Map.of("agent.work-dir", tmp.toString())).localAddress()).isNull();
        assertThat(config(Map.of("agent.work-dir", tmp.toString(), "agent.local-address", "127.0.0.41")).localAddress())
                .isEqualTo("127.0.0.41");
        assertThat(config(Map.of("agent.work-dir", tmp.toString(), "agent.local-address", "::1")).localAddress())
                .isEqualTo("0:0:0:0:0:0:0:1");
        assertThatThrownBy(() -> config(Map.of("agent.work-dir", tmp.toString(), "agent.local-address", "agent-1.example")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("agent.local-address");
        assertThatThrownBy(() -> config(Map.of("agent.work-dir", tmp.toString(), "agent.local-address", "999.0.0.1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("agent.local-address")
                .hasMessageContaining("999.0.0.1");
    }
}
