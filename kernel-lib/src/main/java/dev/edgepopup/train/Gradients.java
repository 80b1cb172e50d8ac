package dev.edgepopup.train;

import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.edgepopup.nn.NoGrad;
import java.util.List;

/** The gradients a backward pass left on the trained tensors. */
final class Gradients {
    private Gradients() {}

    /**
     * Whether every gradient is finite: one sum per tensor, since a NaN or an infinity anywhere
     * makes the sum non-finite.
     *
     * @param params the trained tensors
     * @return true when all gradients are finite
     */
    static boolean finite(List<Parameter> params) {
        try (NoGrad off = NoGrad.enter(); NDScope ignored = new NDScope()) {
            for (Parameter p : params) {
                if (!Float.isFinite(p.getArray().getGradient().sum().getFloat())) {
                    return false;
                }
            }
            return true;
        }
    }

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
