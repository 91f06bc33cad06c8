package io.nightshift.agent;

import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentMainTest {

    @Test
    void flagsMapToAgentSettings() {
        Map<String, String> flags = AgentMain.parseFlags(new String[]{"--coordinator", "http://h:1", "--id", "a1",
                "--work-dir", "/tmp/w", "--cpus", "2", "--mem-mb", "512", "--http-port=0", "--attributes", "k=v,k2=v2"});
        assertThat(flags).containsEntry("agent.coordinator", "http://h:1").containsEntry("agent.id", "a1")
                .containsEntry("agent.work-dir", "/tmp/w").containsEntry("agent.cpus", "2")
                .containsEntry("agent.mem-mb", "512").containsEntry("agent.http-port", "0")
                .containsEntry("agent.attributes", "k=v,k2=v2");
    }

    @Test
    void unknownOrIncompleteFlagsAreRefused() {
        assertThatThrownBy(() -> AgentMain.parseFlags(new String[]{"--nope", "1"})).hasMessageContaining("unknown flag --nope");
        assertThatThrownBy(() -> AgentMain.parseFlags(new String[]{"--cpus"})).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> AgentMain.parseFlags(new String[]{"cpus"})).hasMessageContaining("unexpected");
    }

    @Test
    void usageListsEverySetting() {
        assertThat(AgentMain.usage()).contains("--coordinator", "--sandbox.gc-interval", "--cgroups");
    }
}
