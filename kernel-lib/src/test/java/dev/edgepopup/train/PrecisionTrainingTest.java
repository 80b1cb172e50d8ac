package dev.edgepopup.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import dev.edgepopup.data.Datasets;
import dev.edgepopup.nn.MaskedLayer;
import dev.edgepopup.nn.Method;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.Nets;
import dev.edgepopup.nn.Precision;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training in bfloat16 and channels-last: what it keeps in float32, what it records. */
class PrecisionTrainingTest {
    private static Datasets.Data small;

    @BeforeAll
    static void load() {
        small = Datasets.fashionMnist().limit(1_000, 500);
    }

    @Test
    void forcedBf16TrainsKeepsFloat32StateAndIsRecordedAndResumed(@TempDir Path dir)
            throws IOException {
        Path file = dir.resolve("run.ckpt");
        try (Net net = Nets.fc().keep(0.5).seed(1).build()) {
            float[] w0 = net.layers().get(0).weight().getArray().toFloatArray();
            History h =
                    Training.of(net, small.train(), small.test())
                            .recipe(Recipe.CIFAR10_EDGE_POPUP.epochs(1))
                            .precision(Precision.BF16)
                            .forceBf16(true)
                            .channelsLast(true)
                            .checkpoint(file)
                            .run();
            assertEquals(Precision.BF16, h.precision());
            assertTrue(h.channelsLast());
            assertTrue(h.toString().contains("bf16, channels-last"), h.toString());
            assertTrue(h.finalTestAccuracy() > 0.5, h.toString()); // chance is 0.1
            for (Parameter p : net.trainable()) {
                assertEquals(DataType.FLOAT32, p.getArray().getDataType(), "scores stay fp32");
            }
            MaskedLayer first = net.layers().get(0);
            assertEquals(DataType.FLOAT32, first.weight().getArray().getDataType());
            assertArrayEquals(w0, first.weight().getArray().toFloatArray(), "W is frozen");
            assertEquals(Precision.BF16, net.precision());
        }
        Training resumed = Training.resume(file, small.train(), small.test());
        try (Net net = resumed.net()) {
            History h = resumed.run(); // no epoch left: the checkpoint's arithmetic comes back
            assertEquals(Precision.BF16, h.precision());
            assertTrue(h.channelsLast());
            assertEquals(Precision.BF16, net.precision());
        }
    }

    @Test
    void bf16UnforcedUsesWhatThisMachineAffords() {
        Precision expected = Precision.BF16.resolve(false, line -> {});
        try (Net net = Nets.fc().seed(1).build()) {
            History h =
                    Training.of(net, small.train().limit(200), small.test().limit(100))
                            .recipe(Recipe.CIFAR10_EDGE_POPUP.epochs(1))
                            .precision(Precision.BF16)
                            .run();
            assertEquals(expected, h.precision());
            assertTrue(h.toString().contains(expected.label() + ", NCHW"), h.toString());
        }
    }

    @Test
    void bf16AndChannelsLastRefuseSeveralDevices() {
        try (Net net = Nets.fc().seed(1).build()) {
            for (Training t :
                    new Training[] {
                        Training.of(net, small.train(), small.test())
                                .precision(Precision.BF16)
                                .forceBf16(true),
                        Training.of(net, small.train(), small.test()).channelsLast(true)
                    }) {
                IllegalArgumentException e =
                        assertThrows(
                                IllegalArgumentException.class,
                                () -> t.devices(Collections.nCopies(2, Device.cpu())).run());
                assertTrue(e.getMessage().contains("one device only, not on 2"), e.getMessage());
            }
            assertEquals(Precision.FP32, net.precision(), "a refused run changes nothing");
        }
    }

    @Test
    void memoryStaysFlatOverManySteps() {
        assumeTrue(
                NativeHeap.measurable(),
                "needs glibc 2.33 or later, one malloc arena and Native Memory Tracking");
        int epochs = 8;
        int batch = 50; // 8 steps an epoch
        // Every manager hangs from the engine's system manager: its arrays are all DJL knows.
        NDManager system = NativeHeap.systemManager();
        for (Precision p : Precision.values()) {
            List<Long> heap = new ArrayList<>();
            List<Integer> arrays = new ArrayList<>();
            try (Net net =
                    Nets.conv2()
                            .width(0.25)
                            .input(1, 28, 28, 10)
                            .method(Method.DENSE)
                            .seed(1)
                            .build()) {
                Training.of(net, small.train().limit(400), small.test().limit(100))
                        .recipe(Recipe.paper(Method.DENSE, "conv2").epochs(epochs).batchSize(batch))
                        .precision(p)
                        .forceBf16(true)
                        .channelsLast(true)
                        .listener(
                                new TrainingListener() {
                                    @Override
                                    public void onEpoch(EpochRecord r, int total) {
                                        heap.add(NativeHeap.bytes());
                                        arrays.add(system.getManagedArrays().size());
                                    }
                                })
                        .run();
            }
            // Not one array more after the first epoch (its optimizer state and, for bf16, the
            // frozen copies are made once).
            assertEquals(arrays.get(0), arrays.get(epochs - 1), p + " arrays " + arrays);
            // Outside DJL's sight, a step that kept its autograd graph would keep its
            // activations too, 2.5 MB for the first layer alone: 100 MB over the 40 steps from
            // epoch 3 on. Measured: 34 KiB in fp32.
            long growth = heap.get(epochs - 1) - heap.get(2);
            assertTrue(
                    growth < 4L << 20,
                    p
                            + ": the C heap grew by "
                            + (growth >> 10)
                            + " KiB from epoch 3 to "
                            + epochs
                            + ": "
                            + heap);
        }
    }
}
