package dev.edgepopup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import java.util.SplittableRandom;

/**
 * Zhou et al.'s supermask: {@code p = sigmoid(s)}, the mask a Bernoulli(p) sample drawn on every
 * forward pass. The uniforms behind the draws come from this layer's own generator in Java, never
 * from PyTorch's global one, so networks trained on several threads at once draw exactly what each
 * would alone.
 */
final class ZhouRule implements MaskRule {
    /** Every mask sample takes the next independent stream split from it. */
    private SplittableRandom draws;

    ZhouRule(long seed) {
        draws = new SplittableRandom(seed);
    }

    /** Scores start at 0, so p = 0.5. */
    @Override
    public NDArray initialScores(NDManager m, Shape shape, int fanIn, int fanOut, long seed) {
        return m.zeros(shape);
    }

    @Override
    public NDArray soft(NDArray s) {
        return Activation.sigmoid(s);
    }

    @Override
    public NDArray hard(NDArray q, NDManager m) {
        return uniform(m, q.getShape()).lt(q).toType(DataType.FLOAT32, false);
    }

    /** The expected count, the sum of sigmoid(s), since the mask is resampled on every pass. */
    @Override
    public double keptCount(long weights, Parameter scores) {
        try (NoGrad off = NoGrad.enter();
                NDScope ignored = new NDScope()) {
            return Activation.sigmoid(scores.getArray()).sum().getFloat();
        }
    }

    /** The k-th sample after this call is the same on every run, thread and device. */
    @Override
    public void maskSeed(long seed) {
        draws = new SplittableRandom(seed);
    }

    /**
     * Uniforms in [0, 1) as PyTorch's {@code rand} makes them (24 random bits per float32), from
     * the next stream of the draws.
     */
    private NDArray uniform(NDManager m, Shape shape) {
        SplittableRandom r = draws.split();
        float[] u = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < u.length; i++) {
            u[i] = (r.nextInt() >>> 8) * 0x1.0p-24f;
        }
        return m.create(u, shape);
    }
}
