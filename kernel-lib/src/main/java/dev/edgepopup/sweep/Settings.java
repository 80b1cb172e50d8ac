package dev.edgepopup.sweep;

import dev.edgepopup.data.Datasets;
import dev.edgepopup.nn.Nets;
import dev.edgepopup.train.Recipe;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * What a notebook runs at the current {@link Scale}: the scale's defaults with the notebook's own
 * choices on top, in one place that both the sweeps and the description read, so the printed
 * description is what runs:
 *
 * <pre>{@code
 * Settings run = Scale.settings().nets("conv2", "conv4", "conv6", "conv8")
 *         .quick(q -> q.nets("conv2", "conv4").widths(0.125).images(10_000, 2_000)
 *                 .epochs(4).seeds(1));
 * System.out.println(run.describe());
 * Sweep.over().nets(run.nets()).widths(run.widths()).keeps(run.keeps())
 *         .seeds(run.seeds()).recipe(run.recipe()).data(run.data())...
 * }</pre>
 *
 * Immutable: every change returns new settings.
 */
public final class Settings {
    private final Scale scale;
    private final boolean setInCode;
    private final List<String> nets;
    private final double[] widths;
    private final double[] keeps;
    private final long[] seeds;
    private final int epochs;
    private final int trainImages;
    private final int testImages;

    private Settings(
            Scale scale,
            boolean setInCode,
            List<String> nets,
            double[] widths,
            double[] keeps,
            long[] seeds,
            int epochs,
            int trainImages,
            int testImages) {
        this.scale = scale;
        this.setInCode = setInCode;
        this.nets = nets;
        this.widths = widths;
        this.keeps = keeps;
        this.seeds = seeds;
        this.epochs = epochs;
        this.trainImages = trainImages;
        this.testImages = testImages;
    }

    /** The scale's defaults (see {@link Scale#QUICK} and {@link Scale#FULL}); nets: FC. */
    static Settings defaults(Scale scale, boolean setInCode) {
        boolean quick = scale == Scale.QUICK;
        return new Settings(
                scale,
                setInCode,
                List.of("fc"),
                new double[] {1},
                quick ? new double[] {0.1, 0.5, 0.9} : new double[] {0.1, 0.3, 0.5, 0.7, 0.9},
                quick ? new long[] {1, 2} : new long[] {1, 2, 3, 4, 5},
                quick ? Scale.QUICK_EPOCHS : Scale.FULL_EPOCHS,
                quick ? Scale.QUICK_TRAIN_IMAGES : Scale.FULL_TRAIN_IMAGES,
                quick ? Scale.QUICK_TEST_IMAGES : Scale.FULL_TEST_IMAGES);
    }

    /**
     * Applies changes in quick mode only, e.g. {@code .quick(q -> q.epochs(4).seeds(1))}.
     *
     * @param change the quick run's choices
     * @return the changed settings in quick mode, these settings in full mode
     */
    public Settings quick(UnaryOperator<Settings> change) {
        return scale == Scale.QUICK ? Objects.requireNonNull(change.apply(this), "quick") : this;
    }

    /**
     * Applies changes in full mode only.
     *
     * @param change the full run's choices
     * @return the changed settings in full mode, these settings in quick mode
     */
    public Settings full(UnaryOperator<Settings> change) {
        return scale == Scale.FULL ? Objects.requireNonNull(change.apply(this), "full") : this;
    }

    /**
     * @param archs the architectures, e.g. "conv2", "conv4"
     * @return changed settings
     */
    public Settings nets(String... archs) {
        if (archs.length == 0) {
            throw new IllegalArgumentException("nets must not be empty");
        }
        for (String a : archs) {
            Nets.of(a).spec(); // fails early, naming the valid architectures
        }
        return new Settings(
                scale,
                setInCode,
                List.of(archs),
                widths,
                keeps,
                seeds,
                epochs,
                trainImages,
                testImages);
    }

    /**
     * @param values width multipliers, each &gt; 0
     * @return changed settings
     */
    public Settings widths(double... values) {
        for (double w : nonEmpty(values, "widths")) {
            if (!(w > 0)) {
                throw new IllegalArgumentException("widths must be > 0, got " + w);
            }
        }
        return new Settings(
                scale,
                setInCode,
                nets,
                values.clone(),
                keeps,
                seeds,
                epochs,
                trainImages,
                testImages);
    }

    /**
     * @param values kept fractions k, each in (0, 1]
     * @return changed settings
     */
    public Settings keeps(double... values) {
        for (double k : nonEmpty(values, "keeps")) {
            Nets.fc().keep(k); // the library's own check and message
        }
        return new Settings(
                scale,
                setInCode,
                nets,
                widths,
                values.clone(),
                seeds,
                epochs,
                trainImages,
                testImages);
    }

