package dev.edgepopup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.edgepopup.init.Init;

/**
 * A layer whose weight {@code W} is used through a mask (spec section 1): {@code W_eff = W * h},
 * {@code h = hard(q) + (q - stopGradient(q))}, {@code q = soft(s)} for the scores {@code s}. The
 * forward value of {@code h} is exactly the 0/1 mask; the backward pass sends {@code dL/dW_eff * W}
 * to {@code q} (straight-through). The method's {@link MaskRule} says what {@code soft} and {@code
 * hard} are: {@link EdgePopupRule} (|s| and its top-k, {@code W} frozen), {@link ZhouRule} (sigmoid
 * and a Bernoulli sample, {@code W} frozen); {@link Method#DENSE} has no rule and trains {@code W}.
 *
 * <p>Under {@link Precision#BF16} the layer computes in bfloat16: {@code W} of edge-popup and Zhou
 * is kept as a bfloat16 copy (it never changes) and multiplied by the mask cast to bfloat16, while
 * a dense {@code W} is cast on every pass; scores and the gradients reaching trained tensors stay
 * float32. Subclasses only say how {@code W_eff} is applied (linear or convolution).
 */
public abstract class MaskedLayer extends AbstractBlock {
    private final String label;
    private final Shape weightShape;
    private final int fanIn;
    private final int fanOut;
    private final Method method;
    private final double keep;
    private final Parameter weight;
    private final Parameter scores;

    /** The method's mask rule; null for dense layers. */
    private final MaskRule rule;

    private Precision precision = Precision.FP32;

    /** The frozen weight as bfloat16, while the precision is BF16 (edge-popup and Zhou only). */
    private NDArray frozenBf16;

