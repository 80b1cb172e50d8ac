package dev.edgepopup.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.data.Datasets;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.Nets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SwapCheckTest {
    @Test
    void smallStepsThatSwapEdgesLowerTheLossFarMoreOftenThanRandomSwaps() {
        Datasets.Data d = Datasets.fashionMnist().limit(2_000, 10);
        try (Net net = Nets.fc().keep(0.5).seed(3).build()) {
            float[] before = net.trainable().get(0).getArray().toFloatArray();
            List<SwapCheck.Result> r =
                    SwapCheck.run(net, d.train(), new double[] {0.01, 0.1}, 40, 128, 1);
            assertEquals(2, r.size());
            for (SwapCheck.Result x : r) {
                assertEquals(40, x.steps());
                assertTrue(x.withSwaps() > 10, x.toString());
                assertTrue(x.fractionDecreased() >= 0.9, x.toString());
                assertTrue(x.fractionRandomDecreased() <= 0.6, x.toString());
                assertTrue(
                        x.oneLayer() <= x.withSwaps() && x.oneLayerDecreased() <= x.oneLayer(),
                        x.toString());
            }
            assertArrayEquals(before, net.trainable().get(0).getArray().toFloatArray());
        }
    }

    @Test
    void randomSwapsTradeExactlyThatManyKeptEdgesForPrunedOnesPerLayer() {
        // Layer 0: |s| ranks keep indices 0, 1 (mask 1 1 0 0); layer 1 keeps index 2.
        List<float[]> scores =
                List.of(new float[] {0.9f, -0.8f, 0.1f, 0.2f}, new float[] {0.1f, 0.2f, -0.7f});
        List<float[]> masks = List.of(new float[] {1, 1, 0, 0}, new float[] {0, 0, 1});
        List<float[]> out =
                SwapCheck.randomSwaps(scores, masks, new int[] {1, 0}, new SplittableRandom(5));
        assertArrayEquals(scores.get(1), out.get(1));
        float[] s = out.get(0);
        int changed = 0;
        for (int j = 0; j < 4; j++) {
            changed += s[j] != scores.get(0)[j] ? 1 : 0;
        }
        assertEquals(2, changed, "one kept and one pruned score trade places");
        // The two largest |s| are now one old kept edge and one old pruned one.
        float[] sorted = new float[4];
        for (int j = 0; j < 4; j++) {
            sorted[j] = Math.abs(s[j]);
        }
        int keptNow = 0;
        int oldKeptStillIn = 0;
        for (int j = 0; j < 4; j++) {
            int larger = 0;
            for (int i = 0; i < 4; i++) {
                larger += sorted[i] > sorted[j] ? 1 : 0;
            }
            if (larger < 2) {
                keptNow++;
                oldKeptStillIn += masks.get(0)[j] == 1 ? 1 : 0;
            }
        }
        assertEquals(2, keptNow);
        assertEquals(1, oldKeptStillIn);
        assertArrayEquals(new float[] {0.9f, -0.8f, 0.1f, 0.2f}, scores.get(0), "input untouched");
    }
}
