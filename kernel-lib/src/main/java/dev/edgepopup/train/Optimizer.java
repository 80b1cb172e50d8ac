package dev.edgepopup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import dev.edgepopup.nn.NoGrad;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch-form optimizers over the trained tensors only (scores, or dense weights); frozen weights
 * are never passed in, so weight decay never touches them. Updates run in place outside any
 * gradient recording, and every temporary is closed at once.
 */
public abstract class Optimizer {
    /** The optimizers of the paper's recipes. */
    public enum Kind {
        /** {@code g = grad + wd*p; buf = m*buf + g; p -= lr*buf} (buf = g on the first step). */
        SGD,
        /** Adam with L2 weight decay, betas (0.9, 0.999), eps 1e-8, as torch.optim.Adam. */
        ADAM;

        /**
         * @param name "sgd" or "adam", any case
         * @return the kind
         * @throws IllegalArgumentException for any other name
         */
        public static Kind parse(String name) {
            for (Kind k : values()) {
                if (k.name().equalsIgnoreCase(name.trim())) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown optimizer '" + name + "': use sgd or adam");
        }
    }

    /** The trained tensors. */
    protected final List<Parameter> params;

    /** Per-tensor state, in a fixed order so that a checkpoint can restore it. */
    protected final List<NDArray> state = new ArrayList<>();

    /** Steps taken so far. */
    protected long steps;

    private Optimizer(List<Parameter> params) {
        this.params = params;
    }

    /**
     * Creates the optimizer a recipe names.
     *
     * @param recipe the recipe
     * @param params the trained tensors
     * @param manager owns the optimizer's state; closing it frees the state
     * @return the optimizer
     */
    public static Optimizer of(Recipe recipe, List<Parameter> params, NDManager manager) {
        return recipe.optimizer() == Kind.SGD
                ? new Sgd(params, recipe.momentum(), recipe.weightDecay(), manager)
                : new Adam(params, recipe.weightDecay(), manager);
    }

    /** Adds one zero state array per trained tensor. */
    private void addState(NDManager manager) {
        for (Parameter p : params) {
            NDArray a = p.getArray();
            state.add(manager.zeros(a.getShape(), a.getDataType(), a.getDevice()));
        }
    }

    /**
     * One update with the gradients the last backward pass left, which are then zeroed.
     *
     * @param lr the learning rate of this step
     */
    public void step(double lr) {
        steps++;
        try (NoGrad off = NoGrad.enter();
                NDScope ignored = new NDScope()) {
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i).getArray();
                NDArray grad = p.getGradient();
                update(i, p, grad, lr);
            }
        }
        Gradients.zero(params);
    }

    /**
     * Updates one tensor in place.
     *
     * @param i the tensor's index
     * @param p the tensor
     * @param grad its gradient
     * @param lr the learning rate
     */
    protected abstract void update(int i, NDArray p, NDArray grad, double lr);

    /**
     * @return the tensors this optimizer updates
     */
    List<Parameter> params() {
        return params;
    }

    /**
     * @return the state arrays (momentum buffers, moments), for checkpoints
     */
    public List<NDArray> state() {
        return state;
    }

    /**
     * @return steps taken
     */
    public long steps() {
        return steps;
    }

    /**
     * Restores state saved from an optimizer of the same kind over the same tensors.
     *
     * @param values the state arrays' values, in {@link #state()} order
     * @param stepCount the steps taken
     */
    public void restore(List<float[]> values, long stepCount) {
        if (values.size() != state.size()) {
            throw new IllegalArgumentException(
                    "optimizer state has " + values.size() + " arrays, expected " + state.size());
        }
        try (NoGrad off = NoGrad.enter()) {
            for (int i = 0; i < values.size(); i++) {
                state.get(i).set(values.get(i));
            }
        }
        steps = stepCount;
    }

    /** PyTorch's SGD with momentum and L2 weight decay. */
    static final class Sgd extends Optimizer {
        private final double momentum;
        private final double weightDecay;

        Sgd(List<Parameter> params, double momentum, double weightDecay, NDManager manager) {
            super(params);
            this.momentum = momentum;
            this.weightDecay = weightDecay;
            // A zero buffer makes m*buf + g equal g exactly on the first step, as PyTorch's
            // buf = g does.
            super.addState(manager);
        }

        @Override
        protected void update(int i, NDArray p, NDArray grad, double lr) {
            NDArray g = weightDecay == 0 ? grad : grad.add(p.mul(weightDecay));
            NDArray buf = state.get(i);
            buf.muli(momentum).addi(g);
            p.subi(buf.mul(lr));
        }
    }

    /** torch.optim.Adam with L2 weight decay. */
    static final class Adam extends Optimizer {
        private static final double B1 = 0.9;
        private static final double B2 = 0.999;
        private static final double EPS = 1e-8;
        private final double weightDecay;

        Adam(List<Parameter> params, double weightDecay, NDManager manager) {
            super(params);
            this.weightDecay = weightDecay;
            super.addState(manager); // first moments
            super.addState(manager); // second moments
        }

        @Override
        protected void update(int i, NDArray p, NDArray grad, double lr) {
            NDArray g = weightDecay == 0 ? grad : grad.add(p.mul(weightDecay));
            NDArray m = state.get(i);
            NDArray v = state.get(params.size() + i);
            m.muli(B1).addi(g.mul(1 - B1));
            v.muli(B2).addi(g.mul(g).muli(1 - B2));
            double c1 = 1 - Math.pow(B1, steps);
            double c2 = 1 - Math.pow(B2, steps);
            NDArray denom = v.sqrt().divi(Math.sqrt(c2)).addi(EPS);
            p.subi(m.div(denom).muli(lr / c1));
        }
    }
}
