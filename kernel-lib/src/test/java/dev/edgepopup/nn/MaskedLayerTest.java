package dev.edgepopup.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.edgepopup.init.Init;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The straight-through estimator against a hand computation (spec section 1). */
class MaskedLayerTest {
    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (2 * r.nextDouble() - 1);
        }
        return a;
    }

    /** kept = n - floor((1-k) n) of the largest |s|, by hand. */
    private static float[] handMask(float[] s, double k) {
        int n = s.length;
        int kept = n - (int) Math.floor((1 - k) * n);
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(Math.abs(s[b]), Math.abs(s[a])));
        float[] m = new float[n];
        for (int i = 0; i < kept; i++) {
            m[idx[i]] = 1;
        }
        return m;
    }

    @Test
    void linearScoreGradientIsSignTimesUpstreamTimesWeight() {
        int in = 5;
        int out = 4;
        int batch = 3;
        double k = 0.4;
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedLinear layer =
                    new MaskedLinear(
                            "fc", in, out, Method.EDGE_POPUP, k, Init.KAIMING_NORMAL, 11, 12);
            layer.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(batch, in));
            float[] w = layer.weight().getArray().toFloatArray();
            float[] s = layer.scores().getArray().toFloatArray();
            float[] x = random(batch * in, 3);
            float[] up = random(batch * out, 4); // dL/dy: L = sum(y * up)
            float[] mask = handMask(s, k);
            float[] grad;
            float[] y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray xa = m.create(x, new Shape(batch, in));
                NDArray ya =
                        layer.forward(
                                        new ai.djl.training.ParameterStore(m, false),
                                        new ai.djl.ndarray.NDList(xa),
                                        true)
                                .head();
                y = ya.toFloatArray();
                gc.backward(ya.mul(m.create(up, new Shape(batch, out))).sum());
            }
            grad = layer.scores().getArray().getGradient().toFloatArray();
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    int j = o * in + i;
                    // forward: y = x (W*mask)^T
                    double gEff = 0; // dL/dW_eff[o,i] = sum_b up[b,o] x[b,i]
                    for (int b = 0; b < batch; b++) {
                        gEff += up[b * out + o] * x[b * in + i];
                    }
                    double expected = Math.signum(s[j]) * gEff * w[j];
                    assertEquals(expected, grad[j], 1e-5, "score gradient at " + j);
                }
            }
            for (int b = 0; b < batch; b++) {
                for (int o = 0; o < out; o++) {
                    double v = 0;
                    for (int i = 0; i < in; i++) {
                        v += x[b * in + i] * w[o * in + i] * mask[o * in + i];
                    }
                    assertEquals(v, y[b * out + o], 1e-5);
                }
            }
            assertEquals(null, layer.weight().getArray().hasGradient() ? "grad" : null);
        }
    }

    @Test
    void convScoreGradientIsSignTimesUpstreamTimesWeight() {
        int c = 2;
        int o = 3;
        int h = 4;
        double k = 0.5;
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedConv layer =
                    new MaskedConv(
                            "conv",
                            c,
                            o,
                            3,
                            1,
                            Method.EDGE_POPUP,
                            k,
                            Init.SIGNED_KAIMING_CONSTANT,
                            1,
                            2);
            layer.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, c, h, h));
            float[] w = layer.weight().getArray().toFloatArray();
            float[] s = layer.scores().getArray().toFloatArray();
            float[] x = random(c * h * h, 5);
            float[] up = random(o * h * h, 6);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray ya =
                        layer.forward(
                                        new ai.djl.training.ParameterStore(m, false),
                                        new ai.djl.ndarray.NDList(
                                                m.create(x, new Shape(1, c, h, h))),
                                        true)
                                .head();
                gc.backward(ya.mul(m.create(up, new Shape(1, o, h, h))).sum());
            }
            float[] grad = layer.scores().getArray().getGradient().toFloatArray();
            // dL/dW_eff[oc, ic, ky, kx] = sum_{r,q} up[oc,r,q] * xpad[ic, r+ky-1, q+kx-1]
            for (int oc = 0; oc < o; oc++) {
                for (int ic = 0; ic < c; ic++) {
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            double g = 0;
                            for (int r = 0; r < h; r++) {
                                for (int q = 0; q < h; q++) {
                                    int rr = r + ky - 1;
                                    int qq = q + kx - 1;
                                    if (rr >= 0 && rr < h && qq >= 0 && qq < h) {
                                        g += up[(oc * h + r) * h + q] * x[(ic * h + rr) * h + qq];
                                    }
                                }
                            }
                            int j = ((oc * c + ic) * 3 + ky) * 3 + kx;
                            assertEquals(Math.signum(s[j]) * g * w[j], grad[j], 1e-5);
                        }
                    }
                }
            }
        }
    }

    @Test
    void maskHasExactKeptCountAndOnlyZeroOrOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            int[] sizes = {1, 2, 3, 7, 10, 64, 99, 1000, 4097};
            double[] ks = {0.01, 0.05, 0.1, 0.3, 1.0 / 3, 0.5, 0.7, 0.9, 0.99, 1.0};
            for (int n : sizes) {
                for (double k : ks) {
                    float[] s = random(n, n * 31L);
                    float[] mask = Masks.topK(m.create(s).abs(), k).toFloatArray();
                    long ones = 0;
                    for (float v : mask) {
                        assertTrue(v == 0f || v == 1f, "mask value " + v);
                        ones += (long) v;
                    }
                    assertEquals(n - (long) Math.floor((1 - k) * n), ones, "n=" + n + " k=" + k);
                    assertArrayEquals(handMask(s, k), mask, "n=" + n + " k=" + k);
                }
            }
        }
    }

    @Test
    void largeLayersTakeTheBracketedPathAndAgreeWithAFullSelection() {
        try (NDManager m = NDManager.newBaseManager()) {
            int bracketed = 0;
            for (int n : new int[] {(int) BracketedTopK.MIN_SIZE, 100_003, 235_200}) {
                float[] s = random(n, n);
                for (double k : new double[] {0.001, 0.05, 0.3, 0.5, 0.7, 0.97, 0.9999}) {
                    float[] mask = Masks.topK(m.create(s).abs(), k).toFloatArray();
                    assertArrayEquals(handMask(s, k), mask, "n=" + n + " k=" + k);
                    // The fast path itself, where its bracket holds, against the definition.
                    NDArray flat = m.create(s).abs();
                    long kept = Masks.keptCount(n, k);
                    NDArray fast = BracketedTopK.mask(flat, kept);
                    if (fast != null) {
                        bracketed++;
                        assertArrayEquals(
                                Masks.largest(flat, kept).toFloatArray(),
                                fast.toFloatArray(),
                                "n=" + n + " k=" + k);
                    }
                }
            }
            // Only the extreme fractions of the smaller layers leave the sample's range.
            assertTrue(bracketed >= 15, "bracketed " + bracketed + " of 21");
            // Many ties at the threshold: a quarter of the values share one magnitude.
            float[] s = random(200_000, 9);
            for (int i = 0; i < s.length; i += 4) {
                s[i] = 0.5f;
            }
            for (double k : new double[] {0.2, 0.5, 0.6}) {
                float[] mask = Masks.topK(m.create(s), k).toFloatArray();
                double ones = 0;
                for (int i = 0; i < s.length; i++) {
                    assertTrue(mask[i] == 0f || mask[i] == 1f);
                    ones += mask[i];
                }
                assertEquals(s.length - Math.floor((1 - k) * s.length), ones, "k=" + k);
                // Every kept value is at least every dropped value.
                float minKept = Float.MAX_VALUE;
                float maxDropped = -Float.MAX_VALUE;
                for (int i = 0; i < s.length; i++) {
                    if (mask[i] == 1f) {
                        minKept = Math.min(minKept, s[i]);
                    } else {
                        maxDropped = Math.max(maxDropped, s[i]);
                    }
                }
                assertTrue(minKept >= maxDropped, "k=" + k);
            }
        }
    }

    @Test
    void tiesStillGiveTheExactCountAndPreferLargerValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] s = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.9f, 0.1f};
            float[] mask = Masks.topK(m.create(s), 0.45).toFloatArray(); // kept = 10 - 5 = 5
            double ones = 0;
            for (float v : mask) {
                ones += v;
            }
            assertEquals(5, ones);
            assertEquals(1f, mask[8]);
            assertEquals(0f, mask[9]);
            float[] same = new float[100];
            java.util.Arrays.fill(same, 0.25f);
            for (double k : new double[] {0.01, 0.37, 0.5, 0.99}) {
                float[] mk = Masks.topK(m.create(same), k).toFloatArray();
                double c = 0;
                for (float v : mk) {
                    c += v;
                }
                assertEquals(100 - Math.floor((1 - k) * 100), c);
            }
        }
    }

    @Test
    void keptCountFollowsTheReferenceRounding() {
        assertEquals(1, Masks.keptCount(1, 0.01));
        assertEquals(2, Masks.keptCount(3, 0.5)); // 3 - floor(1.5)
        assertEquals(1728 - 1209, Masks.keptCount(1728, 0.3)); // floor(0.7 * 1728) = 1209
        assertEquals(10, Masks.keptCount(10, 1.0));
    }

    /** Frees arrays full of NaN, so that memory handed out next holds NaN unless overwritten. */
    private static void poisonFreedMemory(NDManager m) {
        for (long size : new long[] {1_000, 10_000, 100_000, 1_000_000}) {
            try (NDManager p = m.newSubManager()) {
                p.full(new Shape(size), Float.NaN);
            }
        }
    }

    @Test
    void convWithChannelsOffTheSimdBlockIsExactAndFiniteWhateverMemoryHeld() {
        // 27 channels in and out: libtorch's CPU convolution pads them to 32 and read the padding
        // uninitialised, which gave NaN or wrong values after NaN had been freed.
        int c = 27;
        int o = 27;
        int h = 6;
        int batch = 2;
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedConv layer =
                    new MaskedConv("conv", c, o, 3, 1, Method.DENSE, 1, Init.KAIMING_NORMAL, 1, 2);
            layer.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(batch, c, h, h));
            float[] w = layer.weight().getArray().toFloatArray();
            float[] x = random(batch * c * h * h, 7);
            float[] up = random(batch * o * h * h, 8);
            for (int round = 0; round < 3; round++) {
                NDArray xa = m.create(x, new Shape(batch, c, h, h));
                xa.setRequiresGradient(true);
                float[] y;
                poisonFreedMemory(m);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray ya =
                            layer.forward(
                                            new ai.djl.training.ParameterStore(m, false),
                                            new ai.djl.ndarray.NDList(xa.mul(1f)),
                                            true)
                                    .head();
                    y = ya.toFloatArray();
                    gc.backward(ya.mul(m.create(up, new Shape(batch, o, h, h))).sum());
                }
                float[] gx = xa.getGradient().toFloatArray();
                float[] gw = layer.weight().getArray().getGradient().toFloatArray();
                double[] ey = new double[y.length];
                double[] egx = new double[gx.length];
                double[] egw = new double[gw.length];
                for (int b = 0; b < batch; b++) {
                    for (int oc = 0; oc < o; oc++) {
                        for (int r = 0; r < h; r++) {
                            for (int q = 0; q < h; q++) {
                                int yi = ((b * o + oc) * h + r) * h + q;
                                for (int ic = 0; ic < c; ic++) {
                                    for (int ky = 0; ky < 3; ky++) {
                                        for (int kx = 0; kx < 3; kx++) {
                                            int rr = r + ky - 1;
                                            int qq = q + kx - 1;
                                            if (rr < 0 || rr >= h || qq < 0 || qq >= h) {
                                                continue;
                                            }
                                            int xi = ((b * c + ic) * h + rr) * h + qq;
                                            int wi = ((oc * c + ic) * 3 + ky) * 3 + kx;
                                            ey[yi] += w[wi] * x[xi];
                                            egx[xi] += w[wi] * up[yi];
                                            egw[wi] += x[xi] * up[yi];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                for (int i = 0; i < y.length; i++) {
                    assertEquals(ey[i], y[i], 1e-4, "output " + i + ", round " + round);
                }
                for (int i = 0; i < gx.length; i++) {
                    assertEquals(egx[i], gx[i], 1e-4, "input gradient " + i + ", round " + round);
                }
                for (int i = 0; i < gw.length; i++) {
                    assertEquals(egw[i], gw[i], 1e-4, "weight gradient " + i + ", round " + round);
                }
                layer.weight()
                        .getArray()
                        .getGradient()
                        .subi(layer.weight().getArray().getGradient());
            }
        }
    }

    @Test
    void forwardLeavesNoArraysOnTheParameterManager() {
        try (NDManager m = NDManager.newBaseManager();
                NDManager batch = NDManager.newBaseManager()) {
            MaskedLinear layer =
                    new MaskedLinear("fc", 8, 4, Method.EDGE_POPUP, 0.5, Init.KAIMING_NORMAL, 1, 2);
            layer.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(2, 8));
            int before = m.getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                layer.forward(
                        new ai.djl.training.ParameterStore(m, false),
                        new ai.djl.ndarray.NDList(batch.ones(new Shape(2, 8))),
                        true);
            }
            assertEquals(before, m.getManagedArrays().size());
        }
    }

    /** u ~ U[0, 1) with 24 random bits, from the next split stream of {@code draws}, by hand. */
    private static float[] handUniforms(SplittableRandom draws, int n) {
        SplittableRandom r = draws.split();
        float[] u = new float[n];
        for (int i = 0; i < n; i++) {
            u[i] = (r.nextInt() >>> 8) / 16777216f;
        }
        return u;
    }

    @Test
    void zhouMasksAreBernoulliDrawsFromTheLayersOwnSeed() {
        int in = 50;
        int out = 40;
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedLinear layer =
                    new MaskedLinear("fc", in, out, Method.ZHOU, 1, Init.KAIMING_NORMAL, 1, 2);
            layer.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, in));
            float[] s = random(in * out, 3);
            for (int i = 0; i < s.length; i++) {
                s[i] *= 4; // p = sigmoid(s) spreads over (0.02, 0.98)
            }
            layer.scores().getArray().set(s);
            SplittableRandom hand = new SplittableRandom(77);
            layer.maskSeed(77);
            for (int sample = 0; sample < 3; sample++) {
                float[] u = handUniforms(hand, s.length);
                float[] mask = layer.mask(m).toFloatArray();
                for (int i = 0; i < s.length; i++) {
                    double p = 1 / (1 + Math.exp(-s[i]));
                    // float32 sigmoid may round a p within 1e-6 of u the other way
                    if (Math.abs(u[i] - p) > 1e-6) {
                        assertEquals(u[i] < p ? 1f : 0f, mask[i], "sample " + sample + " i " + i);
                    }
                }
            }
            // PyTorch's own generator plays no part: reseeding it changes nothing.
            layer.maskSeed(5);
            float[] first = layer.mask(m).toFloatArray();
            Engine.getInstance().setRandomSeed(123);
            layer.maskSeed(5);
            assertArrayEquals(first, layer.mask(m).toFloatArray());
            layer.maskSeed(6);
            assertTrue(
                    !java.util.Arrays.equals(first, layer.mask(m).toFloatArray()),
                    "another seed, other masks");
        }
    }
}
