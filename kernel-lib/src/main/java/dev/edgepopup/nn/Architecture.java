package dev.edgepopup.nn;

import ai.djl.nn.SequentialBlock;
import java.util.List;
import java.util.function.Function;

/**
 * A family of networks ({@link NetSpec#arch()}): its default input, the shapes of its prunable
 * layers (known without allocating anything, so that a 68M-weight network can be counted) and the
 * DJL block that uses those layers. {@link Net} builds every architecture the same way through this
 * interface; {@link NetSpec#architecture()} finds one by name.
 */
public interface Architecture {
    /**
     * An input image shape and class count.
     *
     * @param channels channels
     * @param height height
     * @param width width
     * @param classes classes
     */
    record Input(int channels, int height, int width, int classes) {}

    /**
     * @return the name a spec uses, e.g. "conv4" or "resnet50"
     */
    String name();

    /**
     * @return the input a network of this family gets unless told otherwise
     */
    Input defaultInput();

    /**
     * Rejects an input size this family cannot use, saying why. The default accepts every size that
     * {@link NetSpec} itself accepts (a ResNet's strided layers leave at least 1x1 of any image).
     *
     * @param height the input's height
     * @param width the input's width
     * @throws IllegalArgumentException if the input is too small
     */
    default void checkInput(int height, int width) {}

    /**
     * The prunable layers, input first, in the order {@link #block} makes them.
     *
     * @param spec the network
     * @return their shapes
     */
    List<LayerShape> layers(NetSpec spec);

    /**
     * Builds the (uninitialized) network.
     *
     * @param spec the network
     * @param make makes each prunable layer of {@link #layers}, called once per layer in that order
     * @return the block: images (N, C, H, W) in, logits (N, classes) out
     */
    SequentialBlock block(NetSpec spec, Function<LayerShape, MaskedLayer> make);

    /**
     * @param spec the network
     * @return its weight count at k = 1, from the layer shapes alone
     */
    default long weightCount(NetSpec spec) {
        return layers(spec).stream().mapToLong(LayerShape::weightCount).sum();
    }
}
