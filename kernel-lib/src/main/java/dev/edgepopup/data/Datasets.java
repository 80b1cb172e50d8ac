package dev.edgepopup.data;

import dev.edgepopup.data.ImageSet.Augmentation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The notebooks' data sets, read from local files into memory. Nothing here touches the network: a
 * missing data set is a {@link MissingDataException} saying how to install it, a damaged file a
 * {@link CorruptDataException} naming the file and byte offset.
 */
public final class Datasets {
    /** Where Debian's {@code dataset-fashion-mnist} package installs Fashion-MNIST. */
    public static final Path FASHION_MNIST_DEBIAN = Path.of("/usr/share/datasets/fashion-mnist");

    private static final int CLASSES = 10;
    private static final float[] MNIST_MEAN = {0.1307f};
    private static final float[] MNIST_STD = {0.3081f};
    private static final float[] CIFAR_MEAN = {0.491f, 0.482f, 0.447f};
    private static final float[] CIFAR_STD = {0.247f, 0.243f, 0.262f};
    private static final String CIFAR_DIR = "cifar-10-batches-bin";
    private static final List<String> CIFAR_TRAIN =
            List.of(
                    "data_batch_1.bin",
                    "data_batch_2.bin",
                    "data_batch_3.bin",
                    "data_batch_4.bin",
                    "data_batch_5.bin");
    private static final String CIFAR_TEST = "test_batch.bin";

    private Datasets() {}

    /**
     * A training and a test set.
     *
     * @param train the training set
     * @param test the test set
     */
    public record Data(ImageSet train, ImageSet test) {
        /**
         * The first examples of each set, for quick runs.
         *
         * @param trainN training examples to keep, at least 1
         * @param testN test examples to keep, at least 1
         * @return the shortened sets (the same sets where they are no longer than asked)
         */
        public Data limit(int trainN, int testN) {
            return new Data(train.limit(trainN), test.limit(testN));
        }

        /**
         * Writes both sets as an ImageNet-style pair of image folders, {@code root/train/} and
         * {@code root/val/} (see {@link ImageSet#writeImageFolder}), ready for {@link
         * Datasets#imageFolders}. The folders are written beside {@code root} first and moved into
         * place at the end, so an interrupted write leaves no half-written {@code root}.
         *
         * @param root the folder to create; it must not exist yet
         * @return {@code root}
         * @throws IOException if a file cannot be written or {@code root} exists already
         */
        public Path writeImageFolders(Path root) throws IOException {
            if (Files.exists(root)) {
                throw new IOException(root + " exists already");
            }
            Path parent = root.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempDirectory(parent, root.getFileName() + ".partial-");
            try {
                train.writeImageFolder(tmp.resolve("train"));
                test.writeImageFolder(tmp.resolve("val"));
                Files.move(tmp, root, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                deleteTree(tmp);
                throw e;
            }
            return root;
        }
    }

    /**
     * Fashion-MNIST from the system property {@code edgepopup.fashionMnist}, else the environment
     * variable {@code EDGEPOPUP_FASHION_MNIST}, else {@link #FASHION_MNIST_DEBIAN}.
     *
     * @return 60000 training and 10000 test images, 1x28x28, 10 classes, no augmentation
     * @throws MissingDataException if a file is missing; the message gives the install command
     * @throws CorruptDataException if a file is damaged
     */
    public static Data fashionMnist() {
        return fashionMnist(
                location(
                        "edgepopup.fashionMnist", "EDGEPOPUP_FASHION_MNIST", FASHION_MNIST_DEBIAN));
    }

    /**
     * Fashion-MNIST from {@code dir}, which holds {@code train-images-idx3-ubyte.gz}, {@code
     * train-labels-idx1-ubyte.gz}, {@code t10k-images-idx3-ubyte.gz} and {@code
     * t10k-labels-idx1-ubyte.gz} (or the same names without {@code .gz}).
     *
     * @param dir the directory
     * @return the training and test sets, normalised like MNIST, no augmentation
     * @throws MissingDataException if a file is missing; the message gives the install command
     * @throws CorruptDataException if a file is damaged
     */
    public static Data fashionMnist(Path dir) {
        return idx(
                "fashion-mnist",
                dir,
                "Install Fashion-MNIST with: sudo apt-get install dataset-fashion-mnist"
                        + " (it goes to "
                        + FASHION_MNIST_DEBIAN
                        + "), or point the system property"
                        + " edgepopup.fashionMnist or the environment variable"
                        + " EDGEPOPUP_FASHION_MNIST at a directory holding its four files.");
    }

