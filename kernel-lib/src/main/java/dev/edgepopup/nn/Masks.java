package dev.edgepopup.nn;

import ai.djl.ndarray.NDArray;

/** The edge-popup mask: exactly the top-k fraction of a layer's |scores| set to 1. */
public final class Masks {
    private Masks() {}

    /**
     * The number of weights kept out of {@code n}: {@code n - floor((1 - k) * n)}, as the reference
     * code prunes {@code floor((1 - k) * n)}.
     *
     * @param n the layer's weight count
     * @param k the kept fraction, in (0, 1]
     * @return the kept count
     */
    public static long keptCount(long n, double k) {
        checkKeep(k);
        return n - (long) Math.floor((1 - k) * n);
    }

    /**
     * Checks a kept fraction.
     *
     * @param k the kept fraction
     * @return {@code k}
     * @throws IllegalArgumentException unless {@code 0 < k <= 1}
     */
    public static double checkKeep(double k) {
        if (!(k > 0 && k <= 1)) {
            throw new IllegalArgumentException(
                    "k is the fraction of weights KEPT and must be in (0, 1], got "
                            + k
                            + " (for 30% pruned use keep(0.7))");
        }
        return k;
    }

    /**
     * A 0/1 mask with ones at exactly {@link #keptCount} of the largest values of {@code a}, ranked
     * over the whole flattened tensor: {@link #largest}, the definition. Layers of {@link
     * BracketedTopK#MIN_SIZE} weights or more take {@link BracketedTopK}, which selects the same
     * ones without ranking the whole layer; where its bracket misses, the definition decides.
     *
     * @param a the ranking values (|scores|); not part of the autograd graph
     * @param k the kept fraction
     * @return a mask of {@code a}'s shape, on {@code a}'s manager
     */
    public static NDArray topK(NDArray a, double k) {
        long n = a.size();
        long kept = keptCount(n, k);
        if (kept == n) {
            return a.onesLike();
        }
        NDArray flat = a.reshape(-1);
        NDArray mask = n >= BracketedTopK.MIN_SIZE ? BracketedTopK.mask(flat, kept) : null;
        return (mask != null ? mask : largest(flat, kept)).reshape(a.getShape());
    }

    /**
     * The definition of the mask: ones at the indices of the {@code count} largest values.
     *
     * @param flat a 1-D array
     * @param count how many ones, in [1, size]
     * @return the mask, of {@code flat}'s shape and type
     */
    static NDArray largest(NDArray flat, long count) {
        return withOnes(flat.zerosLike(), largestIndices(flat, count));
    }

    /** Indices of the {@code count} largest values of a 1-D array (torch's top-k, no full sort). */
    static NDArray largestIndices(NDArray values, long count) {
        return values.topK(Math.toIntExact(count), 0, true, false).get(1);
    }

    /** {@code mask} with ones written at {@code index}. */
    static NDArray withOnes(NDArray mask, NDArray index) {
        return mask.scatter(index, mask.getManager().ones(index.getShape(), mask.getDataType()), 0);
    }
}
