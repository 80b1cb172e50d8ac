package dev.edgepopup.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.data.Datasets;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.Nets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SwapCheckTest {
    @Test
    void smallStepsThatSwapEdgesLowerTheLossAndScoresAreRestored() {
        Datasets.Data d = Datasets.fashionMnist().limit(2_000, 10);
        try (Net net = Nets.fc().keep(0.5).seed(3).build()) {
            float[] before = net.trainable().get(0).getArray().toFloatArray();
            List<SwapCheck.Result> r = SwapCheck.run(net, d.train(), new double[] {0.01, 0.1},
                    40, 128, 1);
            System.out.println(r);
            assertEquals(2, r.size());
            for (SwapCheck.Result x : r) {
                assertEquals(40, x.steps());
                assertTrue(x.withSwaps() > 10, x.toString());
                assertTrue(x.fractionDecreased() >= 0.9, x.toString());
            }
            assertArrayEquals(before, net.trainable().get(0).getArray().toFloatArray());
        }
    }
}
