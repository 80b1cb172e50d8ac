package dev.edgepopup.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.edgepopup.data.ImageSet.Augmentation;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImageSetTest {
    static final int SIDE = 6;

    /** One 2x6x6 image: channel 0 holds 1..36 row by row, channel 1 the same plus 100. */
    static ImageSet numbered(Augmentation augmentation) {
        byte[] pixels = new byte[2 * SIDE * SIDE];
        for (int i = 0; i < SIDE * SIDE; i++) {
            pixels[i] = (byte) (i + 1);
            pixels[SIDE * SIDE + i] = (byte) (i + 101);
        }
        // mean 0, std 1: the batch holds pixel / 255, so pixels can be read back exactly.
        return new ImageSet(
                "numbered",
                2,
                SIDE,
                SIDE,
                pixels,
                new int[] {0},
                1,
                new float[2],
                new float[] {1, 1},
                augmentation);
    }

    /** The image of a one-example batch as integer pixel values [c][r][col]. */
    static int[][][] image(ImageSet set, SplittableRandom random) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList batch = set.batch(manager, new int[] {0}, random);
            Shape shape = batch.get(0).getShape();
            float[] x = batch.get(0).toFloatArray();
            int c = (int) shape.get(1);
            int[][][] out = new int[c][SIDE][SIDE];
            for (int i = 0; i < x.length; i++) {
                out[i / (SIDE * SIDE)][i / SIDE % SIDE][i % SIDE] = Math.round(x[i] * 255);
            }
            return out;
        }
    }

    /**
     * Reference augmentation: zero-pad by 4, take the 6x6 window at (4 + dy, 4 + dx), mirror it.
     */
    static int[][][] padCropFlip(int[][][] image, int dy, int dx, boolean flip) {
        int[][][] out = new int[image.length][SIDE][SIDE];
        for (int c = 0; c < image.length; c++) {
            int[][] padded = new int[SIDE + 8][SIDE + 8];
            for (int r = 0; r < SIDE; r++) {
                System.arraycopy(image[c][r], 0, padded[r + 4], 4, SIDE);
            }
            for (int r = 0; r < SIDE; r++) {
                for (int col = 0; col < SIDE; col++) {
                    int window = padded[4 + dy + r][4 + dx + col];
                    out[c][r][flip ? SIDE - 1 - col : col] = window;
                }
            }
        }
        return out;
    }

    @Test
    void withoutRandomSourceOrAugmentationTheImageIsUnchanged() {
        int[][][] plain = image(numbered(Augmentation.NONE), null);
        assertEquals(1, plain[0][0][0]);
        assertEquals(136, plain[1][5][5]);
        assertArrayEquals(plain, image(numbered(Augmentation.CROP_FLIP), null));
        assertArrayEquals(plain, image(numbered(Augmentation.NONE), new SplittableRandom(0)));
    }

    @Test
    void cropFlipMatchesPadCropMirrorAndIsDeterministic() {
        ImageSet set = numbered(Augmentation.CROP_FLIP);
        int[][][] plain = image(set, null);
        boolean flipped = false;
        boolean shifted = false;
        for (long seed = 0; seed < 40; seed++) {
            // The draws batch makes per image: row shift, column shift, flip.
            SplittableRandom draws = new SplittableRandom(seed);
            int dy = draws.nextInt(9) - 4;
            int dx = draws.nextInt(9) - 4;
            boolean flip = draws.nextBoolean();
            flipped |= flip;
            shifted |= dy != 0 && dx != 0;
            int[][][] got = image(set, new SplittableRandom(seed));
            assertArrayEquals(padCropFlip(plain, dy, dx, flip), got, "seed " + seed);
            assertArrayEquals(got, image(set, new SplittableRandom(seed)), "seed " + seed);
        }
        assertTrue(flipped && shifted);
    }

    @Test
    void aSinglePixelMovesWhereTheDrawsSay() {
        byte[] pixels = new byte[SIDE * SIDE];
        pixels[SIDE + 5] = (byte) 200; // row 1, column 5
        ImageSet set =
                new ImageSet(
                        "dot",
                        1,
                        SIDE,
                        SIDE,
                        pixels,
                        new int[] {0},
                        1,
                        new float[1],
                        new float[] {1},
                        Augmentation.CROP_FLIP);
        // Seed 10 draws dy = -3, dx = +3 and a flip: the content moves down 3 rows and left 3
        // columns (column 5 -> 2), then the mirror takes column 2 to column 3.
        int[][] got = image(set, new SplittableRandom(10))[0];
        int[][] expected = new int[SIDE][SIDE];
        expected[4][3] = 200;
        assertArrayEquals(expected, got);
    }

    @Test
    void randomSetsAreSeededAndNormalisedAsSaid() {
        ImageSet a = ImageSet.random(new Shape(3, 4, 5), 7, 4, 9);
        assertEquals(new Shape(3, 4, 5), a.imageShape());
        assertEquals(7, a.size());
        assertEquals(4, a.classes());
        int[] all = {0, 1, 2, 3, 4, 5, 6};
        HostBatch x = a.prefetch(all, null).join();
        HostBatch y = ImageSet.random(new Shape(3, 4, 5), 7, 4, 9).prefetch(all, null).join();
        assertArrayEquals(x.images(), y.images(), "same seed, same pixels");
        assertArrayEquals(x.labels(), y.labels());
        for (float v : x.images()) {
            // (p / 255 - 0.5) / 0.25 for a byte p
            assertTrue(v >= -2f && v <= 2f, "normalised value " + v);
        }
        HostBatch z = ImageSet.random(new Shape(3, 4, 5), 7, 4, 10).prefetch(all, null).join();
        assertTrue(!java.util.Arrays.equals(x.images(), z.images()), "another seed, other pixels");
    }
}
