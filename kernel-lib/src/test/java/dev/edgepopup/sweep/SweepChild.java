package dev.edgepopup.sweep;

import dev.edgepopup.store.RunStore;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.TrainingListener;
import java.nio.file.Path;

/**
 * The JVM the SIGKILL test kills: runs {@link TinySweeps#twoRunsOfFourEpochs} slowed down (a pause
 * per batch, which changes no result) and prints {@code epoch <key> <n>} after the store has
 * committed each epoch.
 */
public final class SweepChild {
    private SweepChild() {}

    /**
     * @param args the database file
     */
    public static void main(String[] args) {
        try (RunStore store = RunStore.open(Path.of(args[0]))) {
            TinySweeps.twoRunsOfFourEpochs(store)
                    .listener(
                            c ->
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
                                                Thread.sleep(40);
                                            } catch (InterruptedException e) {
                                                Thread.currentThread().interrupt();
                                            }
                                        }

                                        @Override
                                        public void onEpoch(EpochRecord r, int epochs) {
                                            System.out.println(
                                                    "epoch " + c.key() + " " + r.epoch());
                                            System.out.flush();
                                        }
                                    })
                    .run();
            System.out.println("sweep finished");
        }
    }
}
