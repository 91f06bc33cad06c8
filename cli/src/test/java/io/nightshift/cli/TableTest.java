package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void columnsAreAlignedToTheWidestCellAndSeparatedByTwoSpaces() {
        String text = Table.of("ID", "NAME", "STATE")
                .row("hello", "Say hello", "SUCCEEDED")
                .row("a", "b", "RUNNING")
                .render();

        assertThat(text).isEqualTo("""
                ID     NAME       STATE
                hello  Say hello  SUCCEEDED
                a      b          RUNNING
                """);
    }

    @Test
    void rightAlignedColumnsPadOnTheLeft() {
        String text = Table.of("ID", "EXIT", "NOTE").alignRight(1).row("x", 0, "ok").row("y", 143, "killed").render();

        assertThat(text).isEqualTo("""
                ID  EXIT  NOTE
                x      0  ok
                y    143  killed
                """);
    }

    @Test
    void missingValuesShowAsADashAndLinesCarryNoTrailingSpaces() {
        String text = Table.of("A", "B").row("long value", null).row(null, "").render();

        assertThat(text).isEqualTo("""
                A           B
                long value  -
                -           -
                """);
        assertThat(text.lines()).noneMatch(l -> l.endsWith(" "));
    }

    @Test
    void aLineBreakInACellDoesNotBreakTheRow() {
        String text = Table.of("MESSAGE").row("first\nsecond\r\nthird").render();

        assertThat(text).isEqualTo("MESSAGE\nfirst second third\n");
    }

    @Test
    void everyLineCanBeIndented() {
        assertThat(Table.of("A").row("x").render("  ")).isEqualTo("  A\n  x\n");
    }

    @Test
    void aRowWithTheWrongNumberOfCellsIsAProgrammingError() {
        assertThatThrownBy(() -> Table.of("A", "B").row("only one"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 cells").hasMessageContaining("2 columns");
    }
}
