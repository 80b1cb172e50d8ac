package dev.edgepopup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * How a masked method turns a layer's scores {@code s} into its 0/1 mask (spec section 1). The
 * layer uses {@code W * h} with {@code h = hard(q) + (q - stopGradient(q))}, {@code q = soft(s)}:
 * the forward value of {@code h} is the mask and the gradient reaches {@code q} straight through.
 * {@link EdgePopupRule} and {@link ZhouRule} are the two rules; dense layers have none.
 */
interface MaskRule {
    /**
     * @param method the method
     * @param keep the kept fraction (edge-popup)
     * @param scoreSeed the layer's score seed (Zhou's draws start from it too)
     * @return the rule, or null for {@link Method#DENSE}
     */
    static MaskRule of(Method method, double keep, long scoreSeed) {
        switch (method) {
            case EDGE_POPUP:
                return new EdgePopupRule(keep);
            case ZHOU:
                return new ZhouRule(scoreSeed);
            default:
                return null;
        }
    }

    /**
     * @param m where the scores live
     * @param shape the weight's shape
     * @param fanIn inputs per output unit
     * @param fanOut outputs per input unit
     * @param seed the layer's score seed
     * @return the scores before training
     */
    NDArray initialScores(NDManager m, Shape shape, int fanIn, int fanOut, long seed);

    /**
     * @param s the scores
     * @return what the mask is drawn from, and what the gradient reaches
     */
    NDArray soft(NDArray s);

    /**
     * @param q the output of {@link #soft}, outside the autograd graph
     * @param m where random draws live
     * @return the 0/1 mask, float32
     */
    NDArray hard(NDArray q, NDManager m);

    /**
     * @param weights the layer's weight count
     * @param scores the layer's scores
     * @return the weights in use (an expected value where the mask is random)
     */
    double keptCount(long weights, Parameter scores);

    /**
     * Restarts the rule's random draws, if it has any.
     *
     * @param seed the seed
     */
    default void maskSeed(long seed) {}
}
