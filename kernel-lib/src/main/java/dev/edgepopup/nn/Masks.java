package dev.edgepopup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.Arrays;

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
                    "k is the fraction of weights KEPT and must be in (0, 1], got " + k
                            + " (for 30% pruned use keep(0.7))");
        }
        return k;
    }

    /** Below this size a plain top-k over the whole layer is already cheap. */
    static final long BAND_MIN = 32_768;
    private static final int SAMPLE = 4096;

    /**
     * A 0/1 mask with ones at exactly {@link #keptCount} of the largest values of {@code a}, ranked
     * over the whole flattened tensor. Large layers first bracket the threshold between two values
     * read off a strided sample, keep everything above the bracket and run the top-k selection
     * only inside it (a few percent of the layer); when the bracket misses, or for small layers, a
     * top-k over the whole layer decides. Never a full sort; the count is exact, ties included.
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
        NDArray mask = n >= BAND_MIN ? bracketed(flat, kept) : null;
        if (mask == null) {
            mask = withOnes(flat.zerosLike(), selectLargest(flat, kept));
        }
        return mask.reshape(a.getShape());
    }

    /** Indices of the {@code count} largest values of a 1-D array. */
    private static NDArray selectLargest(NDArray values, long count) {
        return values.topK(Math.toIntExact(count), 0, true, false).get(1);
    }

    private static NDArray withOnes(NDArray mask, NDArray index) {
        return mask.scatter(index, mask.getManager().ones(index.getShape(), mask.getDataType()),
                0);
    }

    /** The mask through a sample-bracketed threshold, or null when the bracket misses. */
    private static NDArray bracketed(NDArray flat, long kept) {
        long n = flat.size();
        float[] sample = flat.get(new NDIndex("::{}", n / SAMPLE)).toFloatArray();
        Arrays.sort(sample);
        int m = sample.length;
        double below = (double) (n - kept) / n; // the threshold's quantile
        // Four binomial standard deviations either side of the sample quantile.
        double margin = 4 * Math.sqrt(m * below * (1 - below)) + 4;
        int loAt = (int) Math.floor(below * m - margin);
        int hiAt = (int) Math.ceil(below * m + margin);
        if (loAt < 0 || hiAt >= m) {
            return null;
        }
        NDArray above = flat.gt(sample[hiAt]);
        long sure = above.sum().getLong();
        // Everything above lo but not above hi: the bracket, usually a few percent of the layer.
        NDArray band = flat.gt(sample[loAt]).logicalXor(above).nonzero().reshape(-1);
        long missing = kept - sure;
        if (missing < 0 || missing > band.size()) {
            return null;
        }
        NDArray mask = above.toType(flat.getDataType(), false);
        if (missing == 0) {
            return mask;
        }
        NDArray chosen = band.take(selectLargest(flat.take(band), missing));
        return withOnes(mask, chosen);
    }
}
