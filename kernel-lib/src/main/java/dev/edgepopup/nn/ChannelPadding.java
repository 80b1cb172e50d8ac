package dev.edgepopup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;

/**
 * A workaround for libtorch's oneDNN convolution on the CPU: channel counts are padded with zero
 * channels to a multiple of {@link #BLOCK} before the convolution. oneDNN pads other counts itself,
 * to its SIMD block (16 with AVX-512, 8 with AVX2), without clearing the padding of the input (and,
 * backwards, of the output gradient): the result then depends on what the reused memory held,
 * silently wrong values or NaN (seen with 12, 20, 24, 27, 41 and 54 channels, e.g. Conv4 at width
 * 0.421875). Channels that are already a multiple leave it nothing to pad.
 */
final class ChannelPadding {
    /** The channel multiple that leaves oneDNN nothing to pad. */
    static final int BLOCK = 16;

    private ChannelPadding() {}

    /**
     * Runs a convolution with the input and output channels padded to {@link #BLOCK} on the CPU
     * (the network's input, 1 or 3 channels, goes through oneDNN's plain-layout path and is left as
     * it is) and the padded output channels cut off again. The values are the convolution's.
     *
     * @param x the input (N, C, H, W)
     * @param w the weight (O, C, k, k)
     * @param conv the convolution
     * @param zeros zeros of a shape, in the layer's arithmetic
     * @return {@code conv(x, w)}
     */
    static NDArray around(
            NDArray x,
            NDArray w,
            BinaryOperator<NDArray> conv,
            BiFunction<NDManager, Shape, NDArray> zeros) {
        Shape ws = w.getShape();
        long out = ws.get(0);
        long in = ws.get(1);
        boolean cpu = !x.getDevice().isGpu();
        long extraIn = cpu && in > 3 ? missing(in) : 0;
        long extraOut = cpu ? missing(out) : 0;
        NDManager m = x.getManager();
        if (extraIn > 0) {
            Shape s = x.getShape();
            x = x.concat(zeros.apply(m, new Shape(s.get(0), extraIn, s.get(2), s.get(3))), 1);
            w = w.concat(zeros.apply(m, new Shape(out, extraIn, ws.get(2), ws.get(3))), 1);
        }
        if (extraOut > 0) {
            w =
                    w.concat(
                            zeros.apply(m, new Shape(extraOut, in + extraIn, ws.get(2), ws.get(3))),
                            0);
        }
        NDArray y = conv.apply(x, w);
        return extraOut > 0 ? y.get(new NDIndex(":, :{}", out)) : y;
    }

    private static long missing(long channels) {
        return (BLOCK - channels % BLOCK) % BLOCK;
    }
}
