package dev.edgepopup.train;

/** Receives progress while a run trains (live notebook displays, logs). */
public interface TrainingListener {
    /**
     * A line about the run that is neither progress nor a result, e.g. why bf16 fell back to fp32.
     * The library prints nothing itself: a listener decides where such lines go.
     *
     * @param line the line, without a trailing newline
     */
    default void onNote(String line) {}

    /**
     * Before the first batch.
     *
     * @param firstEpoch the epoch training starts at, from 1 (later than 1 when resumed)
     * @param epochs the run's total epochs
     */
    default void onStart(int firstEpoch, int epochs) {}

    /**
     * After every training batch.
     *
     * @param epoch the epoch, from 1
     * @param batch the batch, from 1
     * @param batches batches in this epoch
     * @param loss the running mean loss of this epoch
     * @param accuracy the running training accuracy of this epoch
     * @param imagesPerSecond the epoch's training speed so far
     */
    default void onBatch(
            int epoch,
            int batch,
            int batches,
            double loss,
            double accuracy,
            double imagesPerSecond) {}

    /**
     * After every epoch, evaluation included.
     *
     * @param record the epoch's row
     * @param epochs the run's total epochs
     */
    default void onEpoch(EpochRecord record, int epochs) {}

    /**
     * When the run ends: completed, interrupted or stopped by a NaN.
     *
     * @param history the whole history
     */
    default void onEnd(History history) {}
}
