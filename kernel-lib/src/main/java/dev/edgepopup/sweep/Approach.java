package dev.edgepopup.sweep;

import dev.edgepopup.nn.Method;
import dev.edgepopup.train.Optimizer;
import dev.edgepopup.train.Recipe;

/**
 * What a sweep trains and with which of the paper's recipes (spec section 4): a {@link Method} plus
 * its recipe. Learned dense weights come twice, with SGD and with Adam, because the paper plots
 * both baselines.
 */
public enum Approach {
    /** Edge-popup: frozen random weights, trained scores; the CIFAR-10 edge-popup recipe. */
    EDGE_POPUP(Method.EDGE_POPUP, "edge-popup"),
    /** Learned dense weights with SGD ({@link Recipe#DENSE_SGD}). */
    DENSE_SGD(Method.DENSE, "dense-sgd"),
    /** Learned dense weights with Adam ({@link Recipe#denseAdam(String)}: lr by network). */
    DENSE_ADAM(Method.DENSE, "dense-adam"),
    /** Zhou et al.'s supermask ({@link Recipe#zhou(String)}). */
    ZHOU(Method.ZHOU, "zhou");

    private final Method method;
    private final String label;

    Approach(Method method, String label) {
        this.method = method;
        this.label = label;
    }

    /**
     * @return how the network's layers learn
     */
    public Method method() {
        return method;
    }

    /**
     * @return the name used in tables and legends, e.g. {@code dense-adam}
     */
    public String label() {
        return label;
    }

    /**
     * The paper's recipe for this approach.
     *
     * @param arch the architecture (Adam's and Zhou's learning rates depend on it)
     * @return the recipe, 100 epochs
     */
    public Recipe recipe(String arch) {
        switch (this) {
            case DENSE_ADAM:
                return Recipe.denseAdam(arch);
            case DENSE_SGD:
                return Recipe.DENSE_SGD;
            default:
                return Recipe.paper(method, arch);
        }
    }

    /**
     * Whether k changes what this approach learns: only edge-popup keeps a chosen fraction (dense
     * nets use every weight, Zhou's sparsity is learned).
     *
     * @return true for edge-popup
     */
    public boolean usesKeep() {
        return this == EDGE_POPUP;
    }

    /**
     * The approach a stored run used.
     *
     * @param method the network's method
     * @param recipe the run's recipe: a dense run with Adam is {@link #DENSE_ADAM}
     * @return the approach
     */
    public static Approach of(Method method, Recipe recipe) {
        switch (method) {
            case DENSE:
                return recipe.optimizer() == Optimizer.Kind.ADAM ? DENSE_ADAM : DENSE_SGD;
            case ZHOU:
                return ZHOU;
            default:
                return EDGE_POPUP;
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
