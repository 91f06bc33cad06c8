package io.nightshift.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.spec.JobType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressReporterTest {
    @TempDir
    Path sandbox;

    @Test
    void theFinalDocumentWrittenAfterTheLastTickIsForwardedWhenTheLeaderExits() throws Exception {
        Attempts.ActiveSandbox a = new Attempts.ActiveSandbox("drain.r1.0", "drain.r1.0.1", JobType.KAFKA, sandbox);
        List<AgentMessage.Progress> sent = new ArrayList<>();
        List<Attempts.ActiveSandbox> active = new ArrayList<>(List.of(a));
        ProgressReporter reporter = new ProgressReporter("agent-1", () -> active, sent::add);

        write("{\"records\":10,\"finished\":false}", 1_000);
        reporter.tick();
        reporter.tick(); // unchanged: not sent again
        assertThat(sent).extracting(p -> p.progress().records()).containsExactly(10L);

        // The harness writes its last document and exits before the next tick; the attempt is no longer active.
        write("{\"records\":25,\"finished\":true}", 2_000);
        active.clear();
        reporter.last(a);
        assertThat(sent).extracting(p -> p.progress().records()).containsExactly(10L, 25L);
        assertThat(sent.get(1).progress().finished()).isTrue();
        assertThat(sent.get(1).taskId()).isEqualTo("drain.r1.0");
    }

    @Test
    void attemptsOfOtherJobTypesAreNotRead() throws Exception {
        List<AgentMessage.Progress> sent = new ArrayList<>();
        ProgressReporter reporter = new ProgressReporter("agent-1", List::of, sent::add);
        write("{\"records\":10}", 1_000);
        reporter.last(new Attempts.ActiveSandbox("sh.r1.0", "sh.r1.0.1", JobType.COMMAND, sandbox));
        assertThat(sent).isEmpty();
    }

    private void write(String json, long mtimeMillis) throws Exception {
        Path f = sandbox.resolve(ProgressReporter.FILE);
        Files.writeString(f, json);
        Files.setLastModifiedTime(f, FileTime.fromMillis(mtimeMillis));
    }
}
