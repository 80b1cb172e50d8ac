package dev.edgepopup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import dev.edgepopup.data.ImageSource;
import dev.edgepopup.nn.MaskedLayer;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.NoGrad;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Theorem 1 of the paper, checked numerically: when a small gradient step on the scores makes
 * edges swap in or out of the subnetwork, the mini-batch loss should decrease. For each step size
 * this takes plain SGD steps on the scores of an edge-popup network and, on every step that
 * swapped edges, compares the loss on the same mini-batch before and after.
 */
public final class SwapCheck {
    private SwapCheck() {}

    /**
     * What one step size did.
     *
     * @param lr the step size
     * @param steps steps taken
     * @param withSwaps steps after which at least one edge had swapped
     * @param decreased of those, the steps after which the mini-batch loss was lower
     * @param meanSwaps mean number of edges swapped in per swapping step
     */
    public record Result(double lr, int steps, int withSwaps, int decreased, double meanSwaps) {
        /** @return decreased / withSwaps, NaN when nothing swapped */
        public double fractionDecreased() {
            return withSwaps == 0 ? Double.NaN : (double) decreased / withSwaps;
        }
    }

    /**
     * Runs the check; the network's scores are restored afterwards.
     *
     * @param net an edge-popup network
     * @param data training examples
     * @param lrs the step sizes to try, each from the same initial scores
     * @param steps steps per step size
     * @param batchSize examples per mini-batch
     * @param seed the seed of the mini-batches
     * @return one result per step size
     */
    public static List<Result> run(Net net, ImageSource data, double[] lrs, int steps,
            int batchSize, long seed) {
        List<Parameter> scores = net.trainable();
        List<float[]> initial = new ArrayList<>();
        for (Parameter p : scores) {
            initial.add(p.getArray().toFloatArray());
        }
        List<Result> out = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (double lr : lrs) {
                restore(scores, initial);
                SplittableRandom rng = new SplittableRandom(seed);
                int withSwaps = 0;
                int decreased = 0;
                long swapped = 0;
                for (int step = 0; step < steps; step++) {
                    int[] idx = rng.ints(batchSize, 0, data.size()).toArray();
                    try (NDManager batch = m.newSubManager(); NDScope ignored = new NDScope()) {
                        NDList xy = data.batch(batch, idx, null);
                        List<float[]> before = masks(net, batch);
                        float loss0;
                        try (Gradients.Tape tape = Gradients.record()) {
                            NDArray l = Loss.crossEntropy(net.forward(xy.get(0), true),
                                    xy.get(1), 0);
                            loss0 = l.getFloat();
                            tape.backward(l);
                        }
                        try (NoGrad off = NoGrad.enter()) {
                            for (Parameter p : scores) {
                                NDArray g = p.getArray().getGradient();
                                p.getArray().subi(g.mul(lr));
                                Gradients.zero(p.getArray());
                            }
                        }
                        long in = swapsIn(before, masks(net, batch));
                        if (in > 0) {
                            withSwaps++;
                            swapped += in;
                            float loss1;
                            try (NoGrad off = NoGrad.enter()) {
                                loss1 = Loss.crossEntropy(net.forward(xy.get(0), false),
                                        xy.get(1), 0).getFloat();
                            }
                            if (loss1 < loss0) {
                                decreased++;
                            }
                        }
                    }
                }
                out.add(new Result(lr, steps, withSwaps, decreased,
                        withSwaps == 0 ? 0 : (double) swapped / withSwaps));
            }
        } finally {
            restore(scores, initial);
        }
        return out;
    }

    private static void restore(List<Parameter> scores, List<float[]> values) {
        try (NoGrad off = NoGrad.enter()) {
            for (int i = 0; i < scores.size(); i++) {
                scores.get(i).getArray().set(values.get(i));
            }
        }
    }

    private static List<float[]> masks(Net net, NDManager manager) {
        List<float[]> out = new ArrayList<>();
        for (MaskedLayer l : net.layers()) {
            out.add(l.mask(manager).toFloatArray());
        }
        return out;
    }

    /** Edges that entered the subnetwork (as many left, since every layer keeps its count). */
    private static long swapsIn(List<float[]> before, List<float[]> after) {
        long n = 0;
        for (int i = 0; i < before.size(); i++) {
            float[] a = before.get(i);
            float[] b = after.get(i);
            for (int j = 0; j < a.length; j++) {
                if (a[j] == 0 && b[j] == 1) {
                    n++;
                }
            }
        }
        return n;
    }
}
