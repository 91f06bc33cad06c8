package io.nightshift.agent.process;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class IsolationTest {

    @Test
    void withoutCgroupsItIsSessionsPlusEnvironmentScan() {
        Assumptions.assumeTrue(Files.isExecutable(Isolation.DEFAULT_SETSID));
        assertThat(Isolation.detect(false).describe()).isEqualTo("session+env-scan");
    }

    @Test
    void aDirectoryThatIsNoCgroupFileSystemGivesNoCgroups(@TempDir Path fake) throws Exception {
        for (String c : CgroupV1.WANTED) {
            Files.createDirectories(fake.resolve(c));
            Files.writeString(fake.resolve(c).resolve("cgroup.procs"), "");
        }
        Isolation iso = Isolation.detect(true, fake, fake.resolve("no-setsid"));
        assertThat(iso.cgroups()).isNull();
        assertThat(iso.sessions()).isFalse();
        assertThat(iso.describe()).isEqualTo("env-scan");
    }

    @Test
    void onAWritableCgroupV1HostEveryControllerIsUsed() {
        Path root = Isolation.DEFAULT_CGROUP_ROOT;
        boolean allMounted = CgroupV1.WANTED.stream().allMatch(c -> Files.isWritable(root.resolve(c).resolve("cgroup.procs")));
        Assumptions.assumeTrue(allMounted && Files.isExecutable(Isolation.DEFAULT_SETSID), "needs cgroup v1 + setsid");
        assertThat(Isolation.detect(true).describe()).isEqualTo("cgroup-v1(memory,cpu,pids,freezer)+session+env-scan");
    }

    @Test
    void eachAgentHasAParentGroupOfItsOwnThatSurvivesItsRestart() {
        String a = Isolation.cgroupParent("worker-1", Path.of("/var/lib/nightshift/a"));
        assertThat(a).matches("nightshift/worker-1-[0-9a-f]{8}");
        assertThat(Isolation.cgroupParent("worker-1", Path.of("/var/lib/nightshift/a/../a"))).isEqualTo(a);
        assertThat(Isolation.cgroupParent("worker-1", Path.of("/var/lib/nightshift/b"))).isNotEqualTo(a);
        assertThat(Isolation.cgroupParent("worker-2", Path.of("/var/lib/nightshift/a"))).isNotEqualTo(a);
        assertThat(Isolation.cgroupParent("../evil/.x", Path.of("/w"))).matches("nightshift/_\\._evil_\\.x-[0-9a-f]{8}");
        assertThat(Isolation.cgroupParent("x".repeat(200), Path.of("/w"))).hasSize("nightshift/".length() + 48 + 9);
    }

    @Test
    void aGroupLeftFrozenIsThawedWhenAnAttemptOfTheSameIdStarts(@TempDir Path work) throws Exception {
        Path root = Isolation.DEFAULT_CGROUP_ROOT;
        Assumptions.assumeTrue(Files.isWritable(root.resolve("freezer").resolve("cgroup.procs")), "needs a writable freezer");
        CgroupV1 cg = Isolation.detectFor(true, "thaw-test", work).cgroups();
        CgroupV1.Group left = cg.create("a.r1.0.1", io.nightshift.api.Resources.of(0.1, 16));
        try {
            assertThat(left.freeze()).isTrue();
            CgroupV1.Group again = cg.create("a.r1.0.1", io.nightshift.api.Resources.of(0.1, 16));
            Path state = root.resolve("freezer").resolve(Isolation.cgroupParent("thaw-test", work)).resolve("a.r1.0.1").resolve("freezer.state");
            assertThat(Files.readString(state).trim()).isEqualTo("THAWED");
            assertThat(again.frozen()).isFalse();
        } finally {
            left.thaw();
            left.remove();
            for (String c : cg.controllers()) Files.deleteIfExists(root.resolve(c).resolve(Isolation.cgroupParent("thaw-test", work)));
        }
    }
}
