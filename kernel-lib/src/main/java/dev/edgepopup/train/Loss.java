package dev.edgepopup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Cross-entropy with optional label smoothing, as torch's CrossEntropyLoss. */
public final class Loss {
    private Loss() {}

    /**
     * Mean cross-entropy of a batch.
     *
     * @param logits (N, classes)
     * @param labels (N) integer class labels
     * @param smoothing label smoothing in [0, 1): the target puts {@code 1 - smoothing +
     *     smoothing/classes} on the label and {@code smoothing/classes} elsewhere
     * @return a scalar
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels, double smoothing) {
        int classes = (int) logits.getShape().get(1);
        NDArray logp = logits.logSoftmax(1);
        NDArray target = labels.oneHot(classes, DataType.FLOAT32);
        if (smoothing > 0) {
            target = target.mul(1 - smoothing).add(smoothing / classes);
        }
        return logp.mul(target).sum(new int[] {1}).mean().neg();
    }
}
