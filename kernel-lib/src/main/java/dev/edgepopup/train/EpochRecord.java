package dev.edgepopup.train;

/**
 * One epoch of a run.
 *
 * @param epoch the epoch, from 1
 * @param trainLoss mean training loss over the epoch's batches
 * @param trainAccuracy training accuracy over the epoch (augmented batches, as they were seen)
 * @param testAccuracy test accuracy after the epoch; NaN for an epoch cut short
 * @param lr the epoch's learning rate
 * @param seconds wall-clock seconds of the epoch, evaluation included
 * @param imagesPerSecond training images per second (evaluation excluded)
 * @param complete false for an epoch stopped by an interrupt
 */
public record EpochRecord(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double testAccuracy,
        double lr,
        double seconds,
        double imagesPerSecond,
        boolean complete) {}
