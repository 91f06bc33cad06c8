package io.nightshift.agent.sandbox;

import io.nightshift.agent.TestSupport;
import io.nightshift.api.json.Json;
import io.nightshift.api.protocol.CoordinatorMessage;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SandboxTest {
    @TempDir
    Path root;

    @Test
    void anExitFileCountsOnlyAsAWholeLine() throws Exception {
        Sandbox sb = Sandbox.create(root, TestSupport.launch("j.r1.0.1", JobSpec.command("/bin/true").id("j").build()));

        Files.writeString(sb.exitFile(), ""); // the wrapper was killed between the open and the write
        assertThat(sb.exitCode()).isEmpty();
        Files.writeString(sb.exitFile(), "14"); // a line without its newline was not finished
        assertThat(sb.exitCode()).isEmpty();
        Files.writeString(sb.exitFile(), "143\n");
        assertThat(sb.exitCode()).hasValue(143);
        assertThat(Sandbox.parseExitCode("x\n")).isEmpty();
    }

    @Test
    void createLaysOutTheDocumentedFiles() throws Exception {
        var launch = TestSupport.launch("myjob.r1.0.1",
                JobSpec.command("/bin/true").id("myjob").env(Map.of("TOKEN", "s3cret")).build());
        Sandbox sb = Sandbox.create(root, launch);
        assertThat(sb.dir()).isEqualTo(root.resolve("myjob.r1.0.1"));
        assertThat(sb.stdout()).exists().isEmptyFile();
        assertThat(sb.stderr()).exists().isEmptyFile();
        assertThat(Files.getPosixFilePermissions(sb.taskJson())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Json.read(Files.readString(sb.taskJson()), CoordinatorMessage.class)).isEqualTo(launch);
        assertThat(sb.exitCode()).isEmpty();
        sb.writeExitCode(137);
        assertThat(Files.readString(sb.exitFile())).isEqualTo("137\n");
        assertThat(sb.exitCode()).hasValue(137);
    }

    @Test
    void creatingTwiceKeepsWhatIsThere() throws Exception {
        var launch = TestSupport.launch("a.1", JobSpec.command("/bin/true").id("a").build());
        Sandbox sb = Sandbox.create(root, launch);
        Files.writeString(sb.stdout(), "kept");
        Sandbox again = Sandbox.create(root, launch);
        assertThat(again.stdout()).hasContent("kept");
        assertThat(Files.getPosixFilePermissions(again.taskJson())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void attemptIdsMustBeOneSafePathComponent() {
        assertThat(Sandbox.isValidAttemptId("myjob.r1.0.1")).isTrue();
        assertThat(Sandbox.isValidAttemptId("a_b-c.D9")).isTrue();
        for (String bad : new String[]{"..", ".", ".hidden", "a/b", "../etc", "", "a b", "a\0b", "x".repeat(201), null}) {
            assertThat(Sandbox.isValidAttemptId(bad)).as(String.valueOf(bad)).isFalse();
        }
        assertThatThrownBy(() -> Sandbox.dirOf(root, "..")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Sandbox.open(root, "../x")).isEmpty();
        assertThat(Sandbox.open(root, "missing")).isEmpty();
    }

    @Test
    void aCheckpointIsReplacedAtomicallyReadBackAndPrivate() throws Exception {
        var launch = TestSupport.launch("cp.1", JobSpec.command("/bin/true").id("cp").build());
        Sandbox sb = Sandbox.create(root, launch);
        assertThat(sb.readCheckpoint()).isEmpty();
        sb.writeCheckpoint(Checkpoint.launching("cp.1", TaskState.STAGING));
        Checkpoint running = new Checkpoint("cp.1", TaskState.RUNNING, 4242, 395804, Instant.parse("2030-01-01T00:00:00Z"),
                Reason.KILLED_BY_USER, Instant.parse("2030-01-01T00:10:30Z"));
        sb.writeCheckpoint(running);
        assertThat(sb.readCheckpoint()).hasValue(running);
        assertThat(Files.getPosixFilePermissions(sb.checkpointFile())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (var files = Files.list(sb.dir())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("task.json", "checkpoint.json",
                    "stdout", "stderr");
        }
        assertThat(sb.readLaunch()).isEqualTo(launch);
        assertThatThrownBy(() -> sb.writeCheckpoint(Checkpoint.launching("other.1", TaskState.STAGING)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
