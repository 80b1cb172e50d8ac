package dev.edgepopup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.edgepopup.data.HostBatch;
import dev.edgepopup.data.ImageSource;
import dev.edgepopup.init.Init;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * A random-weight network of spec section 3: FC or ConvX (bias-free, ReLU, 2x2 max-pool after each
 * conv pair, no batch norm) or a ResNet (bias-free masked convolutions and classifier, batch norm;
 * see {@link Architecture}). Owns its native memory: close it when done.
 */
public final class Net implements AutoCloseable {
    private final NetSpec spec;
    private final NDManager manager;
    private final SequentialBlock block;
    private final List<MaskedLayer> layers = new ArrayList<>();
    private final ParameterStore store;
    private Precision precision = Precision.FP32;
    private boolean channelsLast;

    Net(NetSpec spec) {
        NativeMemory.checkOnce();
        this.spec = spec;
        this.manager = NDManager.newBaseManager();
        // Layer i gets the seeds Init.layerSeed(seed, i): the order of layers() fixes the weights.
        block = spec.architecture().block(spec, shape -> add(shape.build(spec, layers.size())));
        block.initialize(
                manager,
                DataType.FLOAT32,
                new Shape(1, spec.channels(), spec.height(), spec.imageWidth()));
        store = new ParameterStore(manager, false);
    }

    private MaskedLayer add(MaskedLayer l) {
        layers.add(l);
        return l;
    }

    /**
     * @return the spec this network was built from
     */
    public NetSpec spec() {
        return spec;
    }

    /**
     * @return the prunable layers, input first
     */
    public List<MaskedLayer> layers() {
        return Collections.unmodifiableList(layers);
    }

    /**
     * @return the DJL block (for use with DJL's own tools)
     */
    public SequentialBlock block() {
        return block;
    }

    /**
     * @return the manager that owns the parameters
     */
    public NDManager manager() {
        return manager;
    }

    /**
     * The tensors an optimizer updates: every prunable layer's scores (weights for dense nets), in
     * layer order, then any other parameter that learns (the batch-norm scales and shifts of a
     * dense ResNet).
     *
     * @return the trained tensors
     */
    public List<Parameter> trainable() {
        List<Parameter> out = new ArrayList<>();
        for (MaskedLayer l : layers) {
            out.add(l.method() == Method.DENSE ? l.weight() : l.scores());
        }
        for (Parameter p : others()) {
            if (p.requiresGradient()) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * State that is neither weight nor trained tensor but changes during training: the batch-norm
     * running means and variances of a ResNet (none for FC and ConvX). A checkpoint stores them;
     * evaluation uses them.
     *
     * @return the running statistics, in block order
     */
    public List<Parameter> buffers() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : others()) {
            if (p.getType() == Parameter.Type.RUNNING_MEAN
                    || p.getType() == Parameter.Type.RUNNING_VAR) {
                out.add(p);
            }
        }
        return out;
    }

