package dev.edgepopup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.Arrays;

/**
 * The fast path of {@link Masks#topK} for large layers: the same ones as {@link Masks#largest},
 * found by bracketing the threshold between two values read off a strided sample, keeping
 * everything above the bracket and running the top-k selection only inside it (a few percent of the
 * layer). The count is exact, ties included.
 */
final class BracketedTopK {
    /** Below this size a plain top-k over the whole layer is already cheap. */
    static final long MIN_SIZE = 32_768;

    private static final int SAMPLE = 4096;

    private BracketedTopK() {}

    /**
     * @param flat the ranking values, 1-D
     * @param kept how many ones, in [1, size)
     * @return the mask, or null when the bracket misses (then the caller ranks the whole layer)
     */
    static NDArray mask(NDArray flat, long kept) {
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
        NDArray chosen = band.take(Masks.largestIndices(flat.take(band), missing));
        return Masks.withOnes(mask, chosen);
    }
}
