package dev.edgepopup.data;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A batch prepared on the host: normalised images and labels, not yet on any device.
 *
 * @param images {@code n * C * H * W} values, NCHW
 * @param labels the {@code n} labels
 * @param shape (n, C, H, W)
 */
public record HostBatch(float[] images, int[] labels, Shape shape) {
    /**
     * @param manager the manager that owns the batch (a per-step sub-manager)
     * @return float32 images and int32 labels on {@code manager}
     */
    public NDList toNDList(NDManager manager) {
        return new NDList(manager.create(FloatBuffer.wrap(images), shape), manager.create(labels));
    }

    /**
     * Waits for a prefetched batch; a preparation failure is rethrown as itself (a {@link
     * CorruptDataException}, say), not wrapped.
     *
     * @param pending the batch being prepared
     * @return the batch
     */
    public static HostBatch await(CompletableFuture<HostBatch> pending) {
        try {
            return pending.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
