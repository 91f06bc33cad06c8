package io.nightshift.agent.process;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcTableTest {

    @Test
    void statFieldsAreReadAfterTheLastParenthesisSoOddCommandNamesDoNotConfuseIt() {
        var p = ProcTable.parseStat("4242 (we ird) (name) S 1 4242 4200 0 -1 4194560 0 0").orElseThrow();
        assertThat(p).isEqualTo(new ProcTable.Proc(4242, 1, 4242, 4200, 'S', -1));
        assertThat(p.isDead()).isFalse();
        assertThat(ProcTable.parseStat("17 (sh) Z 1 17 17 0").orElseThrow().isDead()).isTrue();
        assertThat(ProcTable.parseStat("garbage")).isEmpty();
    }

    @Test
    void theStartTimeIsField22() {
        String line = "77 (sleep) S 1 77 77 0 -1 4194560 93 0 0 0 0 0 0 0 20 0 1 0 123456 2367488 129 18446744073709551615";
        assertThat(ProcTable.parseStat(line).orElseThrow().startTime()).isEqualTo(123456);
    }

    @Test
    void thisJvmIsTheSameLivingProcessOnlyWithItsOwnStartTime() {
        long self = ProcessHandle.current().pid();
        long start = ProcTable.SYSTEM.startTimeOfLiving(self).orElseThrow();
        assertThat(start).isPositive();
        assertThat(ProcTable.SYSTEM.isSameLivingProcess(self, start)).isTrue();
        assertThat(ProcTable.SYSTEM.isSameLivingProcess(self, start + 1)).isFalse();
    }

    @Test
    void environmentMatchesWholeEntriesOnly() {
        byte[] env = "A=1\0NIGHTSHIFT_ATTEMPT_ID=job.1\0B=2\0".getBytes(StandardCharsets.UTF_8);
        assertThat(ProcTable.containsEntry(env, "NIGHTSHIFT_ATTEMPT_ID=job.1".getBytes())).isTrue();
        assertThat(ProcTable.containsEntry(env, "NIGHTSHIFT_ATTEMPT_ID=job".getBytes())).isFalse();
        assertThat(ProcTable.containsEntry(env, "ATTEMPT_ID=job.1".getBytes())).isFalse();
        assertThat(ProcTable.containsEntry("X=1".getBytes(), "X=1".getBytes())).isTrue();
        assertThat(ProcTable.containsEntry(new byte[0], "X=1".getBytes())).isFalse();
    }

    @Test
    void theRealProcessTableHoldsThisJvm() {
        long self = ProcessHandle.current().pid();
        assertThat(ProcTable.SYSTEM.list()).anySatisfy(p -> assertThat(p.pid()).isEqualTo(self));
        assertThat(ProcTable.SYSTEM.stat(self)).isPresent();
    }
}
