package dev.edgepopup.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LocalTest {
    private static Local.Layout l(int runs, int threads) {
        return new Local.Layout(runs, threads);
    }

    @Test
    void autoTrainsOneRunPerThreadOnACpuAndOneAtATimeOnAGpu() {
        Local auto = Local.auto();
        assertEquals(l(2, 1), auto.layout(6, 2, false), "2 cores, 6 runs left");
        assertEquals(l(1, 2), auto.layout(1, 2, false), "one run left: all threads");
        assertEquals(l(8, 1), auto.layout(20, 8, false));
        assertEquals(l(3, 2), auto.layout(3, 8, false), "8 threads over 3 runs");
        assertEquals(l(1, 1), auto.layout(5, 1, false), "Threads.set(1): one at a time");
        assertEquals(l(1, 8), auto.layout(6, 8, true), "GPU");
    }

    @Test
    void chosenLayoutsKeepWhatWasChosen() {
        assertEquals(l(3, 1), Local.runsAtOnce(3).layout(6, 2, false));
        assertEquals(l(3, 2), Local.runsAtOnce(3).threadsPerRun(2).layout(6, 2, false));
        assertEquals(
                l(2, 2),
                Local.runsAtOnce(4).threadsPerRun(2).layout(2, 2, false),
                "never more runs at once than are left");
        assertEquals(l(1, 2), Local.oneAtATime().layout(6, 2, false));
        assertEquals(l(2, 1), Local.runsAtOnce(2).layout(6, 2, true), "chosen on a GPU too");
        assertThrows(IllegalArgumentException.class, () -> Local.runsAtOnce(0));
        assertThrows(IllegalArgumentException.class, () -> Local.auto().threadsPerRun(0));
    }

    @Test
    void describeSaysRunsAndThreads() {
        assertEquals(
                "2 runs at once, 1 thread each", Local.runsAtOnce(2).threadsPerRun(1).describe(5));
        assertEquals(
                "one run at a time on 3 threads", Local.oneAtATime().threadsPerRun(3).describe(5));
    }
}
