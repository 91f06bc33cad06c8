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

    @Test
    void aTableWiderThanTheTerminalShrinksItsWidestColumnAndMarksCutCells() {
        Table t = Table.of("ID", "MESSAGE", "STATE")
                .row("job-1", "the process exited with code 3 after writing a long complaint to stderr", "FAILED")
                .row("job-2", "ok", "SUCCEEDED");

        String text = t.render("", 40);

        assertThat(text.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(40));
        assertThat(text).isEqualTo("""
                ID     MESSAGE                 STATE
                job-1  the process exited wi…  FAILED
                job-2  ok                      SUCCEEDED
                """);
    }

    @Test
    void aTableThatFitsIsLeftAsItIs() {
        Table t = Table.of("ID", "STATE").row("job-1", "FAILED");
        assertThat(t.render("", 80)).isEqualTo(t.render("", Terminal.UNLIMITED));
    }

    @Test
    void columnsStopShrinkingAtTheirMinimumAndTheTerminalWrapsTheRest() {
        String text = Table.of("IDENTIFIER", "DESCRIPTION").row("abcdefghijklmnop", "qrstuvwxyz0123456789").render("", 10);
        assertThat(text).isEqualTo("""
                IDENTIF…  DESCRIP…
                abcdefg…  qrstuvw…
                """);
    }

    @Test
    void colourCodesTakeNoWidthSoColouredColumnsStayAligned() {
        String text = Table.of("STATE", "ID").row(Style.ANSI.state("FAILED"), "a").row("RUNNING", "b").render("", 80);

        assertThat(Style.strip(text)).isEqualTo("""
                STATE    ID
                FAILED   a
                RUNNING  b
                """);
        assertThat(text).contains("\u001b[1;31mFAILED\u001b[0m");
    }
}