    /**
     * @param label the layer's name in tables, e.g. "conv1"
     * @param weightShape the weight's shape, output dimension first
     * @param fanIn inputs per output unit
     * @param fanOut outputs per input unit
     * @param method how the layer learns
     * @param keep the kept fraction (edge-popup), in (0, 1]
     * @param init the weights' distribution
     * @param weightSeed the seed of this layer's weights
     * @param scoreSeed the seed of this layer's scores
     */
    protected MaskedLayer(
            String label,
            Shape weightShape,
            int fanIn,
            int fanOut,
            Method method,
            double keep,
            Init init,
            long weightSeed,
            long scoreSeed) {
        this.label = label;
        this.weightShape = weightShape;
        this.fanIn = fanIn;
        this.fanOut = fanOut;
        this.method = method;
        this.keep = Masks.checkKeep(keep);
        MaskRule r = MaskRule.of(method, keep, scoreSeed);
        this.rule = r;
        int n = Math.toIntExact(weightShape.size());
        weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(weightShape)
                                .optRequiresGrad(method == Method.DENSE)
                                .optInitializer(
                                        (m, s, t) ->
                                                m.create(
                                                        init.sample(
                                                                n, fanIn, fanOut, keep, weightSeed),
                                                        s))
                                .build());
        scores =
                r == null
                        ? null
                        : addParameter(
                                Parameter.builder()
                                        .setName("scores")
                                        .setType(Parameter.Type.WEIGHT)
                                        .optShape(weightShape)
                                        .optInitializer(
                                                (m, s, t) ->
                                                        r.initialScores(
                                                                m, s, fanIn, fanOut, scoreSeed))
                                        .build());
    }

    /**
     * Restarts Zhou's mask draws from a seed (a no-op for other methods): the k-th sample after
     * this call is the same on every run, thread and device. {@link Net#maskSeed(long)} sets every
     * layer's.
     *
     * @param seed the seed
     */
    void maskSeed(long seed) {
        if (rule != null) {
            rule.maskSeed(seed);
        }
    }

    /**
     * @return the arithmetic this layer uses
     */
    public Precision precision() {
        return precision;
    }

    /**
     * Switches the arithmetic; {@link Net#precision(Precision)} sets every layer's.
     *
     * @param p the precision
     */
    void precision(Precision p) {
        if (frozenBf16 != null) {
            frozenBf16.close();
            frozenBf16 = null;
        }
        precision = p;
        if (p == Precision.BF16 && method != Method.DENSE) {
            try (NoGrad off = NoGrad.enter()) {
                frozenBf16 = TorchCasts.toBf16(weight.getArray()); // on the weight's manager
                NDScope.unregister(frozenBf16); // lives as long as the layer, not a caller's scope
            }
        }
    }

    /**
     * Zeros in this layer's arithmetic (for padding). DJL cannot name bfloat16, so those are made
     * as float32 and cast.
     *
     * @param m the manager
     * @param shape the shape
     * @return the zeros
     */
    protected NDArray zeros(NDManager m, Shape shape) {
        NDArray z = m.zeros(shape);
        return precision == Precision.BF16 ? TorchCasts.toBf16(z) : z;
    }

    /**
     * @return the layer's name
     */
    public String label() {
        return label;
    }

    /**
     * @return how the layer learns
     */
    public Method method() {
        return method;
    }

    /**
     * @return the kept fraction
     */
    public double keep() {
        return keep;
    }

    /**
     * @return the weight's shape
     */
    public Shape weightShape() {
        return weightShape;
    }

    /**
     * @return the number of weights
     */
    public long weightCount() {
        return weightShape.size();
    }

    /**
     * @return the fan-in
     */
    public int fanIn() {
        return fanIn;
    }

    /**
     * @return the random (edge-popup, Zhou) or learned (dense) weight
     */
    public Parameter weight() {
        return weight;
    }

    /**
     * @return the scores, or null for dense layers
     */
    public Parameter scores() {
        return scores;
    }

    /**
     * The weights this layer uses now: exact for edge-popup and dense; for Zhou's supermask the
     * expected value (sum of sigmoid(s)), since its mask is resampled on every pass.
     *
     * @return the kept count
     */
    public double keptCount() {
        return rule == null ? weightCount() : rule.keptCount(weightCount(), scores);
    }

    /**
     * The current 0/1 mask (edge-popup) or a sample of it (Zhou), on {@code manager}.
     *
     * @param manager where the mask lives
     * @return the mask, or all ones for dense layers
     */
    public NDArray mask(NDManager manager) {
        try (NoGrad off = NoGrad.enter();
                NDScope ignored = new NDScope()) {
            NDArray mask =
                    rule == null
                            ? weight.getArray().onesLike()
                            : rule.hard(rule.soft(scores.getArray()), manager);
            NDScope.unregister(mask);
            mask.attach(manager);
            return mask;
        }
    }

    /**
     * {@code W_eff = W * h} with {@code h = hard(q) + (q - stopGradient(q))}, {@code q = soft(s)}
     * by the {@link MaskRule}: the forward value of {@code h} is exactly the 0/1 mask, and the
     * gradient reaches {@code q}, hence the scores, straight through.
     *
     * @param w the weight
     * @param s the scores (null for dense)
     * @param batch the manager of the current batch (random draws for Zhou)
     * @return the effective weight
     */
    NDArray effectiveWeight(NDArray w, NDArray s, NDManager batch) {
        boolean bf16 = precision == Precision.BF16;
        if (rule == null) {
            return bf16 ? TorchCasts.toBf16(w) : w; // the float32 master gets the gradient
        }
        NDArray q = rule.soft(s);
        NDArray h = rule.hard(q.stopGradient(), batch).add(q.sub(q.stopGradient()));
        // h's forward value is exactly 0 or 1, which bfloat16 holds exactly.
        return bf16 ? frozenBf16.mul(TorchCasts.toBf16(h)) : w.mul(h);
    }

    /**
     * Applies the effective weight to the input.
     *
     * @param input the input
     * @param effectiveWeight {@code W_eff}
     * @return the output
     */
    protected abstract NDArray apply(NDArray input, NDArray effectiveWeight);

    @Override
    protected NDList forwardInternal(
            ParameterStore store,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        // Temporaries would otherwise land on the parameters' (model's) manager: close them here
        // and hand the output to the batch's manager. Autograd keeps what it needs natively.
        try (NDScope ignored = new NDScope()) {
            NDArray w = store.getValue(weight, x.getDevice(), training);
            NDArray s = scores == null ? null : store.getValue(scores, x.getDevice(), training);
            NDArray out = apply(x, effectiveWeight(w, s, x.getManager()));
            NDScope.unregister(out);
            out.attach(x.getManager());
            return new NDList(out);
        }
    }
}
