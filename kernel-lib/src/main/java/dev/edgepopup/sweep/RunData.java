package dev.edgepopup.sweep;

import dev.edgepopup.data.Datasets;
import dev.edgepopup.data.ImageFolder;
import dev.edgepopup.data.ImageSet;
import dev.edgepopup.data.ImageSource;
import dev.edgepopup.store.RunConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The data a stored run trains and tests on, opened again from the names its configuration records:
 * what a cluster worker, which shares no memory with the notebook, trains on. Each data set comes
 * from its usual location ({@code EDGEPOPUP_FASHION_MNIST}, {@code EDGEPOPUP_CIFAR10}, their system
 * properties or defaults), so a node without it fails with the usual message.
 *
 * <p>Names it opens: {@code fashion-mnist/train}, {@code fashion-mnist/test}, {@code cifar10/train}
 * and {@code cifar10/test}, each optionally cut to its first N images ({@code [:N]}, as {@link
 * ImageSet#limit} names it), and image folders by their absolute path, at the network's input size
 * with ImageNet's evaluation resize ratio (256 for 224).
 */
final class RunData {
    private static final Pattern NAMED =
            Pattern.compile("(fashion-mnist|cifar10)/(train|test)(?:\\[:(\\d+)])?");

    private RunData() {}

    /**
     * Fails unless {@link #open} can open both sets of a run by name; opens nothing.
     *
     * @param c the run
     * @throws IllegalArgumentException saying which name cannot be opened and what can
     */
    static void check(RunConfig c) {
        for (String name : new String[] {c.trainSet(), c.testSet()}) {
            if (!NAMED.matcher(name).matches() && !Path.of(name).isAbsolute()) {
                throw new IllegalArgumentException(
                        "a cluster worker cannot open the data set '"
                                + name
                                + "' by its name: sweeps on a cluster train on Fashion-MNIST or"
                                + " CIFAR-10 (Datasets.fashionMnist(), Datasets.cifar10(), limited"
                                + " or not) or on image folders given by absolute paths on shared"
                                + " storage");
            }
        }
    }

    /**
     * Opens a run's training and test data as its configuration names them.
     *
     * @param c the run
     * @return the two sets; close them when done if they are image folders
     * @throws dev.edgepopup.data.MissingDataException if a data set is not where it is looked for
     * @throws IOException if an image folder cannot be listed
     * @throws IllegalStateException if a set opened has another size than the run recorded
     */
    static ImageSource[] open(RunConfig c) throws IOException {
        check(c);
        return new ImageSource[] {
            sized(open(c.trainSet(), c), c.trainSize()), sized(open(c.testSet(), c), c.testSize())
        };
    }

    private static ImageSource sized(ImageSource s, int planned) {
        if (s.size() != planned) {
            throw new IllegalStateException(
                    s.name()
                            + " has "
                            + s.size()
                            + " images here, but "
                            + "the run was planned on "
                            + planned
                            + ": give every node the same data set");
        }
        return s;
    }

    private static ImageSource open(String name, RunConfig c) throws IOException {
        Matcher m = NAMED.matcher(name);
        if (m.matches()) {
            Datasets.Data all =
                    m.group(1).equals("cifar10") ? Datasets.cifar10() : Datasets.fashionMnist();
            ImageSet set = m.group(2).equals("train") ? all.train() : all.test();
            return m.group(3) == null ? set : set.limit(Integer.parseInt(m.group(3)));
        }
        int crop = c.spec().height();
        int resize = Math.round(crop * (float) ImageFolder.RESIZE / ImageFolder.CROP);
        return ImageFolder.open(
                Path.of(name), crop, resize, Runtime.getRuntime().availableProcessors());
    }
}
