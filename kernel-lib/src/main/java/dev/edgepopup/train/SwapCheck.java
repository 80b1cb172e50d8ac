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
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Theorem 1 of the paper, checked numerically: when a small gradient step on the scores makes edges
 * swap in or out of the subnetwork, the mini-batch loss should decrease. For each step size this
 * takes plain SGD steps on the scores of an edge-popup network and, on every step that swapped
 * edges, compares the loss on the same mini-batch before and after.
 *
 * <p>Two things put the count in context. A control: on every swapping step, the same number of
 * edges per layer is swapped at random instead (random kept edges out, random pruned edges in, from
 * the same scores before the step), which lowers the loss about as often as chance would have it.
 * And the theorem's setting: it treats swaps within one layer (appendix B.1: any number of them),
 * while a step on every layer's scores may swap edges in several layers at once; those steps are
 * counted apart.
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
     * @param oneLayer swapping steps whose swaps all lay in one layer (Theorem 1's setting)
     * @param oneLayerDecreased of those, the steps after which the loss was lower
     * @param randomDecreased swapping steps after which the control, as many random swaps per
     *     layer, gave a lower loss
     */
    public record Result(
            double lr,
            int steps,
            int withSwaps,
            int decreased,
            double meanSwaps,
            int oneLayer,
            int oneLayerDecreased,
            int randomDecreased) {
        /**
         * @return decreased / withSwaps, NaN when nothing swapped
         */
        public double fractionDecreased() {
            return fraction(decreased, withSwaps);
        }

        /**
         * @return oneLayerDecreased / oneLayer, NaN when no step swapped in one layer only
         */
        public double fractionOneLayerDecreased() {
            return fraction(oneLayerDecreased, oneLayer);
        }

        /**
         * @return randomDecreased / withSwaps: the control's rate, NaN when nothing swapped
         */
        public double fractionRandomDecreased() {
            return fraction(randomDecreased, withSwaps);
        }

        private static double fraction(int part, int whole) {
            return whole == 0 ? Double.NaN : (double) part / whole;
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
     * @param seed the seed of the mini-batches and of the control's random swaps
     * @return one result per step size
     */
    public static List<Result> run(
            Net net, ImageSource data, double[] lrs, int steps, int batchSize, long seed) {
        List<Parameter> scores = net.trainable();
        List<float[]> initial = values(scores);
        List<Result> out = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (double lr : lrs) {
                restore(scores, initial);
                SplittableRandom rng = new SplittableRandom(seed);
                SplittableRandom control = new SplittableRandom(~seed);
                int withSwaps = 0;
                int decreased = 0;
                int oneLayer = 0;
                int oneLayerDecreased = 0;
                int randomDecreased = 0;
                long swapped = 0;
                for (int step = 0; step < steps; step++) {
                    int[] idx = rng.ints(batchSize, 0, data.size()).toArray();
                    try (NDManager batch = m.newSubManager();
                            NDScope ignored = new NDScope()) {
                        NDList xy = data.batch(batch, idx, null);
                        List<float[]> before = masks(net, batch);
                        List<float[]> scoresBefore = values(scores);
                        float loss0;
                        try (Gradients.Tape tape = Gradients.record()) {
                            NDArray l =
                                    Loss.crossEntropy(net.forward(xy.get(0), true), xy.get(1), 0);
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
                        int[] in = swapsIn(before, masks(net, batch));
                        long total = Arrays.stream(in).asLongStream().sum();
                        if (total > 0) {
                            withSwaps++;
                            swapped += total;
                            boolean lower = loss(net, xy) < loss0;
                            decreased += lower ? 1 : 0;
                            if (Arrays.stream(in).filter(n -> n > 0).count() == 1) {
                                oneLayer++;
                                oneLayerDecreased += lower ? 1 : 0;
                            }
                            List<float[]> scoresAfter = values(scores);
                            restore(scores, randomSwaps(scoresBefore, before, in, control));
                            randomDecreased += loss(net, xy) < loss0 ? 1 : 0;
                            restore(scores, scoresAfter);
                        }
                    }
                }
                out.add(
                        new Result(
                                lr,
                                steps,
                                withSwaps,
                                decreased,
                                withSwaps == 0 ? 0 : (double) swapped / withSwaps,
                                oneLayer,
                                oneLayerDecreased,
                                randomDecreased));
            }
        } finally {
            restore(scores, initial);
        }
        return out;
    }

    /** The mini-batch loss of the network as it is now, without a graph. */
    private static float loss(Net net, NDList xy) {
        try (NoGrad off = NoGrad.enter()) {
            return Loss.crossEntropy(net.forward(xy.get(0), false), xy.get(1), 0).getFloat();
        }
    }

    private static List<float[]> values(List<Parameter> params) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : params) {
            out.add(p.getArray().toFloatArray());
        }
        return out;
    }

    /**
     * Scores whose masks differ from {@code masks} by {@code in[l]} random swaps in layer l: the
     * score of a random kept edge trades places with that of a random pruned one, so the two edges
     * trade their places in the ranking and the layer keeps its count.
     */
    static List<float[]> randomSwaps(
            List<float[]> scores, List<float[]> masks, int[] in, SplittableRandom rng) {
        List<float[]> out = new ArrayList<>();
        for (int l = 0; l < scores.size(); l++) {
            float[] s = scores.get(l).clone();
            float[] mask = masks.get(l);
            int[] kept = indices(mask, 1);
            int[] pruned = indices(mask, 0);
            shuffleHead(kept, in[l], rng);
            shuffleHead(pruned, in[l], rng);
            for (int i = 0; i < in[l]; i++) {
                float t = s[kept[i]];
                s[kept[i]] = s[pruned[i]];
                s[pruned[i]] = t;
            }
            out.add(s);
        }
        return out;
    }

    private static int[] indices(float[] mask, float value) {
        return IntStream.range(0, mask.length).filter(j -> mask[j] == value).toArray();
    }

    /** Puts {@code n} uniformly chosen distinct entries of {@code a} at its front. */
    private static void shuffleHead(int[] a, int n, SplittableRandom rng) {
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(a.length - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
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

    /** Edges that entered each layer's subnetwork (as many left: every layer keeps its count). */
    private static int[] swapsIn(List<float[]> before, List<float[]> after) {
        int[] n = new int[before.size()];
        for (int i = 0; i < before.size(); i++) {
            float[] a = before.get(i);
            float[] b = after.get(i);
            for (int j = 0; j < a.length; j++) {
                if (a[j] == 0 && b[j] == 1) {
                    n[i]++;
                }
            }
        }
        return n;
    }
}
