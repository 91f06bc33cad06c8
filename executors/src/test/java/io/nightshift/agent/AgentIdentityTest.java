package io.nightshift.agent;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class AgentIdentityTest {
    @TempDir
    Path work;

    @Test
    void aGeneratedIdIsKeptInTheWorkDirAcrossRestarts() {
        String first = AgentIdentity.resolve(null, work, "Build Host.example");
        assertThat(first).matches(AgentSettings.ID_PATTERN).startsWith("build-host-example-");
        assertThat(AgentIdentity.resolve(null, work, "other")).isEqualTo(first);
    }

    @Test
    void aConfiguredIdWins() {
        assertThat(AgentIdentity.resolve("given", work, "h")).isEqualTo("given");
    }

    @Test
    void theVersionComesFromTheBuild() {
        assertThat(AgentIdentity.version()).isNotBlank().doesNotContain("${");
    }
}
