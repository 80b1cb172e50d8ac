package dev.edgepopup.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImageTransformTest {
    @Test
    void evaluationResizesTheShorterSideAndCropsTheCenter() {
        // 40x30 with resize 30 keeps the scale at 1: the result is exactly the central 20x20,
        // columns 10..29 and rows 5..24 (torchvision: round((40 - 20) / 2), round((30 - 20) / 2)).
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, (x * 5) << 16 | (y * 7) << 8 | 9);
            }
        }
        ImageTransform t = new ImageTransform(20, 30);
        float[] v = new float[1200];
        t.apply(img, null, v, 0);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 20; x++) {
                float red = ((x + 10) * 5 / 255f - 0.485f) / 0.229f;
                float green = ((y + 5) * 7 / 255f - 0.456f) / 0.224f;
                assertEquals(red, v[y * 20 + x], 1e-4);
                assertEquals(green, v[400 + y * 20 + x], 1e-4);
            }
        }
        // The training transform flips about half the time: the red ramp then falls.
        SplittableRandom r = new SplittableRandom(3);
        int flipped = 0;
        for (int i = 0; i < 16; i++) {
            t.apply(img, new SplittableRandom(r.nextLong()), v, 0);
            flipped += v[19] < v[0] ? 1 : 0;
        }
        assertTrue(flipped > 2 && flipped < 14, flipped + " of 16 flipped");
    }

    @Test
    void shrinkingAveragesLikePilsAntialiasedBilinearFilter() {
        // Every third column red 200, shrunk threefold: the filter spans six input columns and
        // gives 200/3 everywhere inside; sampling without antialiasing would give 0.
        BufferedImage img = new BufferedImage(60, 60, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 60; y++) {
            for (int x = 0; x < 60; x++) {
                img.setRGB(x, y, x % 3 == 2 ? 200 << 16 : 0);
            }
        }
        float[] v = new float[1200];
        new ImageTransform(20, 20).apply(img, null, v, 0);
        float expected = (200 / 3f / 255f - 0.485f) / 0.229f;
        for (int x = 1; x < 19; x++) {
            assertEquals(expected, v[10 * 20 + x], 1e-4, "column " + x);
        }
    }

    @Test
    void grayImagesAreReadAsStoredNotAsLinearLight() {
        // PIL's convert("RGB") copies an 8-bit gray level to R, G and B; Java's getRGB would
        // brighten 100 to about 168.
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.getRaster().setSample(x, y, 0, 100);
            }
        }
        float[] v = new float[3 * 64];
        new ImageTransform(8, 8).apply(img, null, v, 0);
        for (int c = 0; c < 3; c++) {
            float expected =
                    (100 / 255f - ImageFolder.IMAGENET_MEAN[c]) / ImageFolder.IMAGENET_STD[c];
            assertEquals(expected, v[c * 64 + 27], 1e-4, "channel " + c);
        }
    }

    @Test
    void randomResizedCropsStayInsideTheImageWithinScaleAndRatio() {
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < 2000; i++) {
            int[] b = ImageTransform.cropBox(400, 300, r);
            assertTrue(b[0] >= 0 && b[1] >= 0 && b[0] + b[2] <= 400 && b[1] + b[3] <= 300);
            double scale = (double) b[2] * b[3] / (400 * 300);
            double ratio = (double) b[2] / b[3];
            assertTrue(scale > 0.075 && scale <= 1, "scale " + scale);
            assertTrue(ratio > 0.74 && ratio < 1.35, "ratio " + ratio);
        }
        // Too wide for any try: the central crop with the ratio clamped to 4/3, round(10 * 4/3)
        // wide at (1000 - 13) / 2.
        assertArrayEquals(new int[] {493, 0, 13, 10}, ImageTransform.cropBox(1000, 10, r));
    }
}
