package dev.edgepopup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.edgepopup.init.Init;

/**
 * A bias-free square convolution with a masked weight: any odd kernel size k (1x1, 3x3, a ResNet
 * stem's 7x7) with padding k / 2, so that stride 1 keeps the image size and stride s divides it by
 * s (rounding up).
 */
public final class MaskedConv extends MaskedLayer {
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
            String label,
            int in,
            int out,
            int kernel,
            int stride,
            Method method,
            double keep,
            Init init,
            long weightSeed,
            long scoreSeed) {
        super(
                label,
                new Shape(out, in, kernel, kernel),
                in * kernel * kernel,
                out * kernel * kernel,
                method,
                keep,
                init,
                weightSeed,
                scoreSeed);
        if (kernel < 1 || kernel % 2 == 0 || stride < 1) {
            // An even kernel with padding k / 2 would grow the image by one pixel.
            throw new IllegalArgumentException(
                    label
                            + ": the kernel must be odd and the stride "
                            + "at least 1, got "
                            + kernel
                            + "x"
                            + kernel
                            + " stride "
                            + stride);
        }
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
    }

    /** One {@code conv2d}; {@link ChannelPadding} keeps oneDNN's channel padding clean. */
    @Override
    protected NDArray apply(NDArray input, NDArray effectiveWeight) {
        Shape padding = new Shape(kernel / 2, kernel / 2);
        return ChannelPadding.around(
                input,
                effectiveWeight,
                (x, w) ->
                        Conv2d.conv2d(
                                        x,
                                        w,
                                        null,
                                        new Shape(stride, stride),
                                        padding,
                                        new Shape(1, 1))
                                .head(),
                this::zeros);
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
