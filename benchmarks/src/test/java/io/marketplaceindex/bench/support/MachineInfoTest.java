package io.marketplaceindex.bench.support;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class MachineInfoTest {

    /** A shell loop that spends a fraction of a second of CPU, then exits. */
    private static Process busyChild() throws Exception {
        return new ProcessBuilder("bash", "-c", "i=0; while [ $i -lt 60000 ]; do i=$((i+1)); done")
                .redirectErrorStream(true).start();
    }

    @Test
    void aTreeCountsItsLiveAndItsReapedChildren() throws Exception {
        long self = ProcessHandle.current().pid();
        double treeBefore = MachineInfo.processTreeCpuSeconds(self);
        double ownBefore = MachineInfo.processCpuSeconds(self);

        Process child = busyChild();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // reaped by the JVM: its time now sits in this process's cutime/cstime only
        double childrenAdded = (MachineInfo.processTreeCpuSeconds(self) - treeBefore)
                - (MachineInfo.processCpuSeconds(self) - ownBefore);

        assertThat(childrenAdded).isGreaterThan(0.05);
    }

    @Test
    void aJvmsJitThreadsAreCountedApart() throws Exception {
        long self = ProcessHandle.current().pid();
        // enough distinct work for the JIT to compile something
        long sum = 0;
        for (int i = 0; i < 2_000_000; i++) {
            sum += Integer.toString(i).hashCode();
        }
        assertThat(sum).isNotZero();

        double jit = MachineInfo.jitCpuSeconds(self);
        assertThat(jit).isGreaterThan(0);
        assertThat(jit).isLessThan(MachineInfo.processCpuSeconds(self));
        assertThat(MachineInfo.jitCpuSeconds(Long.MAX_VALUE)).isZero();
    }

    @Test
    void aGoneProcessHasUsedNothing() throws Exception {
        Process child = busyChild();
        long pid = child.pid();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(MachineInfo.processCpuSeconds(pid)).isZero();
        assertThat(MachineInfo.processTreeCpuSeconds(pid)).isZero();
    }
}
