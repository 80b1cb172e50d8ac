package dev.edgepopup.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.edgepopup.init.Init;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bfloat16 and channels-last against hand computations and against float32 NCHW. */
class PrecisionTest {
    /** Rounds to the nearest bfloat16 (ties to even), as PyTorch's cast does. */
    static float bf16(double v) {
        int bits = Float.floatToRawIntBits((float) v);
        int lsb = (bits >> 16) & 1;
        return Float.intBitsToFloat((bits + 0x7FFF + lsb) & 0xFFFF0000);
    }

    /** Small integers: exact in bfloat16, so products and sums of them are exact too. */
    private static float[] ints(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(-3, 4);
        }
        return a;
    }

    @Test
    void handRoundingMatchesTheCast() {
        assertEquals(1f, bf16(1 + 0x1p-8)); // a tie: to even
        assertEquals(1 + 0x1p-6f, bf16(1 + 3 * 0x1p-8)); // a tie: to even, upwards
        assertEquals(3.140625f, bf16(Math.PI));
    }

    @Test
    void bf16EdgePopupLinearUsesBf16WeightsAndSendsFloat32ScoreGradients() {
        int in = 6;
        int out = 4;
        int batch = 3;
        double k = 0.5;
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedLinear layer =
                    new MaskedLinear(
                            "fc", in, out, Method.EDGE_POPUP, k, Init.KAIMING_NORMAL, 11, 12);
            layer.initialize(m, DataType.FLOAT32, new Shape(batch, in));
            layer.precision(Precision.BF16);
            float[] w = layer.weight().getArray().toFloatArray();
            float[] s = layer.scores().getArray().toFloatArray();
            float[] mask = layer.mask(m).toFloatArray();
            float[] x = ints(batch * in, 1);
            float[] up = ints(batch * out, 2);
            float[] y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray x16 = TorchCasts.toBf16(m.create(x, new Shape(batch, in)));
                NDArray ya =
                        TorchCasts.toFp32(
                                layer.forward(new ParameterStore(m, false), new NDList(x16), true)
                                        .head());
                y = ya.toFloatArray();
                gc.backward(ya.mul(m.create(up, new Shape(batch, out))).sum());
            }
            NDArray grad = layer.scores().getArray().getGradient();
            assertEquals(DataType.FLOAT32, grad.getDataType());
            assertEquals(
                    DataType.FLOAT32,
                    layer.weight().getArray().getDataType(),
                    "the float32 weight stays as it was");
            assertArrayEquals(w, layer.weight().getArray().toFloatArray());
            float[] g = grad.toFloatArray();
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    int j = o * in + i;
                    double gEff = 0; // exact: small integers
                    for (int b = 0; b < batch; b++) {
                        gEff += up[b * out + o] * x[b * in + i];
                    }
                    // dL/dW_eff * W16, one bfloat16 product, then float32 to the score.
                    assertEquals(
                            Math.signum(s[j]) * bf16(gEff * bf16(w[j])),
                            g[j],
                            1e-7,
                            "score gradient " + j);
                }
            }
            for (int b = 0; b < batch; b++) {
                for (int o = 0; o < out; o++) {
                    double v = 0;
                    for (int i = 0; i < in; i++) {
                        v += x[b * in + i] * bf16(w[o * in + i]) * mask[o * in + i];
                    }
                    // Accumulated in float32, rounded once to bfloat16: within one rounding.
                    assertEquals(bf16(v), y[b * out + o], Math.abs(v) * 0x1p-7 + 1e-6);
                }
            }
        }
    }

    @Test
    void bf16DenseLinearSendsItsGradientToTheFloat32Master() {
        int in = 5;
        int out = 3;
        int batch = 4;
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedLinear layer =
                    new MaskedLinear("fc", in, out, Method.DENSE, 1, Init.KAIMING_NORMAL, 1, 2);
            layer.initialize(m, DataType.FLOAT32, new Shape(batch, in));
            layer.precision(Precision.BF16);
            float[] x = ints(batch * in, 3);
            float[] up = ints(batch * out, 4);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray x16 = TorchCasts.toBf16(m.create(x, new Shape(batch, in)));
                NDArray ya =
                        TorchCasts.toFp32(
                                layer.forward(new ParameterStore(m, false), new NDList(x16), true)
                                        .head());
                gc.backward(ya.mul(m.create(up, new Shape(batch, out))).sum());
            }
            NDArray grad = layer.weight().getArray().getGradient();
            assertEquals(DataType.FLOAT32, grad.getDataType());
            float[] g = grad.toFloatArray();
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    double e = 0;
                    for (int b = 0; b < batch; b++) {
                        e += up[b * out + o] * x[b * in + i];
                    }
                    assertEquals(e, g[o * in + i], 0, "weight gradient " + o + "," + i);
                }
            }
        }
    }

    /** Logits and trained-tensor gradients of one pass, with the Zhou draws fixed by a seed. */
    private static List<float[]> pass(Net net, float[] images, int batch) {
        List<float[]> out = new ArrayList<>();
        NetSpec s = net.spec();
        try (NDManager m = net.manager().newSubManager()) {
            net.maskSeed(7);
            NDArray x =
                    m.create(images, new Shape(batch, s.channels(), s.height(), s.imageWidth()));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = net.forward(x, true);
                assertEquals(DataType.FLOAT32, logits.getDataType());
                out.add(logits.toFloatArray());
                gc.backward(logits.mul(logits).sum());
            }
            for (Parameter p : net.trainable()) {
                assertEquals(DataType.FLOAT32, p.getArray().getGradient().getDataType());
                out.add(p.getArray().getGradient().toFloatArray());
                JniUtils.zeroGrad((PtNDArray) p.getArray()); // backward adds to gradients
            }
        }
        return out;
    }

    private static double cosine(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }

    private static float[] images(NetSpec s, int batch) {
        SplittableRandom r = new SplittableRandom(5);
        float[] a = new float[batch * s.channels() * s.height() * s.imageWidth()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Test
    void everyMethodAndLayoutAgreesWithFloat32Nchw() {
        int batch = 4;
        // Width 0.421875 gives 27 and 54 channels: the padded convolution path runs too. The
        // ResNet adds batch norm (float32 statistics on bfloat16 activations) and residual sums.
        for (Nets arch :
                new Nets[] {
                    Nets.fc(), Nets.conv4().width(0.421875), Nets.of("resnet18_cifar").width(0.25)
                }) {
            for (Method method : Method.values()) {
                try (Net net = arch.method(method).seed(2).build()) {
                    float[] x = images(net.spec(), batch);
                    List<float[]> reference = pass(net, x, batch);
                    for (Precision p : Precision.values()) {
                        for (boolean cl : new boolean[] {false, true}) {
                            String what =
                                    net.spec().arch()
                                            + " "
                                            + method
                                            + " "
                                            + p
                                            + (cl ? " channels-last" : "");
                            List<float[]> got = pass(net.precision(p).channelsLast(cl), x, batch);
                            for (int i = 0; i < got.size(); i++) {
                                float[] e = reference.get(i);
                                float[] a = got.get(i);
                                int layers = net.layers().size();
                                if (p == Precision.FP32 && layers > 8) {
                                    // The layout changes the summation order, which batch
                                    // norm's backward (differences of means) amplifies: Zhou's
                                    // ResNet moves its first layers' gradients by 2% of max.
                                    assertTrue(
                                            cosine(e, a) > 0.999,
                                            what + " array " + i + " cosine " + cosine(e, a));
                                } else if (p == Precision.FP32) {
                                    // The layout alone changes only the summation order.
                                    double scale = 1e-4 * maxAbs(e) + 1e-7;
                                    for (int j = 0; j < e.length; j++) {
                                        assertEquals(e[j], a[j], scale, what + " array " + i);
                                    }
                                } else {
                                    // bfloat16 rounds every layer's output: gradients drift
                                    // the further back they go (first conv of Conv4: 0.988,
                                    // of the 21-layer ResNet with batch norm: 0.91). A dense
                                    // ResNet's batch-norm shifts and scales (after the layers)
                                    // get sums of gradients that mostly cancel: 0.80.
                                    double floor = i > layers ? 0.7 : layers > 8 ? 0.9 : 0.98;
                                    assertTrue(
                                            cosine(e, a) > floor,
                                            what + " array " + i + " cosine " + cosine(e, a));
                                }
                            }
                        }
                    }
                    net.precision(Precision.FP32).channelsLast(false);
                    assertArrayEquals(
                            reference.get(0),
                            pass(net, x, batch).get(0),
                            "back to float32 NCHW: the same logits again");
                }
            }
        }
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static String support(Path dir, String name, String flags) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(
                f,
                "processor\t: 0\nflags\t\t: fpu sse2 "
                        + flags
                        + "\n"
                        + "bogomips\t: 4000\nprocessor\t: 1\nflags\t\t: fpu\n");
        return Precision.bf16Support(f);
    }

    @Test
    void bf16IsNativeWithAmxOrAvx512Bf16(@TempDir Path dir) throws Exception {
        assertNull(support(dir, "sapphire-rapids", "avx512f avx512_bf16 amx_bf16 amx_tile"));
        assertNull(support(dir, "amx-only", "amx_bf16 amx_tile amx_int8"));
        assertNull(support(dir, "zen4", "avx2 avx512f avx512_bf16"));
        assertEquals(
                "this CPU has neither AVX512-BF16 (no avx512_bf16) nor AMX (no amx_bf16 and"
                        + " no amx_tile) in the flags of "
                        + dir.resolve("avx2"),
                support(dir, "avx2", "avx2 fma"));
        assertEquals(
                "this CPU has neither AVX512-BF16 (no avx512_bf16) nor AMX (no amx_tile) in"
                        + " the flags of "
                        + dir.resolve("half-amx"),
                support(dir, "half-amx", "avx512f amx_bf16"));
        assertTrue(Precision.bf16Support(dir.resolve("missing")).contains("cannot tell"));
    }

    @Test
    void bf16FallsBackWithOneLineUnlessForced() {
        List<String> notes = new ArrayList<>();
        assertEquals(Precision.FP32, Precision.FP32.resolve(false, notes::add));
        assertEquals(Precision.BF16, Precision.BF16.resolve(true, notes::add));
        assertEquals(List.of(), notes);
        Precision used = Precision.BF16.resolve(false, notes::add);
        boolean fast =
                Engine.getInstance().defaultDevice().isGpu()
                        || Precision.bf16Support(Path.of("/proc/cpuinfo")) == null;
        assertEquals(fast ? Precision.BF16 : Precision.FP32, used);
        assertEquals(fast ? 0 : 1, notes.size(), notes.toString());
        assertEquals(used, Precision.fastest(), "the fastest is what bf16 resolves to");
        notes.forEach(
                n -> assertTrue(n.startsWith("bf16 falls back to fp32: this CPU has neither"), n));
    }

    @Test
    void labelsParseBack() {
        for (Precision p : Precision.values()) {
            assertEquals(p, Precision.parse(p.label()));
        }
        assertEquals(Precision.BF16, Precision.parse("BF16"));
        assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp16"));
    }
}
