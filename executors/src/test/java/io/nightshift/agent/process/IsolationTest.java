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
}
