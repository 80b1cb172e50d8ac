package dev.edgepopup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;

/**
 * Backward passes and the gradients they leave on the trained tensors. The library runs its own
 * backward instead of DJL's {@code GradientCollector}: that one allows a single collector per JVM
 * (a static flag), so two trainings on two threads could not both compute gradients. PyTorch keeps
 * gradient recording per thread, so a {@link Tape} touches only its own thread.
 */
final class Gradients {
    private Gradients() {}

    /**
     * Records the autograd graph of this thread's operations until closed.
     *
     * @return the tape; close it to restore the thread's previous recording mode
     */
    static Tape record() {
        return new Tape();
    }

    /** Gradient recording on the current thread, and backward passes through what it recorded. */
    static final class Tape implements AutoCloseable {
        private final boolean previous;

        private Tape() {
            previous = JniUtils.isGradMode();
            JniUtils.setGradMode(true);
        }

        /**
         * Adds d(sum of {@code loss})/dx to the gradient of every tensor x that records one
         * (PyTorch accumulates: {@link #zero} clears them), and frees the graph.
         *
         * @param loss a value computed while this tape recorded
         */
        void backward(NDArray loss) {
            try (NDArray ones = loss.onesLike()) {
                JniUtils.backward((PtNDArray) loss, (PtNDArray) ones, false, false);
            }
        }

        @Override
        public void close() {
            JniUtils.setGradMode(previous);
        }
    }

    /**
     * Sets the gradients to zero (also NaN ones, which {@code g - g} would keep).
     *
     * @param params the trained tensors
     */
    static void zero(List<Parameter> params) {
        for (Parameter p : params) {
            zero(p.getArray());
        }
    }

    /**
     * Sets one tensor's gradient to zero, as {@link #zero(List)}.
     *
     * @param array a tensor that records its gradient
     */
    static void zero(NDArray array) {
        JniUtils.zeroGrad((PtNDArray) array);
    }
}
