package dev.edgepopup.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.edgepopup.init.Init;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetsTest {
    @ParameterizedTest
    @CsvSource({"fc,266200", "conv2,4300992", "conv4,2425024", "conv6,2261184", "conv8,5275840"})
    void weightCountsEqualTheSpecTable(String arch, long expected) {
        try (Net net = Nets.of(arch).build()) {
            assertEquals(expected, net.weightCount());
            // k = 0.5 keeps n - floor(n/2) per layer
            long kept =
                    net.layers().stream()
                            .mapToLong(l -> l.weightCount() - l.weightCount() / 2)
                            .sum();
            assertEquals(kept, (long) net.keptCount());
        }
    }

    @Test
    void widthScalesConvChannelsAndHiddenWidthsButNotInputsOrClasses() {
        try (Net net = Nets.conv4().width(2).build()) {
            List<LayerInfo> t = net.layerTable();
            assertEquals("(128, 3, 3, 3)", t.get(0).shape());
            assertEquals("(256, 256, 3, 3)", t.get(3).shape());
            assertEquals("(512, 16384)", t.get(4).shape());
            assertEquals("(10, 512)", t.get(6).shape());
        }
        try (Net net = Nets.conv2().width(0.5).build()) {
            assertEquals("(32, 3, 3, 3)", net.layerTable().get(0).shape());
            assertEquals("(128, 8192)", net.layerTable().get(2).shape());
        }
        try (Net net = Nets.conv8().width(1.5).build()) {
            assertEquals("(768, 768, 3, 3)", net.layerTable().get(7).shape());
        }
        try (Net net = Nets.conv6().width(0.3).build()) {
            assertEquals("(19, 3, 3, 3)", net.layerTable().get(0).shape());
        }
        try (Net net = Nets.fc().input(3, 32, 32, 10).build()) {
            assertEquals("(300, 3072)", net.layerTable().get(0).shape());
        }
    }

    @Test
    void forwardGivesLogitsOnTheInputsManager() {
        try (Net net = Nets.conv4().width(0.25).build();
                NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 3, 32, 32));
            NDArray y = net.forward(x, false);
            assertEquals(new Shape(2, 10), y.getShape());
            assertEquals(m, y.getManager());
        }
    }

    @Test
    void sameSeedsGiveBitIdenticalWeightsAndScores() {
        try (Net a = Nets.conv2().width(0.25).seed(7).build();
                Net b = Nets.conv2().width(0.25).seed(7).build();
                Net c = Nets.conv2().width(0.25).seed(8).build()) {
            for (int i = 0; i < a.layers().size(); i++) {
                assertArrayEquals(
                        a.layers().get(i).weight().getArray().toFloatArray(),
                        b.layers().get(i).weight().getArray().toFloatArray());
                assertArrayEquals(
                        a.layers().get(i).scores().getArray().toFloatArray(),
                        b.layers().get(i).scores().getArray().toFloatArray());
            }
            float[] w1 = a.layers().get(0).weight().getArray().toFloatArray();
            float[] w3 = c.layers().get(0).weight().getArray().toFloatArray();
            assertTrue(!java.util.Arrays.equals(w1, w3));
        }
    }

    @Test
    void weightsAndScoresHaveTheirSeparateSeeds() {
        try (Net a = Nets.fc().weightSeed(3).scoreSeed(4).build();
                Net b = Nets.fc().weightSeed(3).scoreSeed(5).build()) {
            assertArrayEquals(
                    a.layers().get(0).weight().getArray().toFloatArray(),
                    b.layers().get(0).weight().getArray().toFloatArray());
            assertTrue(
                    !java.util.Arrays.equals(
                            a.layers().get(0).scores().getArray().toFloatArray(),
                            b.layers().get(0).scores().getArray().toFloatArray()));
        }
    }

    @Test
    void badSpecsSayWhatToDo() {
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> Nets.fc().keep(0))
                        .getMessage()
                        .contains("(0, 1]"));
        assertThrows(IllegalArgumentException.class, () -> Nets.fc().keep(1.01));
        assertThrows(IllegalArgumentException.class, () -> Nets.fc().keep(Double.NaN));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> Nets.of("conv5").build())
                        .getMessage()
                        .contains("conv4"));
        assertThrows(IllegalArgumentException.class, () -> Nets.conv4().width(0).build());
        assertThrows(IllegalArgumentException.class, () -> Nets.conv8().input(3, 8, 8, 10).build());
    }

    @Test
    void denseLayersTrainWeightsAndHaveNoScores() {
        try (Net net = Nets.fc().method(Method.DENSE).init(Init.KAIMING_NORMAL).build()) {
            assertEquals(null, net.layers().get(0).scores());
            assertTrue(net.layers().get(0).weight().requiresGradient());
            assertEquals(266200, (long) net.keptCount());
        }
    }

    @Test
    void methodLabelsAreTheCommandLineNamesAndParseBack() {
        assertEquals("edge-popup", Method.EDGE_POPUP.label());
        for (Method m : Method.values()) {
            assertEquals(m, Method.parse(m.label()));
        }
    }

    @Test
    void keptCountsAndTheWidthThatKeepsAGivenSize() {
        // FC width 0.25 is 784-75-25-10: 58,800 + 1,875 + 250 weights; at k = 0.5 each layer keeps
        // n - floor(n / 2): 29,400 + 938 + 125.
        NetSpec quarter = Nets.fc().width(0.25).keep(0.5).spec();
        assertEquals(30_463, quarter.keptCount());
        try (Net net = quarter.build()) {
            assertEquals(30_463, net.keptCount());
        }
        assertEquals(
                quarter.weightCount(),
                Nets.fc().width(0.25).method(Method.DENSE).spec().keptCount());
        // At k = 0.3, width 105/256 (784-123-41-10) keeps 28,930 + 1,513 + 123 = 30,566, closer to
        // 30,463 than 104/256 (30,032) or 106/256 (30,814).
        Nets fc = Nets.fc().keep(0.3);
        assertEquals(105 / 256.0, fc.widthKeeping(30_463));
        assertEquals(30_566, Nets.fc().keep(0.3).width(105 / 256.0).spec().keptCount());
        assertEquals(1.0, fc.spec().width(), "the builder keeps its own width");
    }
}
