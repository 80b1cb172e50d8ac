package dev.edgepopup.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChecksumsTest {
    @Test
    void sameSeedsGiveSameLinesAndAnotherScoreSeedChangesMaskAndScoresOnly() {
        List<String> a;
        List<String> b;
        List<String> c;
        try (Net net = Nets.fc().weightSeed(1).scoreSeed(2).build()) {
            a = Checksums.of(net);
        }
        try (Net net = Nets.fc().weightSeed(1).scoreSeed(2).build()) {
            b = Checksums.of(net);
        }
        try (Net net = Nets.fc().weightSeed(1).scoreSeed(3).build()) {
            c = Checksums.of(net);
        }
        assertEquals(3, a.size());
        assertTrue(a.get(0).startsWith("fc1 mask="), a.get(0));
        assertEquals(a, b);
        for (int i = 0; i < a.size(); i++) {
            String[] x = a.get(i).split(" ");
            String[] y = c.get(i).split(" ");
            assertNotEquals(x[1], y[1], "mask");
            assertEquals(x[2], y[2], "weight");
            assertNotEquals(x[3], y[3], "scores");
        }
    }
}
