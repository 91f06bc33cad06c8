package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TerminalTest {
    @Test
    void coloursOnlyOnATerminalWithoutNoColor() {
        assertThat(Terminal.colours(Map.of(), true)).isTrue();
        assertThat(Terminal.colours(Map.of(), false)).as("a pipe or a file").isFalse();
        assertThat(Terminal.colours(Map.of("NO_COLOR", "1"), true)).isFalse();
        assertThat(Terminal.colours(Map.of("NO_COLOR", "yes please"), true)).isFalse();
        assertThat(Terminal.colours(Map.of("NO_COLOR", ""), true)).as("an empty NO_COLOR does not count (no-color.org)").isTrue();
        assertThat(Terminal.colours(Map.of("TERM", "dumb"), true)).isFalse();
    }

    @Test
    void columnsComeFromColumnsElseAreUnlimitedOffATerminal() {
        assertThat(Terminal.columns(Map.of("COLUMNS", "100"), false)).isEqualTo(100);
        assertThat(Terminal.columns(Map.of("COLUMNS", " 72 "), true)).isEqualTo(72);
        assertThat(Terminal.columns(Map.of("COLUMNS", "5"), false)).as("too narrow to be real").isEqualTo(Terminal.UNLIMITED);
        assertThat(Terminal.columns(Map.of("COLUMNS", "wide"), false)).isEqualTo(Terminal.UNLIMITED);
        assertThat(Terminal.columns(Map.of(), false)).isEqualTo(Terminal.UNLIMITED);
    }

    @Test
    void plainStyleLeavesStatesAsTheyAreAndAnsiColoursThemByMeaning() {
        assertThat(Style.PLAIN.state("FAILED")).isEqualTo("FAILED");
        assertThat(Style.ANSI.state("SUCCEEDED")).isEqualTo("\u001b[32mSUCCEEDED\u001b[0m");
        assertThat(Style.ANSI.state("RUNNING (killing)")).isEqualTo("\u001b[34mRUNNING (killing)\u001b[0m");
        assertThat(Style.ANSI.state("SOMETHING_NEW")).isEqualTo("SOMETHING_NEW");
        assertThat(Style.strip(Style.ANSI.state("FAILED"))).isEqualTo("FAILED");
    }
}
