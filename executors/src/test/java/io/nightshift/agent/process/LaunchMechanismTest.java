package io.nightshift.agent.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LaunchMechanismTest {
    @Test
    void vforkIsTheDefaultOnLinuxBeforeTheJdkDeprecatedIt() {
        assertThat(LaunchMechanism.choose(null, 17, "Linux")).isEqualTo("VFORK");
        assertThat(LaunchMechanism.choose(null, 21, "Linux")).isEqualTo("VFORK");
        assertThat(LaunchMechanism.choose(null, 25, "Linux")).isNull();
        assertThat(LaunchMechanism.choose(null, 17, "Mac OS X")).isNull();
    }

    @Test
    void aMechanismChosenOnTheCommandLineWins() {
        assertThat(LaunchMechanism.choose("POSIX_SPAWN", 17, "Linux")).isEqualTo("POSIX_SPAWN");
        assertThat(LaunchMechanism.choose("FORK", 25, "Linux")).isEqualTo("FORK");
        assertThat(LaunchMechanism.choose(" ", 17, "Linux")).isEqualTo("VFORK");
    }
}
