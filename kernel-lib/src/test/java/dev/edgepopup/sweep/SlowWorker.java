package dev.edgepopup.sweep;

import dev.edgepopup.train.TrainingListener;
import java.util.List;

/**
 * The worker the cancel test's tasks run: {@link SlurmWorker} with a pause after every batch, which
 * changes no result, so that a task can be cancelled halfway through its run.
 */
public final class SlowWorker {
    /** Pause after each batch. */
    static final long PAUSE_MILLIS = 250;

    private SlowWorker() {}

    /**
     * @param args as {@link SlurmWorker}'s
     */
    public static void main(String[] args) {
        TrainingListener slow =
                new TrainingListener() {
                    @Override
                    public void onBatch(
                            int epoch,
                            int batch,
                            int batches,
                            double loss,
                            double accuracy,
                            double imagesPerSecond) {
                        try {
                            Thread.sleep(PAUSE_MILLIS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt(); // SIGTERM: the training stops here
                        }
                    }
                };
        System.exit(SlurmWorker.run(args, List.of(slow), System.getenv(), System.out));
    }
}
