package dev.edgepopup.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.Nets;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.History;
import dev.edgepopup.train.Recipe;
import dev.edgepopup.train.Training;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    /** The red level of each class's images, in sorted class order (ant, cat, dog). */
    private static final int[] RED = {30, 130, 230};

    @TempDir static Path dir;
    private static Path root;

    /** 3 classes x 4 PNGs of random sizes, one of them gray, plus files that must be ignored. */
    @BeforeAll
    static void writeFolder() throws IOException {
        root = dir.resolve("train");
        String[] classes = {"dog", "ant", "cat"}; // written unsorted on purpose
        int[] red = {RED[2], RED[0], RED[1]};
        SplittableRandom r = new SplittableRandom(1);
        for (int c = 0; c < 3; c++) {
            Path d = Files.createDirectories(root.resolve(classes[c]));
            for (int i = 0; i < 4; i++) {
                int w = 20 + r.nextInt(60);
                int h = 20 + r.nextInt(60);
                boolean gray = c == 1 && i == 3;
                BufferedImage img =
                        new BufferedImage(
                                w,
                                h,
                                gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int v = red[c] + r.nextInt(5) - 2;
                        img.getRaster().setSample(x, y, 0, v);
                        if (!gray) {
                            img.getRaster().setSample(x, y, 1, r.nextInt(256));
                            img.getRaster().setSample(x, y, 2, 100);
                        }
                    }
                }
                ImageIO.write(img, "png", d.resolve("img" + i + ".png").toFile());
            }
            Files.writeString(d.resolve("notes.txt"), "not an image");
        }
        Files.createDirectories(root.resolve(".ipynb_checkpoints"));
    }

    @Test
    void classesAreTheSortedFolderNamesAndFilesAreSortedWithinEach() throws IOException {
        try (ImageFolder f = ImageFolder.open(root, 16, 20, 2)) {
            assertEquals(List.of("ant", "cat", "dog"), f.classNames());
            assertEquals(12, f.size());
            for (int i = 0; i < 12; i++) {
                assertEquals(i / 4, f.label(i));
                assertEquals("img" + i % 4 + ".png", f.file(i).getFileName().toString());
                assertEquals(
                        f.classNames().get(i / 4), f.file(i).getParent().getFileName().toString());
            }
        }
    }

    @Test
    void batchesHaveTheCropSizeAndTheirLabels() throws IOException {
        try (ImageFolder f = ImageFolder.open(root);
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(new Shape(3, 224, 224), f.imageShape());
            NDList train = f.batch(m, new int[] {0, 11}, new SplittableRandom(1));
            assertEquals(new Shape(2, 3, 224, 224), train.get(0).getShape());
            assertArrayEquals(new int[] {0, 2}, train.get(1).toIntArray());
            NDList eval = f.batch(m, new int[] {5}, null);
            assertEquals(new Shape(1, 3, 224, 224), eval.get(0).getShape());
            // A flat blue of 100 normalised with ImageNet's blue mean and std, whatever the crop.
            float blue = (100 / 255f - 0.406f) / 0.225f;
            for (NDArray x : List.of(train.get(0), eval.get(0))) {
                float[] v = x.get(":, 2").toFloatArray();
                for (float e : v) {
                    assertEquals(blue, e, 1e-4);
                }
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameBatchWhateverTheThreads() throws IOException {
        int[] idx = {3, 7, 1, 10, 4, 4};
        try (ImageFolder two = ImageFolder.open(root, 16, 20, 2);
                ImageFolder one = ImageFolder.open(root, 16, 20, 1);
                NDManager m = NDManager.newBaseManager()) {
            float[] a = two.batch(m, idx, new SplittableRandom(7)).get(0).toFloatArray();
            float[] b = one.batch(m, idx, new SplittableRandom(7)).get(0).toFloatArray();
            float[] c = two.batch(m, idx, new SplittableRandom(8)).get(0).toFloatArray();
            assertArrayEquals(a, b);
            assertFalse(java.util.Arrays.equals(a, c));
            assertArrayEquals(
                    two.batch(m, idx, null).get(0).toFloatArray(),
                    one.batch(m, idx, null).get(0).toFloatArray());
        }
    }

    @Test
    void topOneAndTopFiveOnAFakeClassifier() throws IOException {
        // Recognises the class from the red level, then ranks it 1st (ant), 3rd (cat) or 7th
        // (dog) among 10 logits: top-1 = 4/12, top-5 = 8/12.
        int[] rank = {0, 2, 6};
        try (ImageFolder f = ImageFolder.open(root, 16, 20, 2);
                NDManager m = NDManager.newBaseManager()) {
            Net.Accuracy acc =
                    Net.evaluate(
                            f,
                            5,
                            m,
                            x -> {
                                int n = (int) x.getShape().get(0);
                                float[] red =
                                        x.get(":, 0")
                                                .reshape(n, -1)
                                                .mean(new int[] {1})
                                                .toFloatArray();
                                float[] logits = new float[n * 10];
                                for (int i = 0; i < n; i++) {
                                    double level = (red[i] * 0.229 + 0.485) * 255;
                                    int c = (int) Math.round((level - 30) / 100);
                                    int[] order = {3, 4, 5, 6, 7, 8, 9, 0, 1, 2};
                                    // Put class c at position rank[c] of the descending order, the
                                    // rest after.
                                    int[] desc = new int[10];
                                    int k = 0;
                                    for (int j = 0; j < 10; j++) {
                                        if (k == rank[c]) {
                                            desc[k++] = c;
                                        }
                                        if (order[j] != c) {
                                            desc[k++] = order[j];
                                        }
                                    }
                                    for (int j = 0; j < 10; j++) {
                                        logits[i * 10 + desc[j]] = 10 - j;
                                    }
                                }
                                return x.getManager().create(logits, new Shape(n, 10));
                            });
            assertEquals(12, acc.examples());
            assertEquals(4 / 12.0, acc.top1(), 1e-12);
            assertEquals(8 / 12.0, acc.top5(), 1e-12);
        }
    }

    @Test
    void aNetworkIsEvaluatedOnTheEvaluationTransform() throws IOException {
        try (ImageFolder f = ImageFolder.open(root, 8, 10, 2);
                Net net = Nets.fc().input(3, 8, 8, 3).build()) {
            Net.Accuracy acc = net.accuracies(f, 5);
            assertEquals(1.0, acc.top5(), "with 3 classes every label is among the top 5");
            // The same count by hand, from one batch of every image.
            int[] all = java.util.stream.IntStream.range(0, f.size()).toArray();
            try (NDManager m = NDManager.newBaseManager()) {
                NDList xy = f.batch(m, all, null);
                int[] predicted =
                        net.forward(xy.get(0), false)
                                .argMax(1)
                                .toType(ai.djl.ndarray.types.DataType.INT32, false)
                                .toIntArray();
                int right = 0;
                for (int i = 0; i < all.length; i++) {
                    right += predicted[i] == f.label(i) ? 1 : 0;
                }
                assertEquals((double) right / all.length, acc.top1(), 1e-12);
            }
        }
    }

    /** Trains an FC net on the folder for 3 epochs of 3 batches; returns history and scores. */
    private static List<Object> train(int decodingThreads) throws IOException {
        try (ImageFolder f = ImageFolder.open(root, 8, 10, decodingThreads);
                Net net = Nets.fc().inputOf(f).seed(3).build()) {
            History h =
                    Training.of(net, f, f)
                            .dataSeed(5)
                            .recipe(Recipe.CIFAR10_EDGE_POPUP.epochs(3).batchSize(4))
                            .run();
            List<Object> out = new java.util.ArrayList<>();
            for (EpochRecord e : h.epochs()) {
                out.add(List.of(e.trainLoss(), e.trainAccuracy(), e.testAccuracy()));
            }
            for (var layer : net.layers()) {
                out.add(java.util.Arrays.toString(layer.scores().getArray().toFloatArray()));
            }
            return out;
        }
    }

    @Test
    void trainingReadsTheFolderAndGivesTheSameRunWhateverTheDecodingThreads() throws IOException {
        List<Object> one = train(1);
        assertEquals(3 + 3, one.size(), "3 epochs, 3 layers");
        assertEquals(one, train(3), "prefetching on 3 threads must not change a bit");
    }

    @Test
    void trainingRefusesAFolderThatDoesNotFitTheNetwork() throws IOException {
        try (ImageFolder f = ImageFolder.open(root, 8, 10, 1);
                Net net = Nets.fc().build()) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class, () -> Training.of(net, f, f).run());
            assertTrue(e.getMessage().contains("inputOf(data)"), e.getMessage());
        }
    }

    @Test
    void aTrainValPairNeedsBothFoldersWithTheSameClasses(@TempDir Path tmp) throws IOException {
        MissingDataException none =
                assertThrows(MissingDataException.class, () -> Datasets.imageFolders(tmp, 8, 10));
        assertTrue(none.getMessage().contains("image-net.org"), none.getMessage());
        copy(root, tmp.resolve("train"));
        copy(root, tmp.resolve("val"));
        try (Datasets.Folders f = Datasets.imageFolders(tmp, 8, 10)) {
            assertEquals(12, f.train().size());
            assertEquals(f.train().classNames(), f.val().classNames());
        }
        Files.createDirectories(tmp.resolve("val/zebra"));
        Files.copy(root.resolve("ant/img0.png"), tmp.resolve("val/zebra/img0.png"));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> Datasets.imageFolders(tmp, 8, 10));
        assertTrue(e.getMessage().contains("same class folders"), e.getMessage());
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    @Test
    void missingFoldersAndBadImagesSayWhatIsWrong(@TempDir Path tmp) throws IOException {
        MissingDataException none =
                assertThrows(
                        MissingDataException.class, () -> ImageFolder.open(tmp.resolve("nothing")));
        assertTrue(none.getMessage().contains("one sub-folder per class"));
        Files.createDirectories(tmp.resolve("empty/cls"));
        assertTrue(
                assertThrows(
                                MissingDataException.class,
                                () -> ImageFolder.open(tmp.resolve("empty")))
                        .getMessage()
                        .contains("cls"));
        Files.createDirectories(tmp.resolve("bad/cls"));
        Files.writeString(tmp.resolve("bad/cls/broken.jpg"), "not a JPEG");
        try (ImageFolder f = ImageFolder.open(tmp.resolve("bad"), 8, 8, 1);
                NDManager m = NDManager.newBaseManager()) {
            CorruptDataException e =
                    assertThrows(CorruptDataException.class, () -> f.batch(m, new int[] {0}, null));
            assertEquals(tmp.resolve("bad/cls/broken.jpg"), e.file());
        }
    }
}
