package io.nightshift.agent.process;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class SupervisorTest {

    static final Path EXIT = Path.of("/sb/a/exit");

    @Test
    void theCommandRunsUnderSetsidThroughTheWrapperThatJoinsItsCgroupsFirst() {
        List<String> argv = Supervisor.commandLine(Path.of("/usr/bin/setsid"), EXIT,
                List.of(Path.of("/cg/memory/nightshift/a/cgroup.procs"), Path.of("/cg/pids/nightshift/a/cgroup.procs")),
                List.of("/bin/echo", "--", "hi"));
        assertThat(argv).containsExactly("/usr/bin/setsid", "--", "/bin/sh", "-c", Supervisor.WRAPPER_SCRIPT,
                "nightshift-wrapper", "/sb/a/exit", "/cg/memory/nightshift/a/cgroup.procs",
                "/cg/pids/nightshift/a/cgroup.procs", "--", "/bin/echo", "--", "hi");
    }

    @Test
    void withoutCgroupsOrSetsidTheWrapperStillRecordsTheExitStatus() {
        assertThat(Supervisor.commandLine(Path.of("/usr/bin/setsid"), EXIT, List.of(), List.of("x")))
                .containsExactly("/usr/bin/setsid", "--", "/bin/sh", "-c", Supervisor.WRAPPER_SCRIPT, "nightshift-wrapper",
                        "/sb/a/exit", "--", "x");
        assertThat(Supervisor.commandLine(null, EXIT, List.of(), List.of("x")))
                .containsExactly("/bin/sh", "-c", Supervisor.WRAPPER_SCRIPT, "nightshift-wrapper", "/sb/a/exit", "--", "x");
    }

    /** The wrapper on its own: the child's status lands in the exit file and is the wrapper's own. */
    @Test
    void theWrapperRecordsTheChildsStatusAndExitsWithIt(@TempDir Path dir) throws Exception {
        assertThat(runWrapper(dir, "sh", "-c", "exit 7")).isEqualTo(7);
        assertThat(java.nio.file.Files.readString(dir.resolve("exit"))).isEqualTo("7\n");
        assertThat(runWrapper(dir, "sh", "-c", "kill -KILL $$")).isEqualTo(137);
        assertThat(java.nio.file.Files.readString(dir.resolve("exit"))).isEqualTo("137\n");
        // argv[0] is looked up on PATH like exec does: "exit" is no shell builtin here, so it is not found
        assertThat(runWrapper(dir, "exit", "3")).isEqualTo(127);
        assertThat(java.nio.file.Files.list(dir).map(p -> p.getFileName().toString())).containsExactly("exit");
    }

    @Test
    void theWrappersChildIgnoresNoMoreSignalsThanWithoutIt(@TempDir Path dir) throws Exception {
        List<String> grep = List.of("/bin/grep", "SigIgn", "/proc/self/status");
        String direct = output(new ProcessBuilder(grep));
        String wrapped = output(new ProcessBuilder(Supervisor.commandLine(null, dir.resolve("exit"), List.of(), grep)));
        assertThat(wrapped).startsWith("SigIgn:").isEqualTo(direct);
    }

    private static String output(ProcessBuilder pb) throws Exception {
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor()).isZero();
        return out;
    }

    private static int runWrapper(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(Supervisor.commandLine(null, dir.resolve("exit"), List.of(), List.of(command)))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }

    @Test
    void executablesResolveLikeExecvp(@TempDir Path dir) throws Exception {
        assertThat(Executables.isRunnable("sh", "/usr/bin:/bin", dir)).isTrue();
        assertThat(Executables.isRunnable("/bin/sh", null, dir)).isTrue();
        assertThat(Executables.isRunnable("no-such-command-here", "/usr/bin:/bin", dir)).isFalse();
        assertThat(Executables.isRunnable("/no/such/file", "/usr/bin", dir)).isFalse();
        Path script = dir.resolve("run.sh");
        java.nio.file.Files.writeString(script, "#!/bin/sh\n");
        assertThat(Executables.isRunnable("./run.sh", null, dir)).isFalse();
        script.toFile().setExecutable(true);
        assertThat(Executables.isRunnable("./run.sh", null, dir)).isTrue();
        assertThat(Executables.isRunnable("", null, dir)).isFalse();
    }
}
