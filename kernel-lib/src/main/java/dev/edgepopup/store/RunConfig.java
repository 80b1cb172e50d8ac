package dev.edgepopup.store;

import com.google.gson.Gson;
import dev.edgepopup.data.ImageSource;
import dev.edgepopup.nn.NetSpec;
import dev.edgepopup.nn.Precision;
import dev.edgepopup.train.Recipe;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Everything that determines a run's result: the network (with its weight and score seeds), the
 * recipe, the data seed, the data it trains and tests on, the arithmetic it computes with and the
 * library that trains it. Two runs with equal configurations end with equal metrics, so a
 * configuration is a run's identity in a {@link RunStore}.
 *
 * @param spec the network, seeds included
 * @param recipe the training recipe, overrides included
 * @param dataSeed the seed of data order, augmentation and Zhou's mask samples
 * @param trainSet the training set's name, e.g. {@code fashion-mnist/train[:500]}
 * @param trainSize training images
 * @param testSet the test set's name
 * @param testSize test images
 * @param precision the arithmetic the run uses (after any fallback: what it really computes in)
 * @param channelsLast whether the run stores images channels-last
 * @param library the library's version and code fingerprint ({@link LibraryVersion#current()});
 *     null for runs stored before it was recorded
 */
public record RunConfig(
        NetSpec spec,
        Recipe recipe,
        long dataSeed,
        String trainSet,
        int trainSize,
        String testSet,
        int testSize,
        Precision precision,
        boolean channelsLast,
        String library) {

    // Default Gson settings, not Json.GSON: the key must not change when the project's pretty
    // printing does.
    private static final Gson CANONICAL = new Gson();

    /** Checks that nothing is missing. */
    public RunConfig {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(recipe, "recipe");
        Objects.requireNonNull(trainSet, "trainSet");
        Objects.requireNonNull(testSet, "testSet");
        Objects.requireNonNull(precision, "precision");
        if (trainSize < 1 || testSize < 1) {
            throw new IllegalArgumentException(
                    "data sets must not be empty, got " + trainSize + " and " + testSize);
        }
    }

    /**
     * A float32, NCHW run of this library.
     *
     * @param spec the network
     * @param recipe the recipe
     * @param dataSeed the data seed
     * @param trainSet the training set's name
     * @param trainSize training images
     * @param testSet the test set's name
     * @param testSize test images
     */
    public RunConfig(
            NetSpec spec,
            Recipe recipe,
            long dataSeed,
            String trainSet,
            int trainSize,
            String testSet,
            int testSize) {
        this(
                spec,
                recipe,
                dataSeed,
                trainSet,
                trainSize,
                testSet,
                testSize,
                Precision.FP32,
                false,
                LibraryVersion.current());
    }

    /**
     * A float32, NCHW run of this library on a training and test set.
     *
     * @param spec the network
     * @param recipe the recipe
     * @param dataSeed the data seed
     * @param train the training data; its name and size enter the configuration
     * @param test the test data; its name and size enter the configuration
     * @return the configuration
     */
    public static RunConfig of(
            NetSpec spec, Recipe recipe, long dataSeed, ImageSource train, ImageSource test) {
        return new RunConfig(
                spec, recipe, dataSeed, train.name(), train.size(), test.name(), test.size());
    }

    /**
     * The same run computed another way.
     *
     * @param p the precision the run uses (resolved: {@link Precision#resolve})
     * @param layoutChannelsLast whether it stores images channels-last
     * @return the configuration
     */
    public RunConfig compute(Precision p, boolean layoutChannelsLast) {
        return new RunConfig(
                spec,
                recipe,
                dataSeed,
                trainSet,
                trainSize,
                testSet,
                testSize,
                p,
                layoutChannelsLast,
                library);
    }

    /**
     * The run's identity: SHA-256 of this configuration as compact JSON, in hex. The same
     * configuration gives the same key in every JVM, so a re-run finds its row; another library
     * version or arithmetic gives another key.
     *
     * @return 64 lower-case hex digits
     */
    public String key() {
        return sha256(CANONICAL.toJson(this));
    }

    /**
     * The key of this configuration with every seed set to 0: runs that differ only in their seeds
     * share it, which is how results are grouped for mean and standard deviation.
     *
     * @return 64 lower-case hex digits
     */
    public String keyWithoutSeeds() {
        NetSpec s = spec;
        NetSpec unseeded =
                new NetSpec(
                        s.arch(),
                        s.width(),
                        s.channels(),
                        s.height(),
                        s.imageWidth(),
                        s.classes(),
                        s.method(),
                        s.keep(),
                        s.init(),
                        0,
                        0);
        return new RunConfig(
                        unseeded,
                        recipe,
                        0,
                        trainSet,
                        trainSize,
                        testSet,
                        testSize,
                        precision,
                        channelsLast,
                        library)
                .key();
    }

    private static String sha256(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JVM has SHA-256", e);
        }
    }
}
