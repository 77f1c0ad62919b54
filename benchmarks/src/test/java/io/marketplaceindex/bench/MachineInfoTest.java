package io.marketplaceindex.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class MachineInfoTest {

    /** A shell loop that spends a fraction of a second of CPU, then exits. */
    private static Process busyChild() throws Exception {
        return new ProcessBuilder("bash", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done")
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
    void aGoneProcessHasUsedNothing() throws Exception {
        Process child = busyChild();
        long pid = child.pid();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(MachineInfo.processCpuSeconds(pid)).isZero();
        assertThat(MachineInfo.processTreeCpuSeconds(pid)).isZero();
    }
}
