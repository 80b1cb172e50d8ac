package dev.edgepopup.nn;

import ai.djl.ndarray.types.Shape;
import dev.edgepopup.init.Init;

/**
 * One prunable layer as an architecture describes it, before anything is allocated: enough to count
 * weights and to build the layer.
 *
 * @param label the layer's name, e.g. "conv1" or "layer2.0.downsample"
 * @param conv true for a convolution, false for a fully connected layer
 * @param in input channels or features
 * @param out output channels or features
 * @param kernel the square kernel's size (1 for a fully connected layer)
 * @param stride the convolution's stride (1 for a fully connected layer)
 */
public record LayerShape(String label, boolean conv, int in, int out, int kernel, int stride) {
    /**
     * A bias-free square convolution with padding {@code kernel / 2}.
     *
     * @param label the name
     * @param in input channels
     * @param out output channels
     * @param kernel the kernel size (odd)
     * @param stride the stride
     * @return its shape
     */
    public static LayerShape conv(String label, int in, int out, int kernel, int stride) {
        return new LayerShape(label, true, in, out, kernel, stride);
    }

    /**
     * A bias-free fully connected layer.
     *
     * @param label the name
     * @param in input features
     * @param out output features
     * @return its shape
     */
    public static LayerShape linear(String label, int in, int out) {
        return new LayerShape(label, false, in, out, 1, 1);
    }

    /**
     * @return the weight's shape: (out, in, k, k) or (out, in)
     */
    public Shape weightShape() {
        return conv ? new Shape(out, in, kernel, kernel) : new Shape(out, in);
    }

    /**
     * @return the number of weights
     */
    public long weightCount() {
        return (long) out * in * kernel * kernel;
    }

    /**
     * Builds the layer with the spec's method, k, distribution and the seeds of layer {@code
     * index}.
     *
     * @param spec the network
     * @param index the layer's position among the network's prunable layers
     * @return the layer
     */
    MaskedLayer build(NetSpec spec, int index) {
        long weightSeed = Init.layerSeed(spec.weightSeed(), index);
        long scoreSeed = Init.layerSeed(spec.scoreSeed(), index);
        return conv
                ? new MaskedConv(
                        label,
                        in,
                        out,
                        kernel,
                        stride,
                        spec.method(),
                        spec.keep(),
                        spec.init(),
                        weightSeed,
                        scoreSeed)
                : new MaskedLinear(
                        label,
                        in,
                        out,
                        spec.method(),
                        spec.keep(),
                        spec.init(),
                        weightSeed,
                        scoreSeed);
    }
}
