package io.nightshift.agent.process;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

    private static ProcTable.Proc fromBytes(String line) {
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        return ProcTable.parseStat(b, b.length);
    }

    @Test
    void theByteParserReadsWhatTheStringParserReads() {
        for (String line : new String[]{
                "4242 (we ird) (name) S 1 4242 4200 0 -1 4194560 0 0",
                "17 (sh) Z 1 17 17 0",
                "77 (sleep) S 1 77 77 0 -1 4194560 93 0 0 0 0 0 0 0 20 0 1 0 123456 2367488 129 18446744073709551615\n",
                "9 (a b)) R -1 9 9 0 -1 4194560 93 0 0 0 0 0 0 0 20 0 1 0 5 0 0 0\n"}) {
            assertThat(fromBytes(line)).as(line).isEqualTo(ProcTable.parseStat(line).orElseThrow());
        }
        assertThat(fromBytes("77 (sleep) S 1 77 77 0 -1 4194560 93 0 0 0 0 0 0 0 20 0 1 0 123456 2367488").startTime())
                .isEqualTo(123456);
        assertThat(fromBytes("garbage")).isNull();
        assertThat(fromBytes("12 (x) S 1 2")).as("too short").isNull();
        assertThat(fromBytes("12 (x) S 1 2 z 0")).as("not a number").isNull();
        assertThat(fromBytes("x (x) S 1 2 3 0")).as("no pid").isNull();
        assertThat(ProcTable.parseStat(new byte[0], 0)).isNull();
        byte[] cut = "77 (sleep) S 1 77 78 0 -1 4194560 93 0 0 0 0 0 0 0 20 0 1 0 123456 2367488".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(ProcTable.parseStat(cut, 20)).as("only the bytes given").isEqualTo(new ProcTable.Proc(77, 1, 77, 78, 'S', -1));
    }

    @Test
    void theWalkReadsEveryProcessAsItsOwnStatFileSays() throws Exception {
        long self = ProcessHandle.current().pid();
        var all = ProcTable.SYSTEM.list();
        assertThat(all).hasSizeGreaterThan(1);
        var me = all.stream().filter(p -> p.pid() == self).findFirst().orElseThrow();
        var expected = ProcTable.parseStat(java.nio.file.Files.readString(Path.of("/proc/self/stat"), StandardCharsets.ISO_8859_1))
                .orElseThrow();
        assertThat(me).isEqualTo(new ProcTable.Proc(expected.pid(), expected.ppid(), expected.pgrp(), expected.session(),
                me.state(), expected.startTime()));
        assertThat(me.startTime()).isPositive();
        for (var p : all) {
            var again = ProcTable.SYSTEM.stat(p.pid());
            if (again.isEmpty()) continue; // exited since
            assertThat(again.get().startTime()).isEqualTo(p.startTime());
            if (again.get().startTime() == p.startTime()) assertThat(again.get().session()).isEqualTo(p.session());
        }
    }

    @Test
    void kernelThreadsAreKthreaddAndItsChildren() {
        assertThat(new ProcTable.Proc(2, 0, 0, 0, 'S', 1).isKernelThread()).isTrue();
        assertThat(new ProcTable.Proc(55, 2, 0, 0, 'I', 9).isKernelThread()).isTrue();
        assertThat(new ProcTable.Proc(1, 0, 1, 1, 'S', 1).isKernelThread()).isFalse();
        assertThat(new ProcTable.Proc(700, 1, 700, 700, 'S', 9).isKernelThread()).isFalse();
        long self = ProcessHandle.current().pid();
        assertThat(ProcTable.SYSTEM.stat(self).orElseThrow().isKernelThread()).isFalse();
    }
}
