package dev.edgepopup.nn;

import ai.djl.nn.SequentialBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** FC and ConvX (spec section 3): the architectures that {@link NetSpec#layout()} describes. */
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
        int pools = NetSpec.convChannels(name).length / 2;
        if ((height >> pools) < 1 || (width >> pools) < 1) {
            throw new IllegalArgumentException(
                    name + " halves the image " + pools + " times: " + height + "x" + width
                            + " is too small");
        }
    }

    @Override
    public List<LayerShape> layers(NetSpec spec) {
        List<LayerShape> out = new ArrayList<>();
        for (NetSpec.Step step : spec.layout()) {
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
        for (NetSpec.Step step : spec.layout()) {
            LayerShape s = shape(step);
            block.add(s == null ? NetSpec.plainBlock(step) : make.apply(s));
        }
        return block;
    }

    /** The prunable layer of a step, or null for ReLU, pool and flatten. */
    private static LayerShape shape(NetSpec.Step step) {
        switch (step.kind()) {
            case CONV:
                return LayerShape.conv(step.label(), step.in(), step.out(), 3, 1);
            case LINEAR:
                return LayerShape.linear(step.label(), step.in(), step.out());
            default:
                return null;
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
