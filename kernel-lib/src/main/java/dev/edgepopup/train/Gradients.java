package dev.edgepopup.train;

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
            JniUtils.zeroGrad((PtNDArray) p.getArray());
        }
    }
}
