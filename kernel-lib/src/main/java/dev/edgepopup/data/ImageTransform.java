package dev.edgepopup.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.util.SplittableRandom;

/**
 * ImageNet's transforms as torchvision applies them to PIL images: for training a random resized
 * crop (area scale (0.08, 1), aspect ratio (3/4, 4/3)) and a horizontal flip with probability 1/2;
 * for evaluation the shorter side resized to {@code resize}, then the central {@code crop} square.
 * Images are resampled with PIL's antialiased bilinear filter, in floating point where PIL rounds
 * to 8 bits after each pass, and normalised with ImageNet's per-channel mean and standard deviation
 * ({@link ImageFolder#IMAGENET_MEAN}, {@link ImageFolder#IMAGENET_STD}).
 */
final class ImageTransform {
    private static final double MIN_SCALE = 0.08;
    private static final double LOG_MIN_RATIO = Math.log(3.0 / 4);
    private static final double LOG_MAX_RATIO = Math.log(4.0 / 3);

    private final int crop;
    private final int resize;

    /**
     * @param crop the side of the square a network sees
     * @param resize the shorter side before the evaluation transform's center crop
     */
    ImageTransform(int crop, int resize) {
        this.crop = crop;
        this.resize = resize;
    }

    /**
     * Transforms one image and writes it, normalised and NCHW, at {@code offset} of {@code out}.
     *
     * @param img the decoded image
     * @param rng the training transform's random source, or null for the evaluation transform
     * @param out where the 3 x crop x crop values go
     * @param offset the first of them
     */
    void apply(BufferedImage img, SplittableRandom rng, float[] out, int offset) {
        int w = img.getWidth();
        int h = img.getHeight();
        double x0;
        double y0;
        double x1;
        double y1;
        boolean flip = false;
        if (rng != null) {
            int[] box = cropBox(w, h, rng);
            x0 = box[0];
            y0 = box[1];
            x1 = box[0] + box[2];
            y1 = box[1] + box[3];
            flip = rng.nextBoolean();
        } else {
            // torchvision: Resize(256) gives the longer side int(256 * long / short), then
            // CenterCrop(224) starts at round((side - 224) / 2) (Python rounds half to even).
            int rw = w <= h ? resize : (int) ((long) resize * w / h);
            int rh = w <= h ? (int) ((long) resize * h / w) : resize;
            double sx = (double) w / rw;
            double sy = (double) h / rh;
            x0 = Math.rint((rw - crop) / 2.0) * sx;
            y0 = Math.rint((rh - crop) / 2.0) * sy;
            x1 = x0 + crop * sx;
            y1 = y0 + crop * sy;
        }
        Taps tx = taps(w, x0, x1, crop);
        Taps ty = taps(h, y0, y1, crop);
        // Only the pixels the filter reads are converted: a random crop is often a small part
        // of the image, and a few ImageNet photos have tens of megapixels.
        int left = tx.first()[0];
        int top = ty.first()[0];
        int width = tx.first()[crop - 1] + tx.count()[crop - 1] - left;
        int height = ty.first()[crop - 1] + ty.count()[crop - 1] - top;
        resample(
                rgb(img, left, top, width, height),
                width,
                height,
                tx.shift(left),
                ty.shift(top),
                flip,
                out,
                offset);
    }

