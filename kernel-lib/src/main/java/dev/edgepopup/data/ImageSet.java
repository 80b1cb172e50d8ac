package dev.edgepopup.data;

import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import javax.imageio.ImageIO;

/**
 * An in-memory labelled image set: 8-bit pixels in NCHW order, integer labels, the per-channel
 * normalisation to apply and the training augmentation. Batches are made on a caller's manager, so
 * every per-batch array lives and dies with that manager.
 */
public final class ImageSet implements ImageSource {
    /** Training augmentation applied by {@link #batch} when asked. */
    public enum Augmentation {
        /** None. */
        NONE,
        /** Random crop with 4 pixels of zero padding, then a random horizontal flip (CIFAR-10). */
        CROP_FLIP
    }

    private final String name;
    private final int channels;
    private final int height;
    private final int width;
    private final byte[] pixels;
    private final int[] labels;
    private final int classes;
    private final float[] mean;
    private final float[] std;
    private final Augmentation augmentation;

    /**
     * Creates an image set.
     *
     * @param name a name for tables and error messages, e.g. "fashion-mnist/train"
     * @param channels channels per image
     * @param height image height
     * @param width image width
     * @param pixels {@code n * channels * height * width} bytes (unsigned), NCHW
     * @param labels {@code n} labels in {@code [0, classes)}
     * @param classes number of classes
     * @param mean per-channel mean of the [0, 1] pixel values
     * @param std per-channel standard deviation of the [0, 1] pixel values
     * @param augmentation what {@link #batch} does in training mode
     */
    public ImageSet(
            String name,
            int channels,
            int height,
            int width,
            byte[] pixels,
            int[] labels,
            int classes,
            float[] mean,
            float[] std,
            Augmentation augmentation) {
        this.name = Objects.requireNonNull(name);
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.pixels = pixels;
        this.labels = labels;
        this.classes = classes;
        this.mean = mean.clone();
        this.std = std.clone();
        this.augmentation = augmentation;
        if ((long) labels.length * imageSize() != pixels.length) {
            throw new IllegalArgumentException(
                    name
                            + ": "
                            + pixels.length
                            + " pixel bytes do not hold "
                            + labels.length
                            + " images of "
                            + channels
                            + "x"
                            + height
                            + "x"
                            + width);
        }
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException(name + ": mean and std need one value per channel");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(
                        name
                                + ": label "
                                + labels[i]
                                + " of example "
                                + i
                                + " is outside [0, "
                                + classes
                                + ")");
            }
        }
    }

    /**
     * Images of uniformly random pixels with uniformly random labels (normalised with mean 0.5 and
     * standard deviation 0.25, no augmentation): data for benchmarks and tests where only shapes
     * and arithmetic matter.
     *
     * @param imageShape (C, H, W)
     * @param n how many images
     * @param classes labels are drawn from [0, classes)
     * @param seed the seed of pixels and labels
     * @return the set, named "random"
     */
    public static ImageSet random(Shape imageShape, int n, int classes, long seed) {
        int c = Math.toIntExact(imageShape.get(0));
        int h = Math.toIntExact(imageShape.get(1));
        int w = Math.toIntExact(imageShape.get(2));
        byte[] px = new byte[n * c * h * w];
        int[] labels = new int[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) r.nextInt(256);
        }
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(classes);
        }
        float[] mean = new float[c];
        float[] std = new float[c];
        Arrays.fill(mean, 0.5f);
        Arrays.fill(std, 0.25f);
        return new ImageSet("random", c, h, w, px, labels, classes, mean, std, Augmentation.NONE);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public Shape imageShape() {
        return new Shape(channels, height, width);
    }

    /**
     * @return the augmentation applied to training batches
     */
    public Augmentation augmentation() {
        return augmentation;
    }

    @Override
    public int label(int i) {
        return labels[i];
    }

    private int imageSize() {
        return channels * height * width;
    }

    /**
     * The first {@code n} examples (all of them when {@code n} is at least {@link #size()}): the
     * knob for quick runs.
     *
     * @param n how many examples to keep, at least 1
     * @return a view sharing nothing mutable with this set
     */
    public ImageSet limit(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + n);
        }
        if (n >= size()) {
            return this;
        }
        return new ImageSet(
                name + "[:" + n + "]",
                channels,
                height,
                width,
                Arrays.copyOf(pixels, n * imageSize()),
                Arrays.copyOf(labels, n),
                classes,
                mean,
                std,
                augmentation);
    }

    /**
     * The same images without augmentation (for evaluating on training data).
     *
     * @return this set with {@link Augmentation#NONE}
     */
    public ImageSet withoutAugmentation() {
        return augmentation == Augmentation.NONE
                ? this
                : new ImageSet(
                        name,
                        channels,
                        height,
                        width,
                        pixels,
                        labels,
                        classes,
                        mean,
                        std,
                        Augmentation.NONE);
    }

    /**
     * Prepares a batch on the calling thread (the pixels are in memory; there is nothing to
     * overlap): normalised images with the CIFAR-10 crop and flip when {@code augment} is given and
     * this set has that augmentation.
     */
    @Override
    public CompletableFuture<HostBatch> prefetch(int[] indices, SplittableRandom augment) {
        int size = imageSize();
        int plane = height * width;
        float[] out = new float[indices.length * size];
        int[] y = new int[indices.length];
        boolean crop = augment != null && augmentation == Augmentation.CROP_FLIP;
        for (int b = 0; b < indices.length; b++) {
            int ex = indices[b];
            y[b] = labels[ex];
            int src = ex * size;
            int dst = b * size;
            int dy = 0;
            int dx = 0;
            boolean flip = false;
            if (crop) {
                dy = augment.nextInt(9) - 4;
                dx = augment.nextInt(9) - 4;
                flip = augment.nextBoolean();
            }
            for (int c = 0; c < channels; c++) {
                float scale = 1f / (255f * std[c]);
                float shift = mean[c] / std[c];
                for (int r = 0; r < height; r++) {
                    int sr = r + dy;
                    for (int col = 0; col < width; col++) {
                        int sc = (flip ? width - 1 - col : col) + dx;
                        int v =
                                sr < 0 || sr >= height || sc < 0 || sc >= width
                                        ? 0
                                        : pixels[src + c * plane + sr * width + sc] & 0xff;
                        out[dst + c * plane + r * width + col] = v * scale - shift;
                    }
                }
            }
        }
        return CompletableFuture.completedFuture(
                new HostBatch(out, y, new Shape(indices.length, channels, height, width)));
    }

    /**
     * Writes the images as PNG files in an image folder, the layout {@link ImageFolder} reads:
     * {@code dir/CLASS/INDEX.png}, one sub-folder per class named by the label with leading zeros
     * (so that sorting the names gives back the labels) and files named by the image's index.
     * One-channel images become 8-bit gray PNGs, three-channel ones RGB; the pixels are written as
     * stored, without normalisation or augmentation. Every class gets a folder, an empty one for a
     * class without images (which {@link ImageFolder} refuses: labels would shift without it).
     *
     * @param dir the folder to write into; created if missing, existing files of the same names are
     *     replaced
     * @return {@code dir}
     * @throws IOException if a file cannot be written
     * @throws IllegalArgumentException if the images have neither 1 nor 3 channels
     */
    public Path writeImageFolder(Path dir) throws IOException {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException(
                    name + ": PNG export needs 1 or 3 channels, not " + channels);
        }
        String classFormat = "%0" + String.valueOf(classes - 1).length() + "d";
        String fileFormat = "%0" + String.valueOf(Math.max(size() - 1, 0)).length() + "d.png";
        Path[] classDirs = new Path[classes];
        for (int c = 0; c < classes; c++) {
            classDirs[c] = Files.createDirectories(dir.resolve(String.format(classFormat, c)));
        }
        int plane = height * width;
        int[] pixel = new int[channels];
        for (int i = 0; i < size(); i++) {
            BufferedImage img =
                    new BufferedImage(
                            width,
                            height,
                            channels == 1
                                    ? BufferedImage.TYPE_BYTE_GRAY
                                    : BufferedImage.TYPE_3BYTE_BGR);
            WritableRaster raster = img.getRaster();
            int at = i * imageSize();
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    for (int c = 0; c < channels; c++) {
                        pixel[c] = pixels[at + c * plane + y * width + x] & 0xff;
                    }
                    raster.setPixel(x, y, pixel);
                }
            }
            Path file = classDirs[labels[i]].resolve(String.format(fileFormat, i));
            if (!ImageIO.write(img, "png", file.toFile())) {
                throw new IOException("no PNG writer for " + file);
            }
        }
        return dir;
    }
}
