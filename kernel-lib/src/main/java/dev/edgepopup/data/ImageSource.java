package dev.edgepopup.data;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * Labelled images that training and evaluation read batch by batch: an in-memory {@link ImageSet}
 * (Fashion-MNIST, CIFAR-10) or an {@link ImageFolder} on disk (ImageNet).
 *
 * <p>A batch is prepared on the host first ({@link #prefetch}), so a source that decodes files can
 * work on the next batch while the device runs the current one; only {@link HostBatch#toNDList}
 * touches native memory, on the caller's per-step manager.
 */
public interface ImageSource {
    /**
     * @return a name for tables and error messages
     */
    String name();

    /**
     * @return the number of examples
     */
    int size();

    /**
     * @return the number of classes
     */
    int classes();

    /**
     * @return the shape of one image of a batch, (C, H, W)
     */
    Shape imageShape();

    /**
     * @param i an example's index
     * @return its label
     */
    int label(int i);

    /**
     * Starts preparing a batch and returns; the random draws of the augmentation are taken from
     * {@code augment} now, on the calling thread, so batches are the same whatever threads do the
     * work.
     *
     * @param indices the examples, in order
     * @param augment the random source of the training augmentation, or null for none
     * @return the batch once prepared; a failure carries a {@link CorruptDataException} naming the
     *     file
     */
    CompletableFuture<HostBatch> prefetch(int[] indices, SplittableRandom augment);

    /**
     * Makes one batch at once: normalised float32 images (N, C, H, W) and int32 labels (N).
     *
     * @param manager the manager that owns the batch (a per-step sub-manager)
     * @param indices the examples, in order
     * @param augment the random source of the training augmentation, or null for none
     * @return the images and the labels, on {@code manager}
     */
    default NDList batch(NDManager manager, int[] indices, SplittableRandom augment) {
        return HostBatch.await(prefetch(indices, augment)).toNDList(manager);
    }
}
