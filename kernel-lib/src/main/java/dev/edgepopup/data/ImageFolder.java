package dev.edgepopup.data;

import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * An image classification set on disk in the ImageNet layout: one sub-folder per class under a
 * root, JPEG or PNG files inside (at any depth). Classes are the sub-folders' names in sorted
 * order, their index is their position, and each class's files are sorted by path, as torchvision's
 * {@code ImageFolder} does; hidden folders (".ipynb_checkpoints") are skipped.
 *
 * <p>Nothing is held in memory but the file list: {@link #batch} decodes the requested images on a
 * thread pool, one task per image, and {@link #prefetch} starts that work ahead of time so the next
 * batch decodes while the device runs the current one. With an augmentation source a batch gets
 * ImageNet's training transform, without one the evaluation transform ({@link ImageTransform}:
 * PIL-compatible resampling, ImageNet's normalisation). The random draws of image {@code i} of a
 * batch come from a seed drawn in order from the caller's source, so a batch is the same for the
 * same seed whatever the threads do.
 *
 * <p>It is an {@link ImageSource}: {@link dev.edgepopup.train.Training} trains on it and asks for
 * batch {@code b + 1} before it runs batch {@code b}; {@link dev.edgepopup.nn.Net#accuracies}
 * evaluates top-1 and top-5 accuracy, as ImageNet results are quoted. Close the folder to stop its
 * threads.
 */
public final class ImageFolder implements ImageSource, AutoCloseable {
    /** ImageNet's per-channel mean of [0, 1] pixel values (R, G, B). */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};

    /** ImageNet's per-channel standard deviation of [0, 1] pixel values (R, G, B). */
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    /** The side of the square crop a network sees. */
    public static final int CROP = 224;

    /** The shorter side before the evaluation transform's center crop. */
    public static final int RESIZE = 256;

    private final Path root;
    private final List<String> classNames;
    private final Path[] files;
    private final int[] labels;
    private final int crop;
    private final ImageTransform transform;
    private final ExecutorService pool;

    private ImageFolder(
            Path root,
            List<String> classNames,
            List<Path> files,
            List<Integer> labels,
            int crop,
            int resize,
            int threads) {
        this.root = root;
        this.classNames = List.copyOf(classNames);
        this.files = files.toArray(new Path[0]);
        this.labels = labels.stream().mapToInt(Integer::intValue).toArray();
        this.crop = crop;
        this.transform = new ImageTransform(crop, resize);
        AtomicInteger n = new AtomicInteger();
        this.pool =
                Executors.newFixedThreadPool(
                        threads,
                        r -> {
                            Thread t = new Thread(r, "image-folder-decode-" + n.incrementAndGet());
                            t.setDaemon(true); // a forgotten close must not keep the JVM alive
                            return t;
                        });
    }

    /**
     * Opens a folder with ImageNet's sizes (224 crop, 256 resize) and one decoding thread per core.
     *
     * @param root the folder holding one sub-folder per class
     * @return the data set; close it when done
     * @throws IOException if the folder cannot be listed
     */
    public static ImageFolder open(Path root) throws IOException {
        return open(root, CROP, RESIZE, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Opens a folder with other sizes (smaller images for quick runs and tests).
     *
     * @param root the folder holding one sub-folder per class
     * @param crop the side of the square images a batch holds
     * @param resize the shorter side before the evaluation transform's center crop, at least {@code
     *     crop}
     * @param threads decoding threads, at least 1
     * @return the data set; close it when done
     * @throws IOException if the folder cannot be listed
     * @throws MissingDataException if the folder, its class folders or their images are missing
     */
    public static ImageFolder open(Path root, int crop, int resize, int threads)
            throws IOException {
        if (crop < 1 || resize < crop || threads < 1) {
            throw new IllegalArgumentException(
                    "need 1 <= crop <= resize and threads >= 1, got "
                            + crop
                            + ", "
                            + resize
                            + ", "
                            + threads);
        }
        String layout =
                "An image folder holds one sub-folder per class with its JPEG or PNG files:"
                    + " ROOT/CLASS/IMAGE.JPEG, as ImageNet's train and val folders are laid out.";
        if (!Files.isDirectory(root)) {
            throw new MissingDataException(root, layout);
        }
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs =
                    s.filter(Files::isDirectory)
                            .filter(p -> !p.getFileName().toString().startsWith("."))
                            .sorted()
                            .toList();
        }
        if (classDirs.isEmpty()) {
            throw new MissingDataException(root.resolve("CLASS"), layout);
        }
        List<String> names = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path dir : classDirs) {
            List<Path> images;
            try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
                images =
                        s.filter(Files::isRegularFile)
                                .filter(ImageFolder::isImage)
                                .sorted()
                                .toList();
            }
            if (images.isEmpty()) {
                throw new MissingDataException(
                        dir.resolve("IMAGE.JPEG"),
                        "Class folder " + dir + " has no JPEG or PNG file. " + layout);
            }
            for (Path p : images) {
                files.add(p);
                labels.add(names.size());
            }
            names.add(dir.getFileName().toString());
        }
        return new ImageFolder(root, names, files, labels, crop, resize, threads);
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
    }

    /**
     * @return the root folder
     */
    public Path root() {
        return root;
    }

    /**
     * @return the root folder's path
     */
    @Override
    public String name() {
        return root.toString();
    }

    @Override
    public int size() {
        return files.length;
    }

    @Override
    public int classes() {
        return classNames.size();
    }

    /**
     * @return the class names; a label is an index into this list
     */
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public int label(int i) {
        return labels[i];
    }

    /**
     * @param i an image's index
     * @return its file
     */
    public Path file(int i) {
        return files[i];
    }

    @Override
    public Shape imageShape() {
        return new Shape(3, crop, crop);
    }

    /** Starts decoding a batch on the thread pool and returns at once. */
    @Override
    public CompletableFuture<HostBatch> prefetch(int[] indices, SplittableRandom augment) {
        int n = indices.length;
        int plane = 3 * crop * crop;
        float[] images = new float[n * plane];
        int[] y = new int[n];
        CompletableFuture<?>[] tasks = new CompletableFuture<?>[n];
        for (int b = 0; b < n; b++) {
            int index = indices[b];
            y[b] = labels[index];
            SplittableRandom rng =
                    augment == null ? null : new SplittableRandom(augment.nextLong());
            int offset = b * plane;
            tasks[b] = CompletableFuture.runAsync(() -> decode(index, rng, images, offset), pool);
        }
        return CompletableFuture.allOf(tasks)
                .thenApply(v -> new HostBatch(images, y, new Shape(n, 3, crop, crop)));
    }

    /**
     * Decodes image {@code index}, transforms it and writes it at {@code offset} of {@code out}.
     */
    private void decode(int index, SplittableRandom rng, float[] out, int offset) {
        Path file = files[index];
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new CorruptDataException(file, 0, "cannot be decoded: " + e.getMessage());
        }
        if (img == null) {
            throw new CorruptDataException(file, 0, "is not an image ImageIO can decode");
        }
        transform.apply(img, rng, out, offset);
    }

    /** Stops the decoding threads. */
    @Override
    public void close() {
        pool.shutdownNow();
    }

    @Override
    public String toString() {
        return root + ": " + size() + " images in " + classes() + " classes";
    }
}