    /**
     * MNIST from {@code dir}, with the file names of {@link #fashionMnist(Path)}.
     *
     * @param dir the directory
     * @return the training and test sets, normalised with mean 0.1307 and std 0.3081, no
     *     augmentation
     * @throws MissingDataException if a file is missing
     * @throws CorruptDataException if a file is damaged
     */
    public static Data mnist(Path dir) {
        return idx(
                "mnist",
                dir,
                "Place the four MNIST files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,"
                    + " t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (gzipped or not) in"
                    + " "
                        + dir
                        + ".");
    }

    /**
     * CIFAR-10 from the system property {@code edgepopup.cifar10}, else the environment variable
     * {@code EDGEPOPUP_CIFAR10}, else {@code ~/.edgepopup/data/cifar-10-batches-bin}.
     *
     * @return see {@link #cifar10(Path)}
     * @throws MissingDataException if a file is missing; the message says how to download it
     * @throws CorruptDataException if a file is damaged
     */
    public static Data cifar10() {
        return cifar10(cifar10Location());
    }

    /**
     * Whether the six CIFAR-10 files are at the location {@link #cifar10()} reads (their contents
     * are not checked).
     *
     * @return true when all of them are there
     */
    public static boolean cifar10Present() {
        Path batches = cifarBatches(cifar10Location());
        return cifarFiles(batches).stream().allMatch(Files::isRegularFile);
    }

    /**
     * CIFAR-10 in its binary format: {@code data_batch_1.bin} to {@code data_batch_5.bin} and
     * {@code test_batch.bin}, each a sequence of records of one label byte and 3072 pixel bytes
     * (the red, green and blue 32x32 planes).
     *
     * @param dir the directory holding the .bin files, or its parent holding {@code
     *     cifar-10-batches-bin/}
     * @return the training set with {@link Augmentation#CROP_FLIP} and the test set without
     *     augmentation, 3x32x32, 10 classes
     * @throws MissingDataException if a file is missing; the message says how to download it
     * @throws CorruptDataException if a file is damaged
     */
    public static Data cifar10(Path dir) {
        Path batches = cifarBatches(dir.toAbsolutePath());
        // Cifar10Download unpacks cifar-10-batches-bin/ into the directory it is given.
        Path target = batches.endsWith(CIFAR_DIR) ? batches.getParent() : batches;
        String how =
                "Download CIFAR-10 with: java -cp <kernel-lib classpath> "
                        + Cifar10Download.class.getName()
                        + " "
                        + target
                        + " (needs internet),"
                        + " or fetch "
                        + Cifar10Download.URL
                        + " by hand and unpack it in "
                        + target
                        + ".";
        List<Path> files = cifarFiles(batches);
        for (Path p : files) {
            if (!Files.isRegularFile(p)) {
                throw new MissingDataException(Files.isDirectory(batches) ? p : batches, how);
            }
        }
        int last = files.size() - 1;
        return new Data(
                cifar("cifar10/train", files.subList(0, last), Augmentation.CROP_FLIP),
                cifar("cifar10/test", files.subList(last, last + 1), Augmentation.NONE));
    }

    /**
     * An image-folder data set split as ImageNet is: {@code ROOT/train/CLASS/*} and {@code
     * ROOT/val/CLASS/*}. Close it to stop the decoding threads.
     *
     * @param train the training images, with the training transform
     * @param val the validation images, with the evaluation transform
     */
    public record Folders(ImageFolder train, ImageFolder val) implements AutoCloseable {
        @Override
        public void close() {
            train.close();
            val.close();
        }
    }

    /**
     * ImageNet (ILSVRC-2012) from the system property {@code edgepopup.imagenet}, else the
     * environment variable {@code EDGEPOPUP_IMAGENET}, else {@code ~/.edgepopup/data/imagenet}, at
     * 224x224 (see {@link #imageFolders(Path, int, int)}).
     *
     * @return the train and val folders
     * @throws IOException if a folder cannot be listed
     * @throws MissingDataException if a folder is missing; the message says how to lay it out
     */
    public static Folders imageNet() throws IOException {
        Path root =
                location(
                        "edgepopup.imagenet",
                        "EDGEPOPUP_IMAGENET",
                        Path.of(System.getProperty("user.home"), ".edgepopup", "data", "imagenet"));
        return imageFolders(root, ImageFolder.CROP, ImageFolder.RESIZE);
    }

