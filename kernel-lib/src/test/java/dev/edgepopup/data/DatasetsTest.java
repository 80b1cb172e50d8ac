package dev.edgepopup.data;

import static dev.edgepopup.data.IdxTest.gzip;
import static dev.edgepopup.data.IdxTest.idx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.edgepopup.data.Datasets.Data;
import dev.edgepopup.data.ImageSet.Augmentation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    static final byte[] TRAIN_PIXELS = {0, (byte) 255, (byte) 128, 64, 1, 2, 3, 4, 10, 20, 30, 40};
    static final byte[] TEST_PIXELS = {5, 6, 7, 8};
    static final float[] CIFAR_MEAN = {0.491f, 0.482f, 0.447f};
    static final float[] CIFAR_STD = {0.247f, 0.243f, 0.262f};

    @TempDir Path dir;

    /** Three 2x2 training images labelled 7, 0, 9 (gzipped) and one test image labelled 4 (raw). */
    static void writeMnist(Path dir) throws IOException {
        Files.write(
                dir.resolve("train-images-idx3-ubyte.gz"),
                gzip(idx(Idx.IMAGES_MAGIC, new int[] {3, 2, 2}, TRAIN_PIXELS)));
        Files.write(
                dir.resolve("train-labels-idx1-ubyte.gz"),
                gzip(idx(Idx.LABELS_MAGIC, new int[] {3}, new byte[] {7, 0, 9})));
        Files.write(
                dir.resolve("t10k-images-idx3-ubyte"),
                idx(Idx.IMAGES_MAGIC, new int[] {1, 2, 2}, TEST_PIXELS));
        Files.write(
                dir.resolve("t10k-labels-idx1-ubyte"),
                idx(Idx.LABELS_MAGIC, new int[] {1}, new byte[] {4}));
    }

    /** Pixel (c, r, col) of CIFAR record number {@code n}, counted over all files in order. */
    static int cifarPixel(int n, int c, int r, int col) {
        return (n * 7 + c * 60 + r * 2 + col) & 0xff;
    }

    /** {@code count} CIFAR records starting at record number {@code first}, labelled n % 10. */
    static byte[] cifarRecords(int first, int count) {
        byte[] out = new byte[count * 3073];
        for (int i = 0; i < count; i++) {
            int n = first + i;
            out[i * 3073] = (byte) (n % 10);
            for (int p = 0; p < 3072; p++) {
                out[i * 3073 + 1 + p] = (byte) cifarPixel(n, p / 1024, p / 32 % 32, p % 32);
            }
        }
        return out;
    }

    /** data_batch_k.bin holds k records (15 in all), test_batch.bin 2 (numbered 100, 101). */
    static void writeCifar(Path batches) throws IOException {
        Files.createDirectories(batches);
        for (int k = 1, first = 0; k <= 5; first += k, k++) {
            Files.write(batches.resolve("data_batch_" + k + ".bin"), cifarRecords(first, k));
        }
        Files.write(batches.resolve("test_batch.bin"), cifarRecords(100, 2));
    }

    static float[] images(ImageSet set, int... indices) {
        try (NDManager manager = NDManager.newBaseManager()) {
            return set.batch(manager, indices, null).get(0).toFloatArray();
        }
    }

    static int[] labels(ImageSet set) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList batch = set.batch(manager, IntStream.range(0, set.size()).toArray(), null);
            return batch.get(1).toIntArray();
        }
    }

    static float mnistNormal(int pixel) {
        return (pixel / 255f - 0.1307f) / 0.3081f;
    }

    /** Runs {@code body} with a system property set, restoring the old value after. */
    static <T> T withProperty(String key, String value, Supplier<T> body) {
        String old = System.getProperty(key);
        System.setProperty(key, value);
        try {
            return body.get();
        } finally {
            if (old == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, old);
            }
        }
    }

    @Test
    void mnistReadsGzippedAndPlainFilesAndNormalises() throws IOException {
        writeMnist(dir);
        Data data = Datasets.mnist(dir);
        assertEquals(3, data.train().size());
        assertEquals(1, data.test().size());
        assertEquals(new Shape(1, 2, 2), data.train().imageShape());
        assertEquals(10, data.train().classes());
        assertEquals(Augmentation.NONE, data.train().augmentation());
        assertEquals(Augmentation.NONE, data.test().augmentation());
        assertArrayEquals(new int[] {7, 0, 9}, labels(data.train()));
        assertArrayEquals(new int[] {4}, labels(data.test()));

        float[] x = images(data.train(), 2, 0);
        float[] expected = new float[8];
        for (int i = 0; i < 4; i++) {
            expected[i] = mnistNormal(TRAIN_PIXELS[8 + i] & 0xff);
            expected[4 + i] = mnistNormal(TRAIN_PIXELS[i] & 0xff);
        }
        assertArrayEquals(expected, x, 1e-6f);
        assertEquals(-0.4242, x[4], 1e-4); // black: -mean / std
        assertEquals(2.8215, x[5], 1e-4); // white: (1 - mean) / std
        assertArrayEquals(
                new float[] {mnistNormal(5), mnistNormal(6), mnistNormal(7), mnistNormal(8)},
                images(data.test(), 0),
                1e-6f);
    }

    @Test
    void limitKeepsTheFirstExamples() throws IOException {
        writeMnist(dir);
        Data data = Datasets.mnist(dir);
        Data small = data.limit(2, 5);
        assertArrayEquals(new int[] {7, 0}, labels(small.train()));
        assertSame(data.test(), small.test()); // asking for more than there is keeps all
        assertArrayEquals(images(data.train(), 0, 1), images(small.train(), 0, 1));
    }

    @Test
    void missingFashionMnistNamesThePathAndTheInstallCommand() throws IOException {
        Path absent = dir.resolve("absent");
        String noDir =
                assertThrows(MissingDataException.class, () -> Datasets.fashionMnist(absent))
                        .getMessage();
        assertTrue(noDir.startsWith(absent + " not found"), noDir);
        assertTrue(noDir.contains("sudo apt-get install dataset-fashion-mnist"), noDir);

        writeMnist(dir);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
        MissingDataException e =
                assertThrows(MissingDataException.class, () -> Datasets.fashionMnist(dir));
        assertEquals(dir.resolve("t10k-labels-idx1-ubyte.gz"), e.path());
        assertTrue(
                e.getMessage().contains("sudo apt-get install dataset-fashion-mnist"),
                e.getMessage());
    }

    @Test
    void fashionMnistDefaultFollowsTheSystemProperty() throws IOException {
        writeMnist(dir);
        Data data = withProperty("edgepopup.fashionMnist", dir.toString(), Datasets::fashionMnist);
        assertArrayEquals(new int[] {7, 0, 9}, labels(data.train()));
        assertEquals("fashion-mnist/train", data.train().name());
    }

    @Test
    void imageAndLabelCountsMustAgree() throws IOException {
        writeMnist(dir);
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
        Files.write(labels, idx(Idx.LABELS_MAGIC, new int[] {2}, new byte[] {1, 2}));
        CorruptDataException e =
                assertThrows(CorruptDataException.class, () -> Datasets.mnist(dir));
        assertEquals(labels, e.file());
        assertTrue(e.getMessage().contains("2 labels, but"), e.getMessage());
    }

    @Test
    void cifar10ReadsTheBatchesOrTheirParentAndNormalisesPerChannel() throws IOException {
        Path batches = dir.resolve("cifar-10-batches-bin");
        writeCifar(batches);
        for (Path given : new Path[] {batches, dir}) {
            Data data = Datasets.cifar10(given);
            assertEquals(15, data.train().size());
            assertEquals(2, data.test().size());
            assertEquals(new Shape(3, 32, 32), data.train().imageShape());
            assertEquals(Augmentation.CROP_FLIP, data.train().augmentation());
            assertEquals(Augmentation.NONE, data.test().augmentation());
            assertArrayEquals(
                    IntStream.range(0, 15).map(n -> n % 10).toArray(), labels(data.train()));
            assertArrayEquals(new int[] {0, 1}, labels(data.test()));

            // Record 12 is the third of data_batch_5 (records 10..14): files are read in order.
            float[] x = images(data.train(), 12);
            float[] y = images(data.test(), 1);
            for (int c = 0; c < 3; c++) {
                for (int[] rc : new int[][] {{0, 0}, {5, 31}, {31, 7}}) {
                    int at = c * 1024 + rc[0] * 32 + rc[1];
                    assertEquals(
                            (cifarPixel(12, c, rc[0], rc[1]) / 255f - CIFAR_MEAN[c]) / CIFAR_STD[c],
                            x[at],
                            1e-5f);
                    assertEquals(
                            (cifarPixel(101, c, rc[0], rc[1]) / 255f - CIFAR_MEAN[c])
                                    / CIFAR_STD[c],
                            y[at],
                            1e-5f);
                }
            }
        }
    }

    @Test
    void cifarFileWithAnIncompleteRecordNamesFileAndOffset() throws IOException {
        writeCifar(dir);
        Path third = dir.resolve("data_batch_3.bin");
        byte[] cut = Arrays.copyOf(Files.readAllBytes(third), 2 * 3073 + 100);
        Files.write(third, cut);
        CorruptDataException e =
                assertThrows(CorruptDataException.class, () -> Datasets.cifar10(dir));
        assertEquals(third, e.file());
        assertEquals(2 * 3073, e.offset());
        assertTrue(
                e.getMessage().startsWith(third + " at byte 6146: incomplete record"),
                e.getMessage());
    }

    @Test
    void cifarLabelAboveNineNamesFileAndOffset() throws IOException {
        writeCifar(dir);
        Path test = dir.resolve("test_batch.bin");
        byte[] bytes = Files.readAllBytes(test);
        bytes[3073] = 10;
        Files.write(test, bytes);
        CorruptDataException e =
                assertThrows(CorruptDataException.class, () -> Datasets.cifar10(dir));
        assertEquals(test, e.file());
        assertEquals(3073, e.offset());
        assertTrue(e.getMessage().contains("label 10"), e.getMessage());
    }

    @Test
    void missingCifarSaysHowToGetIt() throws IOException {
        Path absent = dir.resolve("cifar-10-batches-bin");
        MissingDataException e =
                assertThrows(MissingDataException.class, () -> Datasets.cifar10(absent));
        assertEquals(absent, e.path());
        // The downloader is pointed at the parent, where it unpacks cifar-10-batches-bin/.
        assertTrue(
                e.getMessage().contains("dev.edgepopup.data.Cifar10Download " + dir + " "),
                e.getMessage());
        assertTrue(
                e.getMessage().contains("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"),
                e.getMessage());

        writeCifar(absent);
        Files.delete(absent.resolve("data_batch_4.bin"));
        assertEquals(
                absent.resolve("data_batch_4.bin"),
                assertThrows(MissingDataException.class, () -> Datasets.cifar10(dir)).path());
    }

    @Test
    void cifar10DefaultAndPresenceFollowTheSystemProperty() throws IOException {
        String where = dir.toString();
        assertFalse(withProperty("edgepopup.cifar10", where, Datasets::cifar10Present));
        writeCifar(dir.resolve("cifar-10-batches-bin"));
        assertTrue(withProperty("edgepopup.cifar10", where, Datasets::cifar10Present));
        assertEquals(
                15, withProperty("edgepopup.cifar10", where, Datasets::cifar10).train().size());
    }

    @Test
    void readsDebiansFashionMnist() {
        Path debian = Datasets.FASHION_MNIST_DEBIAN;
        Assumptions.assumeTrue(
                Files.isDirectory(debian),
                debian + " absent: apt-get install dataset-fashion-mnist");
        Data data = Datasets.fashionMnist(debian);
        assertEquals(60000, data.train().size());
        assertEquals(10000, data.test().size());
        assertEquals(new Shape(1, 28, 28), data.train().imageShape());
        assertEquals(new Shape(1, 28, 28), data.test().imageShape());
        int[] firstTrain = IntStream.range(0, 5).map(data.train()::label).toArray();
        int[] firstTest = IntStream.range(0, 5).map(data.test()::label).toArray();
        assertArrayEquals(new int[] {9, 0, 0, 3, 0}, firstTrain);
        assertArrayEquals(new int[] {9, 2, 1, 1, 6}, firstTest);
        // Row 14, column 12 of the first images, as read with Python's gzip module.
        assertEquals(mnistNormal(237), images(data.train(), 0)[14 * 28 + 12], 1e-6f);
        assertEquals(mnistNormal(98), images(data.test(), 0)[14 * 28 + 12], 1e-6f);
    }
}
