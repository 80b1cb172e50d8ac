package dev.edgepopup.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.data.ImageSet.Augmentation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An image set written as PNG files reads back through {@link ImageFolder} unchanged. */
class ImageFolderExportTest {
    private static ImageSet random(String name, int channels, int n, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] pixels = new byte[n * channels * 7 * 5];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) r.nextInt(256);
        }
        // Every class has an image (ImageFolder refuses an empty class folder), in mixed order.
        int[] labels = IntStream.range(0, n).map(i -> (i * 7 + 3) % classes).toArray();
        float[] mean = new float[channels];
        float[] std = new float[channels];
        java.util.Arrays.fill(std, 1f);
        return new ImageSet(
                name, channels, 7, 5, pixels, labels, classes, mean, std, Augmentation.NONE);
    }

    /**
     * The evaluation transform with crop and resize equal to the shorter side of a square image is
     * the identity, so a batch gives back the pixels up to ImageNet's normalisation.
     */
    private static void assertReadsBack(ImageSet set, Path dir) throws IOException {
        int channels = (int) set.imageShape().get(0);
        int h = (int) set.imageShape().get(1);
        int w = (int) set.imageShape().get(2);
        HostBatch original =
                HostBatch.await(set.prefetch(IntStream.range(0, set.size()).toArray(), null));
        try (ImageFolder f = ImageFolder.open(dir, 5, 5, 2)) {
            assertEquals(set.size(), f.size());
            assertEquals(set.classes(), f.classes());
            // Files sort by class, then by index: find each image by its file name.
            int[] order = new int[set.size()];
            for (int j = 0; j < f.size(); j++) {
                String file = f.file(j).getFileName().toString();
                int i = Integer.parseInt(file.substring(0, file.indexOf('.')));
                order[j] = i;
                assertEquals(set.label(i), f.label(j), "label of image " + i);
                assertEquals(set.label(i), Integer.parseInt(f.classNames().get(f.label(j))));
            }
            HostBatch read =
                    HostBatch.await(f.prefetch(IntStream.range(0, f.size()).toArray(), null));
            // The folder's images are the 5x5 center crop of the 7x5 originals (rows 1 to 5).
            for (int j = 0; j < f.size(); j++) {
                int i = order[j];
                for (int c = 0; c < 3; c++) {
                    int sc = channels == 1 ? 0 : c;
                    for (int y = 0; y < 5; y++) {
                        for (int x = 0; x < 5; x++) {
                            float v = read.images()[((j * 3 + c) * 5 + y) * 5 + x];
                            float level =
                                    (v * ImageFolder.IMAGENET_STD[c] + ImageFolder.IMAGENET_MEAN[c])
                                            * 255f;
                            // The set's mean 0 and std 1 give pixel / 255.
                            float expected =
                                    255f
                                            * original.images()[
                                                    ((i * channels + sc) * h + y + 1) * w + x];
                            assertEquals(
                                    expected,
                                    level,
                                    1e-3,
                                    "image " + i + " channel " + c + " at " + x + "," + (y + 1));
                        }
                    }
                }
            }
        }
    }

    @Test
    void grayImagesReadBackWithTheirPixelsAndLabels(@TempDir Path tmp) throws IOException {
        ImageSet set = random("gray", 1, 23, 12, 1);
        Path dir = set.writeImageFolder(tmp.resolve("out"));
        // 12 classes: two-digit folder names, so that sorting keeps label order (10 after 09).
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(
                    IntStream.range(0, 12).mapToObj(c -> String.format("%02d", c)).toList(),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertReadsBack(set, dir);
    }

    @Test
    void colourImagesReadBackWithTheirPixelsAndLabels(@TempDir Path tmp) throws IOException {
        ImageSet set = random("rgb", 3, 9, 3, 2);
        assertReadsBack(set, set.writeImageFolder(tmp.resolve("out")));
    }

    @Test
    void aTrainTestPairBecomesTrainAndValFolders(@TempDir Path tmp) throws IOException {
        Datasets.Data data = new Datasets.Data(random("a", 1, 10, 4, 3), random("b", 1, 6, 4, 4));
        Path root = data.writeImageFolders(tmp.resolve("folders"));
        try (Datasets.Folders f = Datasets.imageFolders(root, 5, 5)) {
            assertEquals(10, f.train().size());
            assertEquals(6, f.val().size());
            assertEquals(List.of("0", "1", "2", "3"), f.val().classNames());
        }
        // Nothing is left beside it, and a second write refuses to overwrite it.
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(root), s.toList());
        }
        assertThrows(IOException.class, () -> data.writeImageFolders(root));
    }

    @Test
    void otherChannelCountsAreRefused(@TempDir Path tmp) {
        ImageSet two =
                new ImageSet(
                        "two",
                        2,
                        1,
                        1,
                        new byte[2],
                        new int[] {0},
                        1,
                        new float[2],
                        new float[] {1, 1},
                        Augmentation.NONE);
        assertThrows(IllegalArgumentException.class, () -> two.writeImageFolder(tmp));
        assertFalse(Files.exists(tmp.resolve("0")));
        assertTrue(Files.isDirectory(tmp));
    }
}
