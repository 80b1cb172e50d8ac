package dev.edgepopup.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CellTimerTest {
    @Test
    void formatsAsIPythonDoes() {
        assertEquals("2.59 s", CellTimer.format(2.5891));
        assertEquals("105 ms", CellTimer.format(0.105));
        assertEquals("900 µs", CellTimer.format(0.0009));
        assertEquals("12 ns", CellTimer.format(12e-9));
        assertEquals("0 ns", CellTimer.format(0));
        assertEquals("1 s", CellTimer.format(1));
        assertEquals("1min 5s", CellTimer.format(65.2));
        assertEquals("1h 2min 3s", CellTimer.format(3723));
    }

    @Test
    void reportsCpuAndWallTime() throws Exception {
        CellTimer timer = new CellTimer();
        Thread.sleep(30);
        String[] lines = timer.report().split("\n");
        assertEquals(2, lines.length);
        assertTrue(
                lines[0].matches("CPU times: user \\S+ \\S+, sys \\S+ \\S+, total \\S+ \\S+"),
                lines[0]);
        assertTrue(lines[1].matches("Wall time: \\d+(\\.\\d+)? ms"), lines[1]);
        double millis = Double.parseDouble(lines[1].split(" ")[2]);
        assertTrue(millis >= 30, lines[1]);
    }
}
