package dev.edgepopup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.edgepopup.init.Init;

/**
 * Edge-popup (Ramanujan et al. 2020, Algorithm 1): the weights stay at their random values; the
 * mask keeps the top-k fraction of |s| in the layer, and the backward pass updates every score
 * through |s| (straight-through). Start reading here; {@link MaskedLayer} applies the rule.
 */
final class EdgePopupRule implements MaskRule {
    private final double keep;

    EdgePopupRule(double keep) {
        this.keep = keep;
    }

    /** Scores start as PyTorch's default (Kaiming-uniform), as the reference code's do. */
    @Override
    public NDArray initialScores(NDManager m, Shape shape, int fanIn, int fanOut, long seed) {
        int n = Math.toIntExact(shape.size());
        return m.create(Init.PYTORCH_DEFAULT.sample(n, fanIn, fanOut, 1, seed), shape);
    }

    @Override
    public NDArray soft(NDArray s) {
        return s.abs();
    }

    @Override
    public NDArray hard(NDArray q, NDManager m) {
        return Masks.topK(q, keep);
    }

    @Override
    public double keptCount(long weights, Parameter scores) {
        return Masks.keptCount(weights, keep);
    }
}
