package dev.edgepopup.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.edgepopup.data.ImageSet;
import dev.edgepopup.export.Subnetwork;
import dev.edgepopup.init.Init;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.History;
import dev.edgepopup.train.Recipe;
import dev.edgepopup.train.Training;
import dev.edgepopup.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResNetTest {
    /**
     * Counted from the shapes alone (nothing allocated). The last column is torchvision's (and for
     * the CIFAR variant the common pytorch-cifar ResNet18's) published parameter count, which adds
     * to our weights one scale and one shift per batch-norm channel (one batch norm after every
     * convolution) and the classifier's bias.
     */
    @ParameterizedTest
    @CsvSource({
        "resnet18,        1000, 21, 11678912, 11689512",
        "resnet34,        1000, 37, 21779648, 21797672",
        "resnet50,        1000, 54, 25502912, 25557032",
        "resnet101,       1000, 105, 44442816, 44549160",
        "wide_resnet50_2, 1000, 54, 68814016, 68883240",
        "resnet18_cifar,  10,   21, 11164352, 11173962"
    })
    void weightCountsMatchTorchvisionWithoutAllocating(
            String arch, int classes, int layers, long weights, long torchvisionParams) {
        NetSpec spec = Nets.of(arch).input(3, 224, 224, classes).keep(0.3).spec();
        List<LayerShape> shapes = spec.layers();
        assertEquals(layers, shapes.size());
        assertEquals(weights, spec.weightCount());
        long bnChannels = shapes.stream().filter(LayerShape::conv).mapToLong(LayerShape::out).sum();
        assertEquals(torchvisionParams, weights + 2 * bnChannels + classes);
        LayerShape fc = shapes.get(shapes.size() - 1);
        assertEquals(new Shape(classes, fc.in()), fc.weightShape(), "the classifier is pruned too");
    }

    @Test
    void bottlenecksStrideOnTheThreeByThreeAndWideDoublesTheirWidth() {
        List<LayerShape> r50 = Nets.of("resnet50").spec().layers();
        assertEquals(LayerShape.conv("conv1", 3, 64, 7, 2), r50.get(0));
        // layer2.0: 1x1 stride 1, 3x3 stride 2 (v1.5), 1x1, then the strided 1x1 shortcut.
        assertEquals(LayerShape.conv("layer2.0.conv1", 256, 128, 1, 1), r50.get(11));
        assertEquals(LayerShape.conv("layer2.0.conv2", 128, 128, 3, 2), r50.get(12));
        assertEquals(LayerShape.conv("layer2.0.conv3", 128, 512, 1, 1), r50.get(13));
        assertEquals(LayerShape.conv("layer2.0.downsample", 256, 512, 1, 2), r50.get(14));
        assertEquals(LayerShape.linear("fc", 2048, 1000), r50.get(53));
        List<LayerShape> wide = Nets.of("wide_resnet50_2").spec().layers();
        assertEquals(LayerShape.conv("layer1.0.conv2", 128, 128, 3, 1), wide.get(2));
        assertEquals(LayerShape.conv("layer1.0.conv3", 128, 256, 1, 1), wide.get(3));
        List<LayerShape> cifar = Nets.of("resnet18_cifar").spec().layers();
        assertEquals(LayerShape.conv("conv1", 3, 64, 3, 1), cifar.get(0));
        assertEquals(LayerShape.conv("layer2.0.conv1", 64, 128, 3, 2), cifar.get(5));
        assertEquals(LayerShape.conv("layer2.0.downsample", 64, 128, 1, 2), cifar.get(7));
        assertEquals(
                LayerShape.conv("layer1.0.conv1", 16, 16, 3, 1),
                Nets.of("resnet18").width(0.25).spec().layers().get(1),
                "width scales channels");
        assertThrows(IllegalStateException.class, () -> Nets.of("resnet18").spec().layout());
    }

    @Test
    void aBuiltNetHasExactlyTheDescribedLayersAndGivesLogits() {
        // One of each kind of block and stem; ResNet-34 and -101 differ only in block counts.
        for (String arch : List.of("resnet18", "resnet50", "wide_resnet50_2", "resnet18_cifar")) {
            NetSpec spec = Nets.of(arch).width(0.0625).input(3, 16, 16, 10).seed(3).spec();
            try (Net net = spec.build();
                    NDManager m = NDManager.newBaseManager()) {
                List<LayerShape> shapes = spec.layers();
                assertEquals(shapes.size(), net.layers().size(), arch);
                for (int i = 0; i < shapes.size(); i++) {
                    MaskedLayer l = net.layers().get(i);
                    assertEquals(shapes.get(i).label(), l.label(), arch);
                    assertEquals(shapes.get(i).weightShape(), l.weightShape(), arch);
                }
                assertEquals(spec.weightCount(), net.weightCount());
                NDArray y = net.forward(m.randomNormal(new Shape(2, 3, 16, 16)), false);
                assertEquals(new Shape(2, 10), y.getShape(), arch);
                assertTrue(net.toString().contains("layer4.0.downsample"));
            }
        }
    }

    @Test
    void sevenBySevenStrideTwoConvolutionPadsByThree() {
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedConv conv =
                    new MaskedConv("stem", 2, 3, 7, 2, Method.DENSE, 1, Init.KAIMING_NORMAL, 1, 2);
            conv.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 2, 9, 9));
            assertEquals(
                    new Shape(1, 3, 112, 112),
                    conv.getOutputShapes(new Shape[] {new Shape(1, 2, 224, 224)})[0]);
            float[] x = new float[2 * 9 * 9];
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextDouble();
            }
            NDArray out =
                    conv.forward(
                                    new ParameterStore(m, false),
                                    new NDList(m.create(x, new Shape(1, 2, 9, 9))),
                                    false)
                            .singletonOrThrow();
            assertEquals(new Shape(1, 3, 5, 5), out.getShape());
            float[] w = conv.weight().getArray().toFloatArray();
            float[] y = out.toFloatArray();
            for (int o = 0; o < 3; o++) {
                for (int i = 0; i < 5; i++) {
                    for (int j = 0; j < 5; j++) {
                        double sum = 0;
                        for (int c = 0; c < 2; c++) {
                            for (int u = 0; u < 7; u++) {
                                for (int v = 0; v < 7; v++) {
                                    int row = 2 * i + u - 3;
                                    int col = 2 * j + v - 3;
                                    if (row >= 0 && row < 9 && col >= 0 && col < 9) {
                                        sum +=
                                                w[((o * 2 + c) * 7 + u) * 7 + v]
                                                        * x[(c * 9 + row) * 9 + col];
                                    }
                                }
                            }
                        }
                        assertEquals(sum, y[(o * 5 + i) * 5 + j], 1e-4);
                    }
                }
            }
        }
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new MaskedConv(
                                "even", 1, 1, 2, 1, Method.DENSE, 1, Init.KAIMING_NORMAL, 0, 0));
    }

    @Test
    void edgePopupBatchNormIsNonAffineAndDenseLearnsScaleAndShift() {
        try (Net ep = Nets.of("resnet18_cifar").width(0.0625).build();
                Net dense = Nets.of("resnet18_cifar").width(0.0625).method(Method.DENSE).build()) {
            int convs = 20;
            assertEquals(ep.layers().size(), ep.trainable().size(), "scores only");
            for (int i = 0; i < ep.layers().size(); i++) {
                assertEquals(ep.layers().get(i).scores(), ep.trainable().get(i));
            }
            assertEquals(2 * convs, ep.buffers().size(), "running mean and variance per norm");
            assertEquals(ep.layers().size() + 2 * convs, dense.trainable().size());
            assertEquals(
                    Parameter.Type.GAMMA, dense.trainable().get(dense.layers().size()).getType());
            assertEquals(2 * convs, dense.buffers().size());
        }
    }

    @Test
    void batchNormKeepsRunningStatisticsWithPytorchMomentumAndEps() {
        try (Net net = Nets.of("resnet18_cifar").width(0.0625).input(3, 8, 8, 10).build();
                NDManager m = NDManager.newBaseManager()) {
            Block bn = net.block().getChildren().get(1).getValue();
            NDArray ones = m.ones(new Shape(1, 4, 2, 2));
            NDArray same =
                    bn.forward(new ParameterStore(m, false), new NDList(ones), false)
                            .singletonOrThrow();
            // Fresh statistics (mean 0, variance 1): x / sqrt(1 + eps) with eps = 1e-5.
            assertEquals(1 / Math.sqrt(1 + 1e-5), same.getFloat(0, 0, 0, 0), 1e-7);

            NDArray x = m.randomNormal(new Shape(4, 3, 8, 8));
            NDArray stem;
            try (NoGrad off = NoGrad.enter()) {
                stem =
                        net.layers()
                                .get(0)
                                .forward(new ParameterStore(m, false), new NDList(x), false)
                                .singletonOrThrow();
                net.forward(x, true);
            }
            float[] v = stem.toFloatArray(); // (4, 4, 8, 8)
            float[] runningMean = net.buffers().get(0).getArray().toFloatArray();
            float[] runningVar = net.buffers().get(1).getArray().toFloatArray();
            for (int c = 0; c < 4; c++) {
                double sum = 0;
                double sq = 0;
                for (int b = 0; b < 4; b++) {
                    for (int i = 0; i < 64; i++) {
                        double e = v[(b * 4 + c) * 64 + i];
                        sum += e;
                        sq += e * e;
                    }
                }
                int n = 4 * 64;
                double mean = sum / n;
                double unbiased = (sq - n * mean * mean) / (n - 1); // PyTorch's running variance
                assertEquals(0.1 * mean, runningMean[c], 1e-5);
                assertEquals(0.9 + 0.1 * unbiased, runningVar[c], 1e-4);
            }
        }
    }

    private static ImageSet random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[n * 3 * 8 * 8];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(4);
            for (int j = 0; j < 3 * 8 * 8; j++) {
                // The label shows in the brightness, so there is something to learn.
                px[i * 192 + j] = (byte) (labels[i] * 50 + r.nextInt(60));
            }
        }
        return new ImageSet(
                "random",
                3,
                8,
                8,
                px,
                labels,
                4,
                new float[] {0.5f, 0.5f, 0.5f},
                new float[] {0.25f, 0.25f, 0.25f},
                ImageSet.Augmentation.CROP_FLIP);
    }

    private static List<float[]> arrays(List<Parameter> params) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : params) {
            out.add(p.getArray().toFloatArray());
        }
        return out;
    }

    private static void assertSame(List<float[]> a, List<float[]> b, String what) {
        assertEquals(a.size(), b.size(), what);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), what + " " + i);
        }
    }

    @Test
    void trainingCheckpointsAndSubnetworksCarryTheRunningStatistics(@TempDir Path dir)
            throws Exception {
        ImageSet train = random(16, 1);
        ImageSet test = random(8, 2).withoutAugmentation();
        // Channel counts of multiples of 16: PyTorch 2.7.1's CPU convolution backward gives NaN
        // gradients for others (4, 8, 24...) when it runs on more than one thread.
        Nets nets = Nets.of("resnet18_cifar").width(0.25).input(3, 8, 8, 4).keep(0.5).seed(6);
        Recipe recipe = Recipe.CIFAR10_EDGE_POPUP.epochs(2).batchSize(16);
        History full;
        List<float[]> fullScores;
        List<float[]> fullStats;
        try (Net net = nets.build()) {
            List<float[]> fresh = arrays(net.buffers());
            full = Training.of(net, train, test).recipe(recipe).dataSeed(3).run();
            fullScores = arrays(net.trainable());
            fullStats = arrays(net.buffers());
            assertFalse(java.util.Arrays.equals(fresh.get(0), fullStats.get(0)), "stats moved");

            Path file = dir.resolve("r18.subnet");
            Subnetwork.of(net).save(file);
            try (Net back = Subnetwork.load(file).toNet()) {
                assertSame(fullStats, arrays(back.buffers()), "subnetwork statistics");
                assertEquals(net.accuracy(test, 8), back.accuracy(test, 8));
            }
        }
        Path ck = dir.resolve("r18.ckpt");
        try (Net net = nets.build()) {
            History part =
                    Training.of(net, train, test)
                            .recipe(recipe)
                            .dataSeed(3)
                            .checkpoint(ck)
                            .listener(
                                    new TrainingListener() {
                                        @Override
                                        public void onEpoch(EpochRecord rec, int epochs) {
                                            Thread.currentThread().interrupt();
                                        }
                                    })
                            .run();
            assertEquals(1, part.completedEpochs());
        }
        Training resumed = Training.resume(ck, train, test);
        try (Net net = resumed.net()) {
            History h = resumed.run();
            assertEquals(full.finalTestAccuracy(), h.finalTestAccuracy());
            assertSame(fullScores, arrays(net.trainable()), "resumed scores");
            assertSame(fullStats, arrays(net.buffers()), "resumed statistics");
        }
    }

    @Test
    void denseResNetLearnsItsBatchNormScales() {
        try (Net net =
                Nets.of("resnet18_cifar")
                        .width(0.25)
                        .input(3, 8, 8, 4)
                        .method(Method.DENSE)
                        .seed(1)
                        .build()) {
            Parameter gamma = net.trainable().get(net.layers().size());
            float[] before = gamma.getArray().toFloatArray();
            Training.of(net, random(16, 1), random(8, 2))
                    .recipe(Recipe.DENSE_SGD.epochs(1).batchSize(16))
                    .run();
            assertNotEquals(before[0], gamma.getArray().toFloatArray()[0]);
        }
    }

    private static List<Integer> input(NetSpec s) {
        return List.of(s.channels(), s.height(), s.imageWidth(), s.classes());
    }

    /** The subnetwork sizes of spec section 5's table (the reference repository's), at k = 0.3. */
    @ParameterizedTest
    @CsvSource({"ResNet50, 7.7", "resnet101, 13.3", "wide_resnet50_2, 20.6"})
    void imagenetResNetsDefaultToImagenetInputAndHoldThePapersSubnetworkSizes(
            String arch, double millions) {
        NetSpec spec = Nets.of(arch).keep(0.3).spec();
        assertEquals(arch.toLowerCase(java.util.Locale.ROOT), spec.arch());
        assertEquals(List.of(3, 224, 224, 1000), input(spec));
        long kept =
                spec.layers().stream().mapToLong(l -> Masks.keptCount(l.weightCount(), 0.3)).sum();
        assertEquals(millions, Math.round(kept / 1e5) / 10.0);
    }

    @Test
    void cifarResNetDefaultsToCifarInputAndUnknownNamesListTheKnownOnes() {
        assertEquals(List.of(3, 32, 32, 10), input(Nets.of("resnet18_cifar").spec()));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> Nets.of("resnet51"))
                        .getMessage()
                        .contains("wide_resnet50_2"));
    }
}
