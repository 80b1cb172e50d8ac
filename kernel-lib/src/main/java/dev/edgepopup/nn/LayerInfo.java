package dev.edgepopup.nn;

/**
 * One row of a network's layer table.
 *
 * @param name the layer's name
 * @param shape the weight's shape, e.g. "(64, 3, 3, 3)"
 * @param weights the weight count
 * @param kept the weights in use (expected value for Zhou's supermask)
 */
public record LayerInfo(String name, String shape, long weights, double kept) {
    /**
     * @return kept / weights
     */
    public double keptFraction() {
        return kept / weights;
    }
}
