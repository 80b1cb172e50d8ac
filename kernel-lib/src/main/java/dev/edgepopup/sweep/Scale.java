package dev.edgepopup.sweep;

import java.util.Locale;

/**
 * The notebooks' one switch between a quick run and the paper's. Read from the environment variable
 * {@value #ENVIRONMENT_VARIABLE} ({@code quick}, the default, or {@code full}), or set in code with
 * {@link #set(Scale)}. A notebook takes its {@link Settings} from here, states its own choices on
 * top, and prints what will run:
 *
 * <pre>{@code
 * Settings run = Scale.settings().nets("conv2", "conv4")
 *         .quick(q -> q.widths(0.125).images(10_000, 2_000).epochs(4).seeds(1));
 * System.out.println(run.describe());
 * int batch = Scale.pick(64, 128);
 * }</pre>
 */
public enum Scale {
    /**
     * Sized for a laptop CPU. Defaults: the first {@value #QUICK_TRAIN_IMAGES} training and {@value
     * #QUICK_TEST_IMAGES} test images of Fashion-MNIST (of CIFAR-10 when its files are present),
     * {@value #QUICK_EPOCHS} epochs, seeds 1 and 2, k in {0.1, 0.5, 0.9}.
     */
    QUICK,
    /**
     * The paper's settings (spec section 4): all of CIFAR-10, {@value #FULL_EPOCHS} epochs, seeds 1
     * to 5, k in {0.1, 0.3, 0.5, 0.7, 0.9}.
     */
    FULL;

    /** The environment variable that picks the scale. */
    public static final String ENVIRONMENT_VARIABLE = "EDGEPOPUP_SCALE";

    /** Training images of a quick run, unless the notebook says otherwise. */
    public static final int QUICK_TRAIN_IMAGES = 10_000;

    /** Test images of a quick run, unless the notebook says otherwise. */
    public static final int QUICK_TEST_IMAGES = 2_000;

    /** Epochs of a quick run, unless the notebook says otherwise. */
    public static final int QUICK_EPOCHS = 2;

    /** Training images of a full run: all of CIFAR-10's. */
    public static final int FULL_TRAIN_IMAGES = 50_000;

    /** Test images of a full run: all of CIFAR-10's. */
    public static final int FULL_TEST_IMAGES = 10_000;

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
                throw new IllegalStateException(
                        ENVIRONMENT_VARIABLE + " must be quick or full, " + "got '" + value + "'");
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
     * The current scale's default settings, for a notebook to add its own choices to.
     *
     * @return the settings of {@link #current()}
     */
    public static Settings settings() {
        Scale s = current();
        return Settings.defaults(s, override != null);
    }
}
