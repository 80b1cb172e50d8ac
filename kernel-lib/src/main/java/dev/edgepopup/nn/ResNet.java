package dev.edgepopup.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The ResNets of the paper's ImageNet experiments (spec section 3) in torchvision's "v1.5" layout:
 * a 7x7 stride-2 stem convolution and a 3x3 stride-2 max-pool, four stages of residual blocks (64,
 * 128, 256, 512 planes; every stage after the first halves the image in its first block), global
 * average pooling and a fully connected classifier. Bottleneck blocks are 1x1 - 3x3 - 1x1 with the
 * stride on the 3x3 convolution and four times the planes out; basic blocks are two 3x3
 * convolutions. A shortcut that changes shape is a 1x1 convolution with the block's stride plus
 * batch norm.
 *
 * <p>Every convolution and the classifier is a bias-free masked layer, pruned like any other (the
 * classifier too). Batch norm follows every convolution: non-affine (scale 1, shift 0) for
 * edge-popup and Zhou's supermask, whose only trained tensors are scores; learned scale and shift
 * for the dense baseline, as an ordinary ResNet has. Running statistics are kept with PyTorch's
 * momentum 0.1 (DJL's 0.9) and eps 1e-5. The width multiplier scales every channel count except the
 * input's.
 */
final class ResNet implements Architecture {
    private static final Input IMAGENET = new Input(3, 224, 224, 1000);

    /** ResNet-18: basic blocks 2, 2, 2, 2 (11,678,912 weights at 1000 classes). */
    static final ResNet RESNET18 =
            new ResNet("resnet18", false, new int[] {2, 2, 2, 2}, 64, false, IMAGENET);

    /** ResNet-34: basic blocks 3, 4, 6, 3 (21,779,648 weights). */
    static final ResNet RESNET34 =
            new ResNet("resnet34", false, new int[] {3, 4, 6, 3}, 64, false, IMAGENET);

    /** ResNet-50: bottlenecks 3, 4, 6, 3 (25,502,912 weights). */
    static final ResNet RESNET50 =
            new ResNet("resnet50", true, new int[] {3, 4, 6, 3}, 64, false, IMAGENET);

    /** ResNet-101: bottlenecks 3, 4, 23, 3 (44,442,816 weights). */
    static final ResNet RESNET101 =
            new ResNet("resnet101", true, new int[] {3, 4, 23, 3}, 64, false, IMAGENET);

    /** Wide ResNet-50-2: ResNet-50 with twice the bottleneck width (68,814,016 weights). */
    static final ResNet WIDE_RESNET50_2 =
            new ResNet("wide_resnet50_2", true, new int[] {3, 4, 6, 3}, 128, false, IMAGENET);

    /**
     * ResNet-18 for 32x32 images: a 3x3 stride-1 stem and no max-pool, so the last stage still sees
     * 4x4 (11,164,352 weights at 10 classes).
     */
    static final ResNet RESNET18_CIFAR =
            new ResNet(
                    "resnet18_cifar",
                    false,
                    new int[] {2, 2, 2, 2},
                    64,
                    true,
                    new Input(3, 32, 32, 10));

    private static final int[] PLANES = {64, 128, 256, 512};

    private final String name;
    private final boolean bottleneck;
    private final int[] blocks;
    private final int baseWidth;
    private final boolean cifarStem;
    private final Input input;

    private ResNet(
            String name,
            boolean bottleneck,
            int[] blocks,
            int baseWidth,
            boolean cifarStem,
            Input input) {
        this.name = name;
        this.bottleneck = bottleneck;
        this.blocks = blocks;
        this.baseWidth = baseWidth;
        this.cifarStem = cifarStem;
        this.input = input;
    }

    /**
     * @return the architectures of this family
     */
    static List<ResNet> all() {
        return List.of(RESNET18, RESNET34, RESNET50, RESNET101, WIDE_RESNET50_2, RESNET18_CIFAR);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Input defaultInput() {
        return input;
    }

    /**
     * One residual block's prunable layers.
     *
     * @param convs the main path, input first
     * @param downsample the shortcut's 1x1 convolution, or null for the identity
     */
    private record Residual(List<LayerShape> convs, LayerShape downsample) {}

    /** A spec's layers grouped as the block uses them: stem, residual blocks, classifier. */
    private record Plan(LayerShape stem, List<Residual> blocks, LayerShape classifier) {}

    private Plan plan(NetSpec spec) {
        int stemOut = spec.scaled(64);
        LayerShape stem =
                cifarStem
                        ? LayerShape.conv("conv1", spec.channels(), stemOut, 3, 1)
                        : LayerShape.conv("conv1", spec.channels(), stemOut, 7, 2);
        List<Residual> residuals = new ArrayList<>();
        int in = stemOut;
        for (int stage = 0; stage < blocks.length; stage++) {
            int planes = spec.scaled(PLANES[stage]);
            int out = bottleneck ? 4 * planes : planes;
            for (int b = 0; b < blocks[stage]; b++) {
                String at = "layer" + (stage + 1) + "." + b + ".";
                int stride = stage > 0 && b == 0 ? 2 : 1;
                List<LayerShape> convs;
                if (bottleneck) {
                    // torchvision: width = planes * base_width / 64 (groups 1).
                    int mid = planes * baseWidth / 64;
                    convs =
                            List.of(
                                    LayerShape.conv(at + "conv1", in, mid, 1, 1),
                                    LayerShape.conv(at + "conv2", mid, mid, 3, stride),
                                    LayerShape.conv(at + "conv3", mid, out, 1, 1));
                } else {
                    convs =
                            List.of(
                                    LayerShape.conv(at + "conv1", in, out, 3, stride),
                                    LayerShape.conv(at + "conv2", out, out, 3, 1));
                }
                LayerShape downsample =
                        stride != 1 || in != out
                                ? LayerShape.conv(at + "downsample", in, out, 1, stride)
                                : null;
                residuals.add(new Residual(convs, downsample));
                in = out;
            }
        }
        return new Plan(stem, residuals, LayerShape.linear("fc", in, spec.classes()));
    }

    @Override
    public List<LayerShape> layers(NetSpec spec) {
        Plan p = plan(spec);
        List<LayerShape> out = new ArrayList<>();
        out.add(p.stem());
        for (Residual r : p.blocks()) {
            out.addAll(r.convs());
            if (r.downsample() != null) {
                out.add(r.downsample());
            }
        }
        out.add(p.classifier());
        return out;
    }

    @Override
    public SequentialBlock block(NetSpec spec, Function<LayerShape, MaskedLayer> make) {
        Plan p = plan(spec);
        SequentialBlock net = new SequentialBlock();
        net.add(make.apply(p.stem())).add(batchNorm(spec)).add(Activation.reluBlock());
        if (!cifarStem) {
            net.add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        }
        for (Residual r : p.blocks()) {
            SequentialBlock main = new SequentialBlock();
            for (int i = 0; i < r.convs().size(); i++) {
                main.add(make.apply(r.convs().get(i))).add(batchNorm(spec));
                if (i < r.convs().size() - 1) {
                    main.add(Activation.reluBlock());
                }
            }
            SequentialBlock shortcut =
                    r.downsample() == null
                            ? null
                            : new SequentialBlock()
                                    .add(make.apply(r.downsample()))
                                    .add(batchNorm(spec));
            net.add(new ResidualBlock(main, shortcut));
        }
        return net.add(Pool.globalAvgPool2dBlock()).add(make.apply(p.classifier()));
    }

    /** Batch norm over channels: learned scale and shift only when the weights are learned. */
    private static Block batchNorm(NetSpec spec) {
        boolean affine = spec.method() == Method.DENSE;
        return BatchNorm.builder()
                .optMomentum(0.9f)
                .optEpsilon(1e-5f)
                .optScale(affine)
                .optCenter(affine)
                .build();
    }

    @Override
    public String toString() {
        return name;
    }
}