    /**
     * @param values one run per seed and configuration
     * @return changed settings
     */
    public Settings seeds(long... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("seeds must not be empty");
        }
        return new Settings(
                scale,
                setInCode,
                nets,
                widths,
                keeps,
                values.clone(),
                epochs,
                trainImages,
                testImages);
    }

    /**
     * @param n epochs per run, &gt;= 1
     * @return changed settings
     */
    public Settings epochs(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + n);
        }
        return new Settings(
                scale, setInCode, nets, widths, keeps, seeds, n, trainImages, testImages);
    }

    /**
     * @param train training images (the first ones of the data set), &gt;= 1
     * @param test test images, &gt;= 1
     * @return changed settings
     */
    public Settings images(int train, int test) {
        if (train < 1 || test < 1) {
            throw new IllegalArgumentException(
                    "images must be >= 1, got " + train + " and " + test);
        }
        return new Settings(scale, setInCode, nets, widths, keeps, seeds, epochs, train, test);
    }

    /**
     * @return the scale these settings are for
     */
    public Scale scale() {
        return scale;
    }

    /**
     * @return the architectures
     */
    public String[] nets() {
        return nets.toArray(String[]::new);
    }

    /**
     * @return the width multipliers
     */
    public double[] widths() {
        return widths.clone();
    }

    /**
     * @return the kept fractions
     */
    public double[] keeps() {
        return keeps.clone();
    }

    /**
     * @return the seeds
     */
    public long[] seeds() {
        return seeds.clone();
    }

    /**
     * @return epochs per run
     */
    public int epochs() {
        return epochs;
    }

    /**
     * @return training images per epoch (at most the data set's)
     */
    public int trainImages() {
        return trainImages;
    }

    /**
     * @return test images (at most the data set's)
     */
    public int testImages() {
        return testImages;
    }

    /**
     * @return the paper's recipe of each run with these epochs, for {@code Sweep.recipe}
     */
    public UnaryOperator<Recipe> recipe() {
        int e = epochs;
        return r -> r.epochs(e);
    }

    /**
     * The data: quick mode the first images of CIFAR-10 when its files are present, else of
     * Fashion-MNIST; full mode CIFAR-10.
     *
     * @return training and test sets of at most {@link #trainImages()} and {@link #testImages()}
     * @throws dev.edgepopup.data.MissingDataException if the data set is not installed
     */
    public Datasets.Data data() {
        Datasets.Data all =
                scale == Scale.FULL || Datasets.cifar10Present()
                        ? Datasets.cifar10()
                        : Datasets.fashionMnist();
        int train = Math.min(trainImages, all.train().size());
        int test = Math.min(testImages, all.test().size());
        return train == all.train().size() && test == all.test().size()
                ? all
                : all.limit(train, test);
    }

    /**
     * What runs, for a notebook to print: the mode and how it was chosen, the data, nets, widths,
     * k, seeds and epochs in force (the notebook's choices included), and how to switch.
     *
     * @return one paragraph
     */
    public String describe() {
        String dataSet =
                scale == Scale.FULL || Datasets.cifar10Present() ? "CIFAR-10" : "Fashion-MNIST";
        String source =
                setInCode
                        ? "set in code"
                        : Scale.ENVIRONMENT_VARIABLE
                                + "="
                                + scale.name().toLowerCase(Locale.ROOT)
                                + (System.getenv(Scale.ENVIRONMENT_VARIABLE) == null
                                        ? ", the default"
                                        : "");
        String what =
                String.format(
                        Locale.ROOT,
                        "%s at %s, %s, %s %s, %d epochs over %,d"
                                + " training images of %s (%,d test images)",
                        String.join(", ", nets),
                        widths.length == 1
                                ? "width " + number(widths[0])
                                : "widths " + list(widths),
                        keeps.length == 1
                                ? "k = " + number(keeps[0])
                                : "k in {" + list(keeps) + "}",
                        seeds.length == 1 ? "seed" : "seeds",
                        Arrays.stream(seeds)
                                .mapToObj(Long::toString)
                                .collect(Collectors.joining(", ")),
                        epochs,
                        trainImages,
                        dataSet,
                        testImages);
        return scale == Scale.QUICK
                ? "Quick mode ("
                        + source
                        + "), sized for a CPU: "
                        + what
                        + ". Set "
                        + Scale.ENVIRONMENT_VARIABLE
                        + "=full or call Scale.set(Scale.FULL) for "
                        + "the paper's settings."
                : "Full mode (" + source + "), the paper's settings: " + what + ".";
    }

    @Override
    public String toString() {
        return describe();
    }

    private static String list(double[] values) {
        return Arrays.stream(values).mapToObj(Settings::number).collect(Collectors.joining(", "));
    }

    /** 0.5 as "0.5", 1.0 as "1", 0.1234567 as "0.1235". */
    private static String number(double v) {
        String s = String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static double[] nonEmpty(double[] values, String what) {
        if (values.length == 0) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        return values;
    }
}
