package dev.edgepopup.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import dev.edgepopup.data.Datasets;
import dev.edgepopup.nn.MaskedLayer;
import dev.edgepopup.nn.Method;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.NativeMemory;
import dev.edgepopup.nn.Nets;
import dev.edgepopup.nn.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
            History h = Training.of(net, small.train(), small.test())
                    .recipe(Recipe.CIFAR10_EDGE_POPUP.epochs(1)).precision(Precision.BF16)
                    .forceBf16(true).channelsLast(true).checkpoint(file).run();
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
        Precision expected = Precision.BF16.resolve(false, line -> { });
        try (Net net = Nets.fc().seed(1).build()) {
            History h = Training.of(net, small.train().limit(200), small.test().limit(100))
                    .recipe(Recipe.CIFAR10_EDGE_POPUP.epochs(1)).precision(Precision.BF16)
                    .run();
            assertEquals(expected, h.precision());
            assertTrue(h.toString().contains(expected.label() + ", NCHW"), h.toString());
        }
    }

    /**
     * Resident bytes of the C heap. With the tests' GLIBC_TUNABLES (one arena, no mmap below 4
     * GiB) every native allocation, libtorch's included, lands there, and the Java heap does not.
     */
    private static long nativeHeapBytes() {
        List<String> smaps;
        try {
            smaps = Files.readAllLines(Path.of("/proc/self/smaps"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        long kb = 0;
        boolean heap = false;
        for (String l : smaps) {
            if (Character.isDigit(l.charAt(0)) || Character.isLowerCase(l.charAt(0))) {
                heap = l.endsWith("[heap]"); // a mapping's header line: address range first
            } else if (heap && l.startsWith("Rss:")) {
                kb += Long.parseLong(l.replaceAll("\\D", ""));
            }
        }
        return kb << 10;
    }

    @Test
    void nativeMemoryStaysFlatOverManySteps() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")) && NativeMemory.tuned()
                && String.valueOf(System.getenv("GLIBC_TUNABLES")).contains("arena_max=1"),
                "needs Linux's /proc and one malloc arena");
        int epochs = 10;
        int batch = 25; // 20 steps an epoch
        for (Precision p : Precision.values()) {
            List<Long> perEpoch = new ArrayList<>();
            try (Net net = Nets.conv2().width(0.25).input(1, 28, 28, 10).method(Method.DENSE)
                    .seed(1).build()) {
                Training.of(net, small.train().limit(500), small.test().limit(100))
                        .recipe(Recipe.paper(Method.DENSE, "conv2").epochs(epochs)
                                .batchSize(batch))
                        .precision(p).forceBf16(true).channelsLast(true)
                        .listener(new TrainingListener() {
                            @Override
                            public void onEpoch(EpochRecord r, int total) {
                                perEpoch.add(nativeHeapBytes());
                            }
                        })
                        .run();
            }
            // The first epochs fill the allocator's caches; from then on each of the 140 steps
            // that kept its batch (25 x 784 floats, 80 KB) would add 11 MB, and one that kept
            // its activations (1.25 MB a conv layer) hundreds.
            long growth = perEpoch.get(epochs - 1) - perEpoch.get(2);
            System.out.println(p + " " + perEpoch);
            assertTrue(growth < 8L << 20, p + ": native memory grew by " + (growth >> 10)
                    + " KiB from epoch 3 to " + epochs + ": " + perEpoch);
        }
    }
}
