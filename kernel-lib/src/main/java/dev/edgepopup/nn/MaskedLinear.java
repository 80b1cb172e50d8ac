package dev.edgepopup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.edgepopup.init.Init;

/** A bias-free fully connected layer with a masked weight of shape (out, in). */
public final class MaskedLinear extends MaskedLayer {
    private final int out;

    /**
     * @param label the layer's name
     * @param in input features
     * @param out output features
     * @param method how the layer learns
     * @param keep the kept fraction
     * @param init the weights' distribution
     * @param weightSeed this layer's weight seed
     * @param scoreSeed this layer's score seed
     */
    public MaskedLinear(
            String label,
            int in,
            int out,
            Method method,
            double keep,
            Init init,
            long weightSeed,
            long scoreSeed) {
        super(label, new Shape(out, in), in, out, method, keep, init, weightSeed, scoreSeed);
        this.out = out;
    }

    @Override
    protected NDArray apply(NDArray input, NDArray effectiveWeight) {
        return Linear.linear(input, effectiveWeight).head();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), out)};
    }
}
