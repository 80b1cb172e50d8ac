package dev.edgepopup.nn;

import ai.djl.nn.SequentialBlock;
import dev.edgepopup.nn.NetSpec.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** FC and ConvX (spec section 3): their layout ({@link #layout}) and channel counts. */
final class PlainNet implements Architecture {
    static final PlainNet FC = new PlainNet("fc", new Input(1, 28, 28, 10));
    static final PlainNet CONV2 = new PlainNet("conv2", new Input(3, 32, 32, 10));
    static final PlainNet CONV4 = new PlainNet("conv4", new Input(3, 32, 32, 10));
    static final PlainNet CONV6 = new PlainNet("conv6", new Input(3, 32, 32, 10));
    static final PlainNet CONV8 = new PlainNet("conv8", new Input(3, 32, 32, 10));

    private final String name;
    private final Input input;

    private PlainNet(String name, Input input) {
        this.name = name;
        this.input = input;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Input defaultInput() {
        return input;
    }

    @Override
    public void checkInput(int height, int width) {
        int pools = convChannels(name).length / 2;
        if ((height >> pools) < 1 || (width >> pools) < 1) {
            throw new IllegalArgumentException(
                    name
                            + " halves the image "
                            + pools
                            + " times: "
                            + height
                            + "x"
                            + width
                            + " is too small");
        }
    }

    @Override
    public List<LayerShape> layers(NetSpec spec) {
        List<LayerShape> out = new ArrayList<>();
        for (Step step : spec.layout()) {
            LayerShape s = shape(step);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public SequentialBlock block(NetSpec spec, Function<LayerShape, MaskedLayer> make) {
        SequentialBlock block = new SequentialBlock();
        for (Step step : spec.layout()) {
            LayerShape s = shape(step);
            block.add(s == null ? step.block() : make.apply(s));
        }
        return block;
    }

    /** The prunable layer of a step, or null for ReLU, pool and flatten. */
    private static LayerShape shape(Step step) {
        switch (step.kind()) {
            case CONV:
                return LayerShape.conv(step.label(), step.in(), step.out(), 3, 1);
            case LINEAR:
                return LayerShape.linear(step.label(), step.in(), step.out());
            default:
                return null;
        }
    }

    /**
     * The layout of spec section 3's plain nets (FC, ConvX): conv pairs with ReLU and a 2x2
     * max-pool after each pair, flatten, then bias-free fully connected layers with ReLU between
     * them.
     *
     * @param spec an FC or ConvX spec
     * @return the steps, input first
     */
    static List<Step> layout(NetSpec spec) {
        List<Step> steps = new ArrayList<>();
        int in = spec.channels();
        int[] convs = convChannels(spec.arch());
        for (int i = 0; i < convs.length; i++) {
            int out = spec.scaled(convs[i]);
            steps.add(new Step(Step.Kind.CONV, "conv" + (i + 1), in, out));
            steps.add(new Step(Step.Kind.RELU, null, 0, 0));
            if (i % 2 == 1) {
                steps.add(new Step(Step.Kind.POOL, null, 0, 0));
            }
            in = out;
        }
        int pools = convs.length / 2;
        int features = in * (spec.height() >> pools) * (spec.imageWidth() >> pools);
        steps.add(new Step(Step.Kind.FLATTEN, null, 0, 0));
        int[] hidden = hiddenWidths(spec.arch());
        for (int i = 0; i <= hidden.length; i++) {
            int out = i < hidden.length ? spec.scaled(hidden[i]) : spec.classes();
            steps.add(new Step(Step.Kind.LINEAR, "fc" + (i + 1), features, out));
            if (i < hidden.length) {
                steps.add(new Step(Step.Kind.RELU, null, 0, 0));
            }
            features = out;
        }
        return steps;
    }

    /**
     * @return the conv channel counts of a plain architecture before the width multiplier
     */
    private static int[] convChannels(String arch) {
        switch (arch) {
            case "conv2":
                return new int[] {64, 64};
            case "conv4":
                return new int[] {64, 64, 128, 128};
            case "conv6":
                return new int[] {64, 64, 128, 128, 256, 256};
            case "conv8":
                return new int[] {64, 64, 128, 128, 256, 256, 512, 512};
            default:
                return new int[0];
        }
    }

    /**
     * @return the hidden fully connected widths before the width multiplier
     */
    private static int[] hiddenWidths(String arch) {
        return arch.equals("fc") ? new int[] {300, 100} : new int[] {256, 256};
    }

    @Override
    public String toString() {
        return name;
    }
}
