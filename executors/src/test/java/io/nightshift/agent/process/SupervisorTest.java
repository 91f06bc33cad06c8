package io.nightshift.agent.process;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class SupervisorTest {

    @Test
    void theCommandRunsUnderSetsidAndJoinsItsCgroupsFirst() {
        List<String> argv = Supervisor.commandLine(Path.of("/usr/bin/setsid"),
                List.of(Path.of("/cg/memory/nightshift/a/cgroup.procs"), Path.of("/cg/pids/nightshift/a/cgroup.procs")),
                List.of("/bin/echo", "--", "hi"));
        assertThat(argv).containsExactly("/usr/bin/setsid", "--", "/bin/sh", "-c", Supervisor.JOIN_SCRIPT,
                "nightshift-cgroup-join", "/cg/memory/nightshift/a/cgroup.procs", "/cg/pids/nightshift/a/cgroup.procs",
                "--", "/bin/echo", "--", "hi");
    }

    @Test
    void withoutCgroupsOrSetsidTheCommandIsUnwrapped() {
        assertThat(Supervisor.commandLine(Path.of("/usr/bin/setsid"), List.of(), List.of("x")))
                .containsExactly("/usr/bin/setsid", "--", "x");
        assertThat(Supervisor.commandLine(null, List.of(), List.of("x"))).containsExactly("x");
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
