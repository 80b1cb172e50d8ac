package dev.edgepopup.display;

import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.History;
import dev.edgepopup.train.TrainingListener;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Live training progress: one display that updates in place (Jupyter's update_display_data) with
 * epoch, batch, loss, accuracy, images/s and ETA, at most a few times a second, and ends as the
 * run's history table. A headless notebook run keeps just that final state.
 */
public final class Progress implements TrainingListener {
    private static final long MIN_NANOS_BETWEEN_UPDATES = 500_000_000L;
    private Display.Handle handle;
    private long lastUpdate;
    private long start;
    private String lastEpoch = "";
    private int epochs = 1;
    private int firstEpoch = 1;

    private final LongSupplier clock;

    /**
     * @param clock nanoseconds, as {@link System#nanoTime()}; tests pass their own
     */
    Progress(LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * @return a listener for {@code Training.listener(...)}
     */
    public static Progress live() {
        return new Progress(System::nanoTime);
    }

    @Override
    public void onBatch(
            int epoch,
            int batch,
            int batches,
            double loss,
            double accuracy,
            double imagesPerSecond) {
        long now = clock.getAsLong();
        if (handle == null) {
            start = now;
            handle =
                    Display.show(
                            line(
                                    epoch,
                                    batch,
                                    batches,
                                    loss,
                                    accuracy,
                                    imagesPerSecond,
                                    Double.NaN));
            lastUpdate = now;
            return;
        }
        if (now - lastUpdate < MIN_NANOS_BETWEEN_UPDATES && batch < batches) {
            return;
        }
        lastUpdate = now;
        handle.update(
                line(
                        epoch,
                        batch,
                        batches,
                        loss,
                        accuracy,
                        imagesPerSecond,
                        eta(epoch, batch, batches, now)));
    }

    /** Notes go to stderr, which a notebook shows under the cell. */
    @Override
    public void onNote(String line) {
        System.err.println(line);
    }

    @Override
    public void onStart(int first, int totalEpochs) {
        firstEpoch = first;
        epochs = totalEpochs;
    }

    private double eta(int epoch, int batch, int batches, long now) {
        double done = (epoch - firstEpoch) * (double) batches + batch;
        double total = (epochs - firstEpoch + 1) * (double) batches;
        double elapsed = (now - start) / 1e9;
        return elapsed / done * (total - done);
    }

    @Override
    public void onEpoch(EpochRecord r, int totalEpochs) {
        lastEpoch =
                String.format(
                        Locale.ROOT, " | epoch %d test acc %.4f", r.epoch(), r.testAccuracy());
    }

    @Override
    public void onEnd(History history) {
        Object summary = Tables.history(history);
        if (handle == null) {
            handle = Display.show(summary);
        } else {
            handle.update(summary);
        }
    }

    private String line(
            int epoch,
            int batch,
            int batches,
            double loss,
            double acc,
            double ips,
            double etaSeconds) {
        return String.format(
                Locale.ROOT,
                "epoch %d/%d batch %d/%d loss %.4f acc %.4f %.0f images/s ETA %s%s",
                epoch,
                epochs,
                batch,
                batches,
                loss,
                acc,
                ips,
                Double.isNaN(etaSeconds) ? "-" : String.format(Locale.ROOT, "%.0f s", etaSeconds),
                lastEpoch);
    }
}
