package dev.edgepopup.train;

import dev.edgepopup.nn.NetSpec;
import dev.edgepopup.nn.Precision;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a run did, epoch by epoch, with everything needed to repeat it: network spec (with the
 * weight and score seeds), recipe and data seed.
 */
public final class History {
    private final NetSpec spec;
    private final Recipe recipe;
    private final long dataSeed;
    private final List<EpochRecord> epochs = new ArrayList<>();
    private List<Double> keptFractions = List.of();
    private boolean interrupted;
    private final Precision precision;
    private final boolean channelsLast;

    /**
     * @param spec the network
     * @param recipe the recipe
     * @param dataSeed the seed of the data order and augmentation
     */
    public History(NetSpec spec, Recipe recipe, long dataSeed) {
        this(spec, recipe, dataSeed, Precision.FP32, false);
    }

    /**
     * @param spec the network
     * @param recipe the recipe
     * @param dataSeed the seed of the data order and augmentation
     * @param precision the arithmetic used (null, from checkpoints that predate it: float32)
     * @param channelsLast whether images were stored channels-last
     */
    public History(
            NetSpec spec, Recipe recipe, long dataSeed, Precision precision, boolean channelsLast) {
        this.spec = spec;
        this.recipe = recipe;
        this.dataSeed = dataSeed;
        this.precision = precision == null ? Precision.FP32 : precision;
        this.channelsLast = channelsLast;
    }

    /**
     * @return the network's spec
     */
    public NetSpec spec() {
        return spec;
    }

    /**
     * @return the recipe
     */
    public Recipe recipe() {
        return recipe;
    }

    /**
     * @return the data seed
     */
    public long dataSeed() {
        return dataSeed;
    }

    /**
     * @return the arithmetic the run used (after any fallback)
     */
    public Precision precision() {
        return precision;
    }

    /**
     * @return whether the run stored images channels-last
     */
    public boolean channelsLast() {
        return channelsLast;
    }

    /**
     * @return e.g. "bf16, channels-last" or "fp32, NCHW": how the run computed
     */
    public String precisionAndLayout() {
        return precisionAndLayout(precision, channelsLast);
    }

    /**
     * @param precision the arithmetic
     * @param channelsLast whether images are stored channels-last
     * @return e.g. "bf16, channels-last" or "fp32, NCHW"
     */
    public static String precisionAndLayout(Precision precision, boolean channelsLast) {
        return precision.label() + ", " + (channelsLast ? "channels-last" : "NCHW");
    }

    /**
     * @return the epochs, first to last
     */
    public List<EpochRecord> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /**
     * @return the completed epochs
     */
    public int completedEpochs() {
        return (int) epochs.stream().filter(EpochRecord::complete).count();
    }

    /**
     * @return true when an interrupt stopped the run
     */
    public boolean interrupted() {
        return interrupted;
    }

    /**
     * @return the kept fraction per prunable layer at the end (expected value for Zhou)
     */
    public List<Double> keptFractions() {
        return keptFractions;
    }

    /**
     * @return test accuracy after the last completed epoch, NaN if none completed
     */
    public double finalTestAccuracy() {
        for (int i = epochs.size() - 1; i >= 0; i--) {
            if (epochs.get(i).complete()) {
                return epochs.get(i).testAccuracy();
            }
        }
        return Double.NaN;
    }

    /**
     * @return training images per second over the completed epochs
     */
    public double imagesPerSecond() {
        return epochs.stream()
                .filter(EpochRecord::complete)
                .mapToDouble(EpochRecord::imagesPerSecond)
                .average()
                .orElse(Double.NaN);
    }

    void add(EpochRecord r) {
        epochs.add(r);
    }

    void markInterrupted() {
        interrupted = true;
    }

    void keptFractions(List<Double> fractions) {
        keptFractions = List.copyOf(fractions);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        "%s width %s %s k=%s %s, %s, data seed %d, %s%s%n",
                        spec.arch(),
                        spec.width(),
                        spec.method(),
                        spec.keep(),
                        spec.init(),
                        recipe.name(),
                        dataSeed,
                        precisionAndLayout(),
                        interrupted ? " (interrupted)" : ""));
        sb.append(
                String.format(
                        "%5s %10s %9s %9s %9s %8s %9s%n",
                        "epoch",
                        "train loss",
                        "train acc",
                        "test acc",
                        "lr",
                        "seconds",
                        "images/s"));
        for (EpochRecord r : epochs) {
            sb.append(
                    String.format(
                            "%5s %10.4f %9.4f %9.4f %9.5f %8.1f %9.0f%n",
                            r.epoch() + (r.complete() ? "" : "*"),
                            r.trainLoss(),
                            r.trainAccuracy(),
                            r.testAccuracy(),
                            r.lr(),
                            r.seconds(),
                            r.imagesPerSecond()));
        }
        return sb.toString();
    }
}