    /** The block's parameters that do not belong to a prunable layer, in block order. */
    private List<Parameter> others() {
        Set<Parameter> masked = Collections.newSetFromMap(new IdentityHashMap<>());
        for (MaskedLayer l : layers) {
            masked.add(l.weight());
            if (l.scores() != null) {
                masked.add(l.scores());
            }
        }
        List<Parameter> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (!masked.contains(p.getValue())) {
                out.add(p.getValue());
            }
        }
        return out;
    }

    /**
     * @return the total number of prunable weights (k = 1)
     */
    public long weightCount() {
        return layers.stream().mapToLong(MaskedLayer::weightCount).sum();
    }

    /**
     * @return the weights in use, summed over layers (expected value for Zhou)
     */
    public double keptCount() {
        return layers.stream().mapToDouble(MaskedLayer::keptCount).sum();
    }

    /**
     * @return one row per prunable layer: name, shape, weights, kept
     */
    public List<LayerInfo> layerTable() {
        List<LayerInfo> rows = new ArrayList<>();
        for (MaskedLayer l : layers) {
            rows.add(
                    new LayerInfo(
                            l.label(), l.weightShape().toString(), l.weightCount(), l.keptCount()));
        }
        return rows;
    }

    /**
     * Sets the arithmetic of every pass from now on ({@link Precision}); {@link
     * dev.edgepopup.train.Training} sets it from its own setting. Logits are float32 either way.
     *
     * @param p the precision (used as given: {@link Precision#resolve} decides on fallbacks)
     * @return this
     */
    public Net precision(Precision p) {
        for (MaskedLayer l : layers) {
            l.precision(p);
        }
        precision = p;
        return this;
    }

    /**
     * Restarts the Bernoulli draws of Zhou's masks (a no-op for other methods): layer i draws from
     * {@code Init.layerSeed(seed, i)}, one independent stream per mask sample, in Java. The same
     * seed gives the same masks on every thread, whatever other networks draw meanwhile; {@link
     * dev.edgepopup.train.Training} sets it before every batch and every evaluation.
     *
     * @param seed the seed
     * @return this
     */
    public Net maskSeed(long seed) {
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).maskSeed(Init.layerSeed(seed, i));
        }
        return this;
    }

    /**
     * @return the arithmetic of the network's passes
     */
    public Precision precision() {
        return precision;
    }

    /**
     * Stores images channels-last (N, H, W, C in memory) before the first layer, so that every
     * convolution, ReLU and pooling after it runs in that format (oneDNN's fastest on CPUs). The
     * values and shapes are unchanged; a fully connected network gains nothing.
     *
     * @param on true for channels-last, false for PyTorch's default (N, C, H, W)
     * @return this
     */
    public Net channelsLast(boolean on) {
        channelsLast = on;
        return this;
    }

    /**
     * @return whether images are stored channels-last
     */
    public boolean channelsLast() {
        return channelsLast;
    }

    /**
     * Runs the network. Intermediate arrays die with the input's manager.
     *
     * @param x images (N, C, H, W), float32
     * @param training whether this is a training pass
     * @return logits (N, classes), float32, on {@code x}'s manager
     */
    public NDArray forward(NDArray x, boolean training) {
        NDArray in = channelsLast ? TorchCasts.channelsLast(x) : x;
        boolean bf16 = precision == Precision.BF16;
        NDArray y =
                block.forward(store, new NDList(bf16 ? TorchCasts.toBf16(in) : in), training)
                        .singletonOrThrow();
        // The loss, softmax and DJL's own readers need float32 (bfloat16 is UNKNOWN to DJL).
        return bf16 ? TorchCasts.toFp32(y) : y;
    }

    /**
     * Top-1 and top-5 accuracy.
     *
     * @param top1 the fraction whose highest logit is the label
     * @param top5 the fraction whose label is among the five highest logits (among all of them when
     *     there are five classes or fewer)
     * @param examples the examples evaluated
     */
    public record Accuracy(double top1, double top5, int examples) {}

    /**
     * Test accuracy: the fraction of {@code data} classified correctly, in batches.
     *
     * @param data the examples (augmentation is not applied)
     * @param batchSize examples per forward pass
     * @return top-1 accuracy in [0, 1]
     */
    public double accuracy(ImageSource data, int batchSize) {
        return accuracies(data, batchSize).top1();
    }

    /**
     * Top-1 and top-5 accuracy on {@code data}, as ImageNet results are quoted.
     *
     * @param data the examples (augmentation is not applied)
     * @param batchSize examples per forward pass
     * @return both accuracies
     */
    public Accuracy accuracies(ImageSource data, int batchSize) {
        return evaluate(data, batchSize, manager, x -> forward(x, false));
    }

    /**
     * Evaluates a classifier on every example of {@code data} in order, preparing the next batch
     * while the classifier runs the current one; each batch lives in its own manager and scope.
     *
     * @param data the examples (not augmented)
     * @param batchSize examples per forward pass
     * @param parent the manager the per-batch managers hang from
     * @param logits the classifier: images to logits (N, classes)
     * @return top-1 and top-5 accuracy
     */
    public static Accuracy evaluate(
            ImageSource data, int batchSize, NDManager parent, UnaryOperator<NDArray> logits) {
        long top1 = 0;
        long top5 = 0;
        CompletableFuture<HostBatch> next = data.prefetch(range(data, 0, batchSize), null);
        for (int start = 0; start < data.size(); start += batchSize) {
            HostBatch host = HostBatch.await(next);
            if (start + batchSize < data.size()) {
                next = data.prefetch(range(data, start + batchSize, batchSize), null);
            }
            try (NoGrad off = NoGrad.enter();
                    NDManager batch = parent.newSubManager();
                    NDScope ignored = new NDScope()) {
                NDList xy = host.toNDList(batch);
                NDArray out = logits.apply(xy.get(0));
                top1 += correct(out, xy.get(1), 1);
                top5 += correct(out, xy.get(1), (int) Math.min(5, out.getShape().get(1)));
            }
        }
        return new Accuracy((double) top1 / data.size(), (double) top5 / data.size(), data.size());
    }

    private static int[] range(ImageSource data, int start, int batchSize) {
        int n = Math.min(batchSize, data.size() - start);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = start + i;
        }
        return idx;
    }

    /**
     * Counts the rows whose label is among their {@code k} highest logits.
     *
     * @param logits (N, classes)
     * @param labels (N) int32
     * @param k how many of the highest logits count
     * @return the number of such rows
     */
    static long correct(NDArray logits, NDArray labels, int k) {
        NDArray top = logits.topK(k, 1, true, false).get(1).toType(DataType.INT32, false);
        return top.eq(labels.reshape(-1, 1)).sum(new int[] {1}).countNonzero().getLong();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        "%s width %s, %s, k=%s, %s%n",
                        spec.arch(), spec.width(), spec.method(), spec.keep(), spec.init()));
        // ResNet labels ("layer3.0.downsample") are wider than the plain nets' ("conv1").
        int w = Math.max(6, layers.stream().mapToInt(l -> l.label().length()).max().orElse(0));
        String name = "%-" + w + "s";
        sb.append(
                String.format(
                        name + " %-20s %12s %12s %7s%n",
                        "layer",
                        "shape",
                        "weights",
                        "kept",
                        "kept%"));
        for (LayerInfo r : layerTable()) {
            sb.append(
                    String.format(
                            name + " %-20s %,12d %,12.0f %6.1f%%%n",
                            r.name(),
                            r.shape(),
                            r.weights(),
                            r.kept(),
                            100 * r.keptFraction()));
        }
        sb.append(
                String.format(
                        name + " %-20s %,12d %,12.0f%n", "total", "", weightCount(), keptCount()));
        return sb.toString();
    }

    @Override
    public void close() {
        manager.close();
    }
}
