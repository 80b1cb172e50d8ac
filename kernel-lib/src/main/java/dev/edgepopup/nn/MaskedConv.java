package dev.edgepopup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.edgepopup.init.Init;

/**
 * A bias-free square convolution with a masked weight: any odd kernel size k (1x1, 3x3, a ResNet
 * stem's 7x7) with padding k / 2, so that stride 1 keeps the image size and stride s divides it
 * by s (rounding up).
 */
public final class MaskedConv extends MaskedLayer {
    /**
     * On the CPU, channel counts are padded with zero channels to a multiple of this before the
     * convolution. libtorch's oneDNN convolution pads other counts itself, to its SIMD block (16
     * with AVX-512, 8 with AVX2), without clearing the padding of the input (and, backwards, of
     * the output gradient): the result then depends on what the reused memory held, silently wrong
     * values or NaN (seen with 12, 20, 24, 27, 41 and 54 channels, e.g. Conv4 at width 0.421875).
     * Channels that are already a multiple leave it nothing to pad.
     */
    static final int CHANNEL_BLOCK = 16;

    private final int out;
    private final int kernel;
    private final int stride;

    /**
     * @param label the layer's name
     * @param in input channels
     * @param out output channels
     * @param kernel kernel size, odd; padding is kernel / 2
     * @param stride the stride, at least 1
     * @param method how the layer learns
     * @param keep the kept fraction
     * @param init the weights' distribution
     * @param weightSeed this layer's weight seed
     * @param scoreSeed this layer's score seed
     */
    public MaskedConv(
            String label, int in, int out, int kernel, int stride, Method method, double keep,
            Init init, long weightSeed, long scoreSeed) {
        super(label, new Shape(out, in, kernel, kernel), in * kernel * kernel,
                out * kernel * kernel, method, keep, init, weightSeed, scoreSeed);
        if (kernel < 1 || kernel % 2 == 0 || stride < 1) {
            // An even kernel with padding k / 2 would grow the image by one pixel.
            throw new IllegalArgumentException(label + ": the kernel must be odd and the stride "
                    + "at least 1, got " + kernel + "x" + kernel + " stride " + stride);
        }
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
    }

    @Override
    protected NDArray apply(NDArray input, NDArray effectiveWeight) {
        int pad = kernel / 2;
        NDArray x = input;
        NDArray w = effectiveWeight;
        long in = x.getShape().get(1);
        boolean cpu = !x.getDevice().isGpu();
        // The network's input (1 or 3 channels) goes through oneDNN's plain-layout path.
        long extraIn = cpu && in > 3 ? missing(in) : 0;
        long extraOut = cpu ? missing(out) : 0;
        NDManager m = x.getManager();
        if (extraIn > 0) {
            Shape s = x.getShape();
            x = x.concat(zeros(m, new Shape(s.get(0), extraIn, s.get(2), s.get(3))), 1);
            w = w.concat(zeros(m, new Shape(out, extraIn, kernel, kernel)), 1);
        }
        if (extraOut > 0) {
            w = w.concat(zeros(m, new Shape(extraOut, in + extraIn, kernel, kernel)), 0);
        }
        NDArray y = Conv2d.conv2d(x, w, null, new Shape(stride, stride), new Shape(pad, pad),
                        new Shape(1, 1))
                .head();
        return extraOut > 0 ? y.get(new NDIndex(":, :{}", out)) : y;
    }

    private static long missing(long channels) {
        return (CHANNEL_BLOCK - channels % CHANNEL_BLOCK) % CHANNEL_BLOCK;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        int pad = kernel / 2;
        long h = (s.get(2) + 2 * pad - kernel) / stride + 1;
        long w = (s.get(3) + 2 * pad - kernel) / stride + 1;
        return new Shape[] {new Shape(s.get(0), out, h, w)};
    }
}
