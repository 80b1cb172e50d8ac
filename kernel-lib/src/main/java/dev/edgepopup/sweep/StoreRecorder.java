package dev.edgepopup.sweep;

import dev.edgepopup.store.RunStore;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.TrainingListener;

/**
 * Writes a training's progress into the store: each finished epoch at once (committed before
 * training goes on), and which epoch the checkpoint file holds.
 *
 * <p>The training loop calls {@code onEpoch} before it writes that epoch's checkpoint, so the
 * checkpoint is known to be written only at the next callback (the next batch) or once {@link
 * dev.edgepopup.train.Training#run()} has returned; the sweep calls {@link #checkpointWritten()}
 * then.
 */
final class StoreRecorder implements TrainingListener {
    private final RunStore store;
    private final String key;
    private int unconfirmedCheckpoint;

    StoreRecorder(RunStore store, String key) {
        this.store = store;
        this.key = key;
    }

    @Override
    public void onStart(int firstEpoch, int epochs) {
        store.resumedAt(key, firstEpoch - 1);
    }

    @Override
    public void onBatch(
            int epoch,
            int batch,
            int batches,
            double loss,
            double accuracy,
            double imagesPerSecond) {
        checkpointWritten();
    }

    @Override
    public void onEpoch(EpochRecord record, int epochs) {
        store.recordEpoch(key, record);
        unconfirmedCheckpoint = record.epoch();
    }

    /** Records the last finished epoch's checkpoint as written. */
    void checkpointWritten() {
        if (unconfirmedCheckpoint > 0) {
            store.recordCheckpoint(key, unconfirmedCheckpoint);
            unconfirmedCheckpoint = 0;
        }
    }
}
