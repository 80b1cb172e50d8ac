package dev.edgepopup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;

/** The gradients a backward pass left on the trained tensors. */
final class Gradients {
    private Gradients() {}

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
