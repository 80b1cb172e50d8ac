package dev.edgepopup.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The optimizers against PyTorch's update rules, computed by hand in double precision. */
class OptimizerTest {
    private static final float[] P0 = {0.5f, -1.0f, 2.0f};
    private static final float[] X = {1.0f, 2.0f, -0.5f};

    /** Loss = sum((p * x)^2) / 2, so grad = p * x^2. */
    private static float[] run(Recipe r, double[] lrs) {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p =
                    Parameter.builder()
                            .setName("p")
                            .setType(Parameter.Type.WEIGHT)
                            .optArray(m.create(P0.clone()))
                            .build();
            p.getArray().setRequiresGradient(true);
            Optimizer opt = Optimizer.of(r, List.of(p), m);
            NDArray x = m.create(X);
            for (double lr : lrs) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(p.getArray().mul(x).square().sum().div(2));
                }
                opt.step(lr);
            }
            return p.getArray().toFloatArray();
        }
    }

    @Test
    void sgdIsPyTorchsFormUnderAChangingLearningRate() {
        double m = 0.9;
        double wd = 0.01;
        double[] lrs = {0.1, 0.05, 0.02, 0.3};
        float[] got = run(Recipe.DENSE_SGD.momentum(m).weightDecay(wd), lrs);
        for (int i = 0; i < P0.length; i++) {
            double p = P0[i];
            double buf = 0;
            for (int s = 0; s < lrs.length; s++) {
                double g = p * X[i] * X[i] + wd * p;
                buf = s == 0 ? g : m * buf + g;
                p -= lrs[s] * buf;
            }
            assertEquals(p, got[i], 1e-5, "element " + i);
        }
    }

    @Test
    void adamIsTorchOptimAdam() {
        double wd = 0.1;
        double[] lrs = {0.01, 0.01, 0.005};
        float[] got = run(Recipe.DENSE_ADAM.weightDecay(wd), lrs);
        for (int i = 0; i < P0.length; i++) {
            double p = P0[i];
            double mm = 0;
            double v = 0;
            for (int s = 0; s < lrs.length; s++) {
                double g = p * X[i] * X[i] + wd * p;
                mm = 0.9 * mm + 0.1 * g;
                v = 0.999 * v + 0.001 * g * g;
                double c1 = 1 - Math.pow(0.9, s + 1);
                double c2 = 1 - Math.pow(0.999, s + 1);
                p -= lrs[s] / c1 * mm / (Math.sqrt(v) / Math.sqrt(c2) + 1e-8);
            }
            assertEquals(p, got[i], 1e-5, "element " + i);
        }
    }

    @Test
    void labelSmoothedCrossEntropyByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] logits = {1f, 2f, 0.5f, -1f, 0f, 3f};
            int[] labels = {1, 2};
            for (double eps : new double[] {0, 0.1}) {
                double expected = 0;
                for (int b = 0; b < 2; b++) {
                    double z = 0;
                    for (int c = 0; c < 3; c++) {
                        z += Math.exp(logits[b * 3 + c]);
                    }
                    for (int c = 0; c < 3; c++) {
                        double t = (c == labels[b] ? 1 - eps : 0) + eps / 3;
                        expected -= t * (logits[b * 3 + c] - Math.log(z));
                    }
                }
                expected /= 2;
                float got =
                        Loss.crossEntropy(
                                        m.create(logits, new ai.djl.ndarray.types.Shape(2, 3)),
                                        m.create(labels),
                                        eps)
                                .getFloat();
                assertEquals(expected, got, 1e-6);
            }
        }
    }
}