    /**
     * A train/val pair of image folders, each with one sub-folder per class (the same class names
     * in both), decoded on one thread per core each.
     *
     * @param root the folder holding {@code train/} and {@code val/}
     * @param crop the side of the square images a batch holds (224 for ImageNet)
     * @param resize the shorter side before the evaluation center crop (256 for ImageNet)
     * @return the two folders
     * @throws IOException if a folder cannot be listed
     * @throws MissingDataException if a folder is missing; the message says how to lay it out
     */
    public static Folders imageFolders(Path root, int crop, int resize) throws IOException {
        String how =
                "ImageNet cannot be downloaded automatically: get ILSVRC-2012 from "
                        + "https://image-net.org, unpack the training archive into "
                        + root.resolve("train")
                        + "/<wnid>/ and sort the validation images into "
                        + root.resolve("val")
                        + "/<wnid>/ (the usual valprep.sh), or set EDGEPOPUP_IMAGENET to such a"
                        + " folder.";
        for (String split : List.of("train", "val")) {
            if (!Files.isDirectory(root.resolve(split))) {
                throw new MissingDataException(root.resolve(split), how);
            }
        }
        int threads = Runtime.getRuntime().availableProcessors();
        ImageFolder train = ImageFolder.open(root.resolve("train"), crop, resize, threads);
        try {
            ImageFolder val = ImageFolder.open(root.resolve("val"), crop, resize, threads);
            if (!val.classNames().equals(train.classNames())) {
                val.close();
                throw new IllegalArgumentException(
                        root
                                + ": train/ has "
                                + train.classes()
                                + " class folders and val/ has "
                                + val.classes()
                                + ", or their names differ; both need the same class folders, or"
                                + " labels would not match");
            }
            return new Folders(train, val);
        } catch (RuntimeException | IOException e) {
            train.close();
            throw e;
        }
    }

    /** Deletes a folder and everything under it, ignoring what is already gone. */
    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Path cifar10Location() {
        return location(
                "edgepopup.cifar10",
                "EDGEPOPUP_CIFAR10",
                Path.of(System.getProperty("user.home"), ".edgepopup", "data", CIFAR_DIR));
    }

    /** The system property if set, else the environment variable if set, else the fallback. */
    private static Path location(String property, String env, Path fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? fallback : Path.of(value);
    }

    private static Data idx(String name, Path dir, String how) {
        // Find all four files before reading any, so a missing one fails at once.
        Path trainImages = idxFile(dir, "train-images-idx3-ubyte", how);
        Path trainLabels = idxFile(dir, "train-labels-idx1-ubyte", how);
        Path testImages = idxFile(dir, "t10k-images-idx3-ubyte", how);
        Path testLabels = idxFile(dir, "t10k-labels-idx1-ubyte", how);
        return new Data(
                idxSet(name + "/train", trainImages, trainLabels),
                idxSet(name + "/test", testImages, testLabels));
    }

    /** {@code base.gz}, else {@code base} as unpacked by gunzip; Idx recognises either. */
    private static Path idxFile(Path dir, String base, String how) {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path raw = dir.resolve(base);
        if (Files.isRegularFile(raw)) {
            return raw;
        }
        throw new MissingDataException(Files.isDirectory(dir) ? gz : dir, how);
    }

    private static ImageSet idxSet(String name, Path imageFile, Path labelFile) {
        Idx.Images images = Idx.readImages(imageFile);
        int[] labels = Idx.readLabels(labelFile, CLASSES);
        if (labels.length != images.count()) {
            // Offset 4 is the count in both headers.
            throw new CorruptDataException(
                    labelFile,
                    4,
                    labels.length
                            + " labels, but "
                            + imageFile
                            + " holds "
                            + images.count()
                            + " images");
        }
        return new ImageSet(
                name,
                1,
                images.rows(),
                images.cols(),
                images.pixels(),
                labels,
                CLASSES,
                MNIST_MEAN,
                MNIST_STD,
                Augmentation.NONE);
    }

    private static Path cifarBatches(Path dir) {
        Path inner = dir.resolve(CIFAR_DIR);
        return Files.isDirectory(inner) ? inner : dir;
    }

    /** The five training batches, then the test batch. */
    private static List<Path> cifarFiles(Path batches) {
        List<Path> files = new ArrayList<>();
        CIFAR_TRAIN.forEach(name -> files.add(batches.resolve(name)));
        files.add(batches.resolve(CIFAR_TEST));
        return files;
    }

    private static ImageSet cifar(String name, List<Path> files, Augmentation augmentation) {
        Cifar10.Records r = Cifar10.read(files);
        return new ImageSet(
                name,
                3,
                32,
                32,
                r.pixels(),
                r.labels(),
                CLASSES,
                CIFAR_MEAN,
                CIFAR_STD,
                augmentation);
    }
}