    /**
     * A random resized crop's box as torchvision draws it: ten tries at an area fraction in [0.08,
     * 1) and a log-uniform aspect ratio in [3/4, 4/3) that fit the image, else the central crop
     * with the ratio clamped to that range.
     *
     * @param w the image's width
     * @param h the image's height
     * @param rng the random source
     * @return {x, y, width, height}
     */
    static int[] cropBox(int w, int h, SplittableRandom rng) {
        double area = (double) w * h;
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (MIN_SCALE + (1 - MIN_SCALE) * rng.nextDouble());
            double ratio =
                    Math.exp(LOG_MIN_RATIO + (LOG_MAX_RATIO - LOG_MIN_RATIO) * rng.nextDouble());
            int cw = (int) Math.round(Math.sqrt(target * ratio));
            int ch = (int) Math.round(Math.sqrt(target / ratio));
            if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
                return new int[] {rng.nextInt(w - cw + 1), rng.nextInt(h - ch + 1), cw, ch};
            }
        }
        double inRatio = (double) w / h;
        int cw = w;
        int ch = h;
        if (inRatio < 3.0 / 4) {
            ch = (int) Math.round(w / (3.0 / 4));
        } else if (inRatio > 4.0 / 3) {
            cw = (int) Math.round(h * (4.0 / 3));
        }
        return new int[] {(w - cw) / 2, (h - ch) / 2, cw, ch};
    }

    /**
     * A rectangle of the image as three planes of 0-255 values (R, G, B). 8-bit gray and RGB
     * rasters are read as stored, as PIL's {@code convert("RGB")} does; Java's {@code getRGB}, used
     * for everything else (palettes, 16-bit), would brighten gray images by treating them as
     * linear.
     */
    private static float[] rgb(BufferedImage img, int x, int y, int w, int h) {
        int n = w * h;
        float[] p = new float[3 * n];
        Raster r = img.getRaster();
        int bands = r.getNumBands();
        int space = img.getColorModel().getColorSpace().getType();
        boolean stored =
                img.getColorModel() instanceof ComponentColorModel
                        && r.getTransferType() == DataBuffer.TYPE_BYTE
                        && (space == ColorSpace.TYPE_RGB && bands >= 3
                                || space == ColorSpace.TYPE_GRAY && bands <= 2);
        if (stored) {
            int[] s = r.getPixels(x, y, w, h, (int[]) null);
            boolean gray = space == ColorSpace.TYPE_GRAY;
            for (int i = 0; i < n; i++) {
                int at = i * bands; // alpha, when present, is the last band and ignored
                p[i] = s[at];
                p[n + i] = s[gray ? at : at + 1];
                p[2 * n + i] = s[gray ? at : at + 2];
            }
        } else {
            int[] argb = img.getRGB(x, y, w, h, null, 0, w);
            for (int i = 0; i < n; i++) {
                p[i] = (argb[i] >> 16) & 0xff;
                p[n + i] = (argb[i] >> 8) & 0xff;
                p[2 * n + i] = argb[i] & 0xff;
            }
        }
        return p;
    }

    /** One axis of a resampling: for each output pixel, its first input pixel and weights. */
    private record Taps(int[] first, int[] count, float[] weights, int stride) {
        /** The same taps with input pixels counted from {@code origin}. */
        Taps shift(int origin) {
            int[] f = first.clone();
            for (int i = 0; i < f.length; i++) {
                f[i] -= origin;
            }
            return new Taps(f, count, weights, stride);
        }
    }

    /**
     * PIL's antialiased bilinear coefficients for the input span [in0, in1) mapped onto {@code
     * outSize} pixels: a triangle filter widened by the scale when shrinking.
     */
    private static Taps taps(int inSize, double in0, double in1, int outSize) {
        double scale = (in1 - in0) / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale;
        int stride = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        float[] weights = new float[outSize * stride];
        for (int o = 0; o < outSize; o++) {
            double center = in0 + (o + 0.5) * scale;
            int lo = Math.max((int) (center - support + 0.5), 0);
            int hi = Math.min((int) (center + support + 0.5), inSize);
            double total = 0;
            double[] k = new double[hi - lo];
            for (int x = lo; x < hi; x++) {
                double t = Math.abs((x - center + 0.5) / filterScale);
                k[x - lo] = t < 1 ? 1 - t : 0;
                total += k[x - lo];
            }
            first[o] = lo;
            count[o] = hi - lo;
            for (int x = 0; x < k.length; x++) {
                weights[o * stride + x] = (float) (total == 0 ? 0 : k[x] / total);
            }
        }
        return new Taps(first, count, weights, stride);
    }

    /**
     * Resamples a planar RGB image to crop x crop through the taps of each axis, flips it when
     * asked, normalises it and writes it NCHW at {@code offset}.
     */
    private void resample(
            float[] src, int w, int h, Taps tx, Taps ty, boolean flip, float[] out, int offset) {
        float[] rows = new float[h * crop];
        for (int c = 0; c < 3; c++) {
            int plane = c * w * h;
            for (int y = 0; y < h; y++) { // horizontal pass
                int line = plane + y * w;
                for (int o = 0; o < crop; o++) {
                    int base = o * tx.stride();
                    int f = tx.first()[o];
                    float sum = 0;
                    for (int t = 0; t < tx.count()[o]; t++) {
                        sum += src[line + f + t] * tx.weights()[base + t];
                    }
                    rows[y * crop + o] = sum;
                }
            }
            float scale = 1f / (255f * ImageFolder.IMAGENET_STD[c]);
            float shift = ImageFolder.IMAGENET_MEAN[c] / ImageFolder.IMAGENET_STD[c];
            int dst = offset + c * crop * crop;
            for (int o = 0; o < crop; o++) {
                int base = o * ty.stride();
                int f = ty.first()[o];
                for (int col = 0; col < crop; col++) {
                    float sum = 0;
                    for (int t = 0; t < ty.count()[o]; t++) {
                        sum += rows[(f + t) * crop + col] * ty.weights()[base + t];
                    }
                    int at = flip ? crop - 1 - col : col;
                    out[dst + o * crop + at] = sum * scale - shift;
                }
            }
        }
    }
}
