package dev.edgepopup.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.pooling.Pool;
import dev.edgepopup.init.Init;
import java.util.List;
import java.util.Locale;

/**
 * Everything that determines a random-weight network: architecture, width, input, method, k,
 * distribution and seeds. Given the same spec, {@link #build()} gives bit-identical weights and
 * initial scores; it is what a compact subnetwork file stores besides its mask.
 *
 * @param arch one of {@link #ARCHITECTURES}: "fc", "conv2", "conv4", "conv6", "conv8", "resnet18",
 *     "resnet34", "resnet50", "resnet101", "wide_resnet50_2" or "resnet18_cifar"
 * @param width the width multiplier (channels and hidden widths become floor(n * width); for
 *     ResNets every channel count but the input's)
 * @param channels input channels
 * @param height input height
 * @param imageWidth input width
 * @param classes output classes
 * @param method how the prunable layers learn
 * @param keep the kept fraction k
 * @param init the weights' distribution
 * @param weightSeed the seed of the weights
 * @param scoreSeed the seed of the scores
 */
public record NetSpec(
        String arch,
        double width,
        int channels,
        int height,
        int imageWidth,
        int classes,
        Method method,
        double keep,
        Init init,
        long weightSeed,
        long scoreSeed) {

    /** Every architecture a spec can name: spec section 3's plain nets, then the ResNets. */
    private static final List<Architecture> KNOWN = known();

    /** The names of the architectures of spec section 3 (plain nets and ResNets). */
    public static final List<String> ARCHITECTURES =
            KNOWN.stream().map(Architecture::name).toList();

    private static List<Architecture> known() {
        List<Architecture> all =
                new java.util.ArrayList<>(
                        List.of(
                                PlainNet.FC,
                                PlainNet.CONV2,
                                PlainNet.CONV4,
                                PlainNet.CONV6,
                                PlainNet.CONV8));
        all.addAll(ResNet.all());
        return List.copyOf(all);
    }

    /**
     * Finds an architecture by name.
     *
     * @param name one of {@link #ARCHITECTURES}, case-insensitive
     * @return the architecture
     * @throws IllegalArgumentException naming the known architectures if there is none
     */
    public static Architecture architecture(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Architecture a : KNOWN) {
            if (a.name().equals(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException(
                "unknown net '" + name + "': use one of " + String.join(", ", ARCHITECTURES));
    }

    /**
     * Checks a width multiplier.
     *
     * @param width the multiplier
     * @return {@code width}
     * @throws IllegalArgumentException unless it is finite and above 0
     */
    public static double checkWidth(double width) {
        if (!(width > 0) || Double.isInfinite(width)) {
            throw new IllegalArgumentException("width must be > 0, got " + width);
        }
        return width;
    }

    /** Checks every field and says what to do when one is wrong. */
    public NetSpec {
        Architecture family = architecture(arch);
        arch = family.name();
        checkWidth(width);
        if (channels < 1 || height < 1 || imageWidth < 1 || classes < 2) {
            throw new IllegalArgumentException(
                    "input must be at least 1x1x1 with 2 classes, got "
                            + channels
                            + "x"
                            + height
                            + "x"
                            + imageWidth
                            + " with "
                            + classes);
        }
        family.checkInput(height, imageWidth);
        Masks.checkKeep(keep);
    }

    /**
     * @return this spec's architecture
     */
    public Architecture architecture() {
        return architecture(arch);
    }

    /**
     * @return the prunable layers' shapes, input first, without allocating them
     */
    public List<LayerShape> layers() {
        return architecture().layers(this);
    }

    /**
     * @return the number of prunable weights (k = 1), counted from the shapes alone
     */
    public long weightCount() {
        return architecture().weightCount(this);
    }

    /**
     * @return the weights the subnetwork keeps: the sum over layers of {@code n - floor((1 - k) n)}
     *     (all of them for dense), counted from the shapes alone
     */
    public long keptCount() {
        double k = method == Method.EDGE_POPUP ? keep : 1;
        return layers().stream().mapToLong(l -> Masks.keptCount(l.weightCount(), k)).sum();
    }

    /**
     * Applies the width multiplier.
     *
     * @param n a channel count or hidden width
     * @return floor(n * width), at least 1
     */
    int scaled(int n) {
        return Math.max(1, (int) Math.floor(n * width));
    }

    /**
     * One step of a network's layout.
     *
     * @param kind what the step does
     * @param label the prunable layer's name ("conv1", "fc2"), or null
     * @param in input channels or features of a prunable layer
     * @param out output channels or features of a prunable layer
     */
    public record Step(Kind kind, String label, int in, int out) {
        /** The kinds of step. */
        public enum Kind {
            /** A 3x3 convolution, padding 1, no bias. */
            CONV,
            /** A bias-free fully connected layer. */
            LINEAR,
            /** ReLU. */
            RELU,
            /** 2x2 max-pool. */
            POOL,
            /** Flatten to (N, features). */
            FLATTEN
        }

        /**
         * @return the parameter-free DJL block of a RELU, POOL or FLATTEN step
         * @throws IllegalArgumentException for CONV and LINEAR, whose weights are a masked layer's
         */
        public Block block() {
            switch (kind) {
                case RELU:
                    return Activation.reluBlock();
                case POOL:
                    return Pool.maxPool2dBlock(new Shape(2, 2));
                case FLATTEN:
                    return Blocks.batchFlattenBlock();
                default:
                    throw new IllegalArgumentException(kind + " has weights");
            }
        }
    }

    /**
     * The layout of spec section 3's plain nets (FC, ConvX): conv pairs with ReLU and a 2x2
     * max-pool after each pair, flatten, then bias-free fully connected layers with ReLU between
     * them.
     *
     * @return the steps, input first
     * @throws IllegalStateException for a ResNet, which is not a plain sequence of steps (see
     *     {@link #layers()} and {@link #architecture()})
     */
    public List<Step> layout() {
        if (!(architecture() instanceof PlainNet)) {
            throw new IllegalStateException(
                    arch
                            + " has no plain FC/ConvX layout (standalone export covers FC and ConvX"
                            + " only): use layers() for its shapes and build() for the network");
        }
        return PlainNet.layout(this);
    }

    /**
     * Builds the network this spec describes.
     *
     * @return a new network; close it when done
     */
    public Net build() {
        return new Net(this);
    }
}
