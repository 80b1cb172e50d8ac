package dev.edgepopup.nn;

import dev.edgepopup.init.Init;

/**
 * Fluent entry point for the paper's networks: {@code
 * Nets.conv4().width(2).keep(0.5).init(Init.SIGNED_KAIMING_CONSTANT).build()} or {@code
 * Nets.of("resnet50").input(3, 224, 224, 1000).keep(0.3).build()}. Defaults: edge-popup, k = 0.5,
 * signed Kaiming constant, seed 0, CIFAR-10 input (3x32x32, 10 classes) for the conv nets and
 * {@code resnet18_cifar}, MNIST input (1x28x28) for FC and ImageNet input (3x224x224, 1000 classes)
 * for the other ResNets.
 */
public final class Nets {
    private final String arch;
    private double width = 1;
    private int channels;
    private int height;
    private int imageWidth;
    private int classes;
    private Method method = Method.EDGE_POPUP;
    private double keep = 0.5;
    private Init init = Init.SIGNED_KAIMING_CONSTANT;
    private long weightSeed;
    private long scoreSeed = 1;

    private Nets(Architecture a) {
        this.arch = a.name();
        Architecture.Input in = a.defaultInput();
        input(in.channels(), in.height(), in.width(), in.classes());
    }

    /**
     * @return FC 784-300-100-10 (any input size)
     */
    public static Nets fc() {
        return of("fc");
    }

    /**
     * @return Conv2
     */
    public static Nets conv2() {
        return of("conv2");
    }

    /**
     * @return Conv4
     */
    public static Nets conv4() {
        return of("conv4");
    }

    /**
     * @return Conv6
     */
    public static Nets conv6() {
        return of("conv6");
    }

    /**
     * @return Conv8
     */
    public static Nets conv8() {
        return of("conv8");
    }

    /**
     * @param arch one of {@link NetSpec#ARCHITECTURES}, e.g. "conv4" or "resnet50"
     * @return that architecture with its default input
     * @throws IllegalArgumentException naming the known architectures if {@code arch} is not one
     */
    public static Nets of(String arch) {
        return new Nets(NetSpec.architecture(arch));
    }

    /**
     * @param w the width multiplier, > 0
     * @return this
     */
    public Nets width(double w) {
        this.width = w;
        return this;
    }

    /**
     * @param k the fraction of weights kept in every layer, in (0, 1]
     * @return this
     */
    public Nets keep(double k) {
        this.keep = Masks.checkKeep(k);
        return this;
    }

    /**
     * @param d the weights' distribution
     * @return this
     */
    public Nets init(Init d) {
        this.init = d;
        return this;
    }

    /**
     * @param m how the layers learn
     * @return this
     */
    public Nets method(Method m) {
        this.method = m;
        return this;
    }

    /**
     * Sets the input image shape and class count.
     *
     * @param c channels
     * @param h height
     * @param w width
     * @param numClasses classes
     * @return this
     */
    public Nets input(int c, int h, int w, int numClasses) {
        this.channels = c;
        this.height = h;
        this.imageWidth = w;
        this.classes = numClasses;
        return this;
    }

    /**
     * Sets the input to match a data set.
     *
     * @param data the training set
     * @return this
     */
    public Nets inputOf(dev.edgepopup.data.ImageSource data) {
        return input(
                (int) data.imageShape().get(0),
                (int) data.imageShape().get(1),
                (int) data.imageShape().get(2),
                data.classes());
    }

    /**
     * One seed for everything: weights from {@code seed}, scores from {@code seed + 1}.
     *
     * @param seed the seed
     * @return this
     */
    public Nets seed(long seed) {
        this.weightSeed = seed;
        this.scoreSeed = seed + 1;
        return this;
    }

    /**
     * @param seed the seed of the random weights alone
     * @return this
     */
    public Nets weightSeed(long seed) {
        this.weightSeed = seed;
        return this;
    }

    /**
     * @param seed the seed of the initial scores alone
     * @return this
     */
    public Nets scoreSeed(long seed) {
        this.scoreSeed = seed;
        return this;
    }

    /**
     * The width, a multiple of 1/256 up to 4, at which this network keeps the number of weights
     * closest to {@code weights} (the narrowest on a tie): for comparing networks whose subnetworks
     * have the same size, as the paper's Figure 5. The builder is left as it was.
     *
     * @param weights the subnetwork's size to match, e.g. another spec's {@link
     *     NetSpec#keptCount()}
     * @return the width
     */
    public double widthKeeping(long weights) {
        double best = Double.NaN;
        long bestMiss = Long.MAX_VALUE;
        for (int j = 1; j <= 1024; j++) {
            double w = j / 256.0;
            long miss =
                    Math.abs(
                            new NetSpec(
                                                    arch,
                                                    w,
                                                    channels,
                                                    height,
                                                    imageWidth,
                                                    classes,
                                                    method,
                                                    keep,
                                                    init,
                                                    weightSeed,
                                                    scoreSeed)
                                            .keptCount()
                                    - weights);
            if (miss < bestMiss) {
                bestMiss = miss;
                best = w;
            }
        }
        return best;
    }

    /**
     * @return the spec these settings describe (validated)
     */
    public NetSpec spec() {
        return new NetSpec(
                arch,
                width,
                channels,
                height,
                imageWidth,
                classes,
                method,
                keep,
                init,
                weightSeed,
                scoreSeed);
    }

    /**
     * @return the network; close it when done
     */
    public Net build() {
        return spec().build();
    }
}
