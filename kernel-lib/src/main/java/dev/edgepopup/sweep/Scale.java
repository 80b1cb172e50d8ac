package dev.edgepopup.sweep;

import dev.edgepopup.data.Datasets;
import dev.edgepopup.train.Recipe;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The notebooks' one switch between a quick run and the paper's. Read from the environment
 * variable {@value #ENVIRONMENT_VARIABLE} ({@code quick}, the default, or {@code full}), or set
 * in code with {@link #set(Scale)}:
 *
 * <pre>{@code
 * System.out.println(Scale.describe());
 * Sweep.over().nets("conv2", "conv4").keeps(Scale.current().keeps())
 *         .seeds(Scale.current().seeds()).recipe(Scale.current().recipe())
 *         .data(Scale.current().data()).store(store).run();
 * int batch = Scale.pick(64, 128);
 * }</pre>
 */
public enum Scale {
    /**
     * Sized for a laptop CPU: the first {@value #QUICK_TRAIN_IMAGES} training and
     * {@value #QUICK_TEST_IMAGES} test images of Fashion-MNIST (of CIFAR-10 when its files are
     * present), {@value #QUICK_EPOCHS} epochs, seeds 1 and 2, k in {0.1, 0.5, 0.9}.
     */
    QUICK,
    /**
     * The paper's settings (spec section 4): all of CIFAR-10, 100 epochs, seeds 1 to 5, k in
     * {0.1, 0.3, 0.5, 0.7, 0.9}.
     */
    FULL;

    /** The environment variable that picks the scale. */
    public static final String ENVIRONMENT_VARIABLE = "EDGEPOPUP_SCALE";
    /** Training images of a quick run. */
    public static final int QUICK_TRAIN_IMAGES = 10_000;
    /** Test images of a quick run. */
    public static final int QUICK_TEST_IMAGES = 2_000;
    /** Epochs of a quick run. */
    public static final int QUICK_EPOCHS = 2;
    /** Epochs of a full run, as the paper trains. */
    public static final int FULL_EPOCHS = 100;

    private static volatile Scale override;

    /**
     * The scale in force: the one set in code, else the environment variable's.
     *
     * @return the scale
     * @throws IllegalStateException if the environment variable holds neither quick nor full
     */
    public static Scale current() {
        Scale set = override;
        return set != null ? set : parse(System.getenv(ENVIRONMENT_VARIABLE));
    }

    /**
     * Overrides the environment variable for this JVM.
     *
     * @param scale the scale, or null to follow the environment variable again
     */
    public static void set(Scale scale) {
        override = scale;
    }

    /**
     * @param value the environment variable's value, or null when unset
     * @return QUICK for null or blank, else the named scale (case-insensitive)
     * @throws IllegalStateException for any other value
     */
    static Scale parse(String value) {
        if (value == null || value.isBlank()) {
            return QUICK;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "quick":
                return QUICK;
            case "full":
                return FULL;
            default:
                throw new IllegalStateException(ENVIRONMENT_VARIABLE + " must be quick or full, "
                        + "got '" + value + "'");
        }
    }

    /**
     * Chooses by the current scale.
     *
     * @param quick the value for a quick run
     * @param full the value for the paper's settings
     * @param <T> the type
     * @return {@code quick} or {@code full}
     */
    public static <T> T pick(T quick, T full) {
        return current() == QUICK ? quick : full;
    }

    /**
     * One sentence for a notebook to print: which mode runs, on what data, how long and how to
     * switch.
     *
     * @return the description
     */
    public static String describe() {
        Scale s = current();
        String source = override != null ? "set in code"
                : ENVIRONMENT_VARIABLE + "=" + s.name().toLowerCase(Locale.ROOT)
                        + (System.getenv(ENVIRONMENT_VARIABLE) == null ? ", the default" : "");
        String grid = ", " + s.epochs() + " epochs, seeds " + Arrays.stream(s.seeds())
                .mapToObj(Long::toString).collect(Collectors.joining(", ")) + ", k in "
                + Arrays.toString(s.keeps());
        if (s == QUICK) {
            return "Quick mode (" + source + "), sized for a CPU: the first "
                    + QUICK_TRAIN_IMAGES + " training and " + QUICK_TEST_IMAGES + " test images of "
                    + (Datasets.cifar10Present() ? "CIFAR-10" : "Fashion-MNIST") + grid
                    + "; set " + ENVIRONMENT_VARIABLE + "=full or call Scale.set(Scale.FULL)"
                    + " for the paper's settings.";
        }
        return "Full mode (" + source + "), the paper's settings: all of CIFAR-10 (50000 training"
                + " and 10000 test images)" + grid + ".";
    }

    /**
     * The data of this scale. Quick: the first images of CIFAR-10 when its files are present,
     * else of Fashion-MNIST. Full: all of CIFAR-10.
     *
     * @return training and test sets
     * @throws dev.edgepopup.data.MissingDataException if the data set is not installed
     */
    public Datasets.Data data() {
        if (this == FULL) {
            return Datasets.cifar10();
        }
        Datasets.Data all = Datasets.cifar10Present() ? Datasets.cifar10()
                : Datasets.fashionMnist();
        return all.limit(QUICK_TRAIN_IMAGES, QUICK_TEST_IMAGES);
    }

    /** @return epochs per run: {@value #QUICK_EPOCHS} or {@value #FULL_EPOCHS} */
    public int epochs() {
        return this == QUICK ? QUICK_EPOCHS : FULL_EPOCHS;
    }

    /** @return the seeds: 1 and 2, or 1 to 5 as the paper */
    public long[] seeds() {
        return this == QUICK ? new long[] {1, 2} : new long[] {1, 2, 3, 4, 5};
    }

    /** @return the k grid: {0.1, 0.5, 0.9}, or the paper's {0.1, 0.3, 0.5, 0.7, 0.9} */
    public double[] keeps() {
        return this == QUICK ? new double[] {0.1, 0.5, 0.9}
                : new double[] {0.1, 0.3, 0.5, 0.7, 0.9};
    }

    /** @return the recipe override of this scale: the paper's recipe with {@link #epochs()} */
    public UnaryOperator<Recipe> recipe() {
        int e = epochs();
        return r -> r.epochs(e);
    }
}
