package io.nightshift.agent.logs;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogFilesTest {
    @TempDir
    Path dir;

    private String tail(String content, int lines) throws Exception {
        Path f = dir.resolve("log");
        Files.writeString(f, content);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            long start = LogFiles.tailStart(ch, ch.size(), lines);
            return content.substring((int) start);
        }
    }

    @Test
    void tailCountsLinesFromTheEndIgnoringTheFinalNewline() throws Exception {
        assertThat(tail("a\nb\nc\n", 2)).isEqualTo("b\nc\n");
        assertThat(tail("a\nb\nc", 2)).isEqualTo("b\nc");
        assertThat(tail("a\nb\nc\n", 1)).isEqualTo("c\n");
        assertThat(tail("a\nb\n", 5)).isEqualTo("a\nb\n");
        assertThat(tail("", 3)).isEqualTo("");
        assertThat(tail("\n\n\n", 2)).isEqualTo("\n\n");
    }

    @Test
    void tailWorksAcrossReadBlocks() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5000; i++) sb.append("line ").append(i).append('\n');
        assertThat(tail(sb.toString(), 3)).isEqualTo("line 4997\nline 4998\nline 4999\n");
        assertThat(tail(sb.toString(), 4000)).startsWith("line 1000\n");
    }

    @Test
    void queryParametersAreChecked() {
        assertThat(LogServer.Params.parse(null, null, null)).isEqualTo(new LogServer.Params(null, null, false));
        assertThat(LogServer.Params.parse("10", null, "true")).isEqualTo(new LogServer.Params(10L, null, true));
        assertThat(LogServer.Params.parse(null, "5", "false")).isEqualTo(new LogServer.Params(null, 5, false));
        assertThatThrownBy(() -> LogServer.Params.parse("-1", null, null)).hasMessageContaining("offset");
        assertThatThrownBy(() -> LogServer.Params.parse("x", null, null)).hasMessageContaining("offset");
        assertThatThrownBy(() -> LogServer.Params.parse(null, "0", null)).hasMessageContaining("tail");
        assertThatThrownBy(() -> LogServer.Params.parse(null, "100001", null)).hasMessageContaining("tail");
        assertThatThrownBy(() -> LogServer.Params.parse("1", "1", null)).hasMessageContaining("not both");
        assertThatThrownBy(() -> LogServer.Params.parse(null, null, "yes")).hasMessageContaining("follow");
    }

    @Test
    void pathSegmentsAreDecodedStrictly() {
        assertThat(LogServer.decode("a.b-c_1")).isEqualTo("a.b-c_1");
        assertThat(LogServer.decode("..%2F..%2Fetc")).isEqualTo("../../etc");
        assertThat(LogServer.decode("%2e%2E")).isEqualTo("..");
        assertThat(LogServer.decode("a+b")).isEqualTo("a+b");
        assertThat(LogServer.decode("%zz")).isNull();
        assertThat(LogServer.decode("%2")).isNull();
    }
}
