package dev.edgepopup.train;

import dev.edgepopup.io.Numbers;
import dev.edgepopup.nn.Method;
import java.util.Locale;

/**
 * A training recipe (spec section 4). The paper's settings are available by name and every field
 * can be overridden: {@code Recipe.CIFAR10_EDGE_POPUP.epochs(10).lr(0.05)}.
 *
 * @param name a name for tables
 * @param optimizer SGD (PyTorch's form) or Adam
 * @param lr the base learning rate
 * @param momentum SGD momentum (ignored by Adam)
 * @param weightDecay L2 weight decay on the trained tensors only
 * @param batchSize examples per step
 * @param schedule how the learning rate changes per epoch
 * @param warmupEpochs epochs of linear warm-up before the schedule
 * @param epochs epochs to train
 * @param labelSmoothing label smoothing of the cross-entropy loss, in [0, 1)
 */
public record Recipe(
        String name,
        Optimizer.Kind optimizer,
        double lr,
        double momentum,
        double weightDecay,
        int batchSize,
        Schedule schedule,
        int warmupEpochs,
        int epochs,
        double labelSmoothing) {

    /**
     * Edge-popup on CIFAR-10: SGD 0.9, lr 0.1, wd 1e-4 on scores, batch 128, cosine, 100 epochs.
     */
    public static final Recipe CIFAR10_EDGE_POPUP =
            new Recipe(
                    "cifar10-edge-popup",
                    Optimizer.Kind.SGD,
                    0.1,
                    0.9,
                    1e-4,
                    128,
                    Schedule.COSINE,
                    0,
                    100,
                    0);

    /** Learned dense weights with SGD: lr 0.01, wd 1e-4, batch 128, cosine, 100 epochs. */
    public static final Recipe DENSE_SGD =
            new Recipe(
                    "dense-sgd",
                    Optimizer.Kind.SGD,
                    0.01,
                    0.9,
                    1e-4,
                    128,
                    Schedule.COSINE,
                    0,
                    100,
                    0);

    /** Learned dense weights with Adam for Conv4/6/8 (lr 3e-4); see {@link #denseAdam}. */
    public static final Recipe DENSE_ADAM = denseAdam("conv4");

    /** Zhou et al.'s supermask: SGD 0.9, lr 200, batch 128, cosine; see {@link #zhou}. */
    public static final Recipe ZHOU = zhou("conv4");

    /**
     * Edge-popup on ImageNet: SGD 0.875, lr 0.256, wd 2^-15, batch 256, cosine after 5 warm-up
     * epochs, label smoothing 0.1 (the paper uses k = 0.3).
     */
    public static final Recipe IMAGENET_EDGE_POPUP =
            new Recipe(
                    "imagenet-edge-popup",
                    Optimizer.Kind.SGD,
                    0.256,
                    0.875,
                    3.0517578125e-5,
                    256,
                    Schedule.COSINE,
                    5,
                    100,
                    0.1);

    /** Checks every field and says what is wrong. */
    public Recipe {
        if (!(lr > 0)) {
            throw new IllegalArgumentException("lr must be > 0, got " + lr);
        }
        if (!(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException(
                    "momentum must be in [0, 1) and weight decay >= 0, got "
                            + momentum
                            + ", "
                            + weightDecay);
        }
        if (batchSize < 1 || epochs < 1 || warmupEpochs < 0) {
            throw new IllegalArgumentException(
                    "batch size and epochs must be >= 1 and warm-up >= 0, got "
                            + batchSize
                            + ", "
                            + epochs
                            + ", "
                            + warmupEpochs);
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException(
                    "label smoothing must be in [0, 1), got " + labelSmoothing);
        }
    }

    /**
     * The dense Adam baseline, whose learning rate depends on the network.
     *
     * @param arch the architecture
     * @return lr 2e-4 for Conv2, 1.2e-3 for FC, 3e-4 otherwise; batch 60, constant, 100 epochs
     */
    public static Recipe denseAdam(String arch) {
        double lr = arch.equals("conv2") ? 2e-4 : arch.equals("fc") ? 1.2e-3 : 3e-4;
        return new Recipe(
                "dense-adam", Optimizer.Kind.ADAM, lr, 0, 0, 60, Schedule.CONSTANT, 0, 100, 0);
    }

    /**
     * Zhou et al.'s supermask baseline.
     *
     * @param arch the architecture
     * @return lr 800 for Conv8, 200 otherwise
     */
    public static Recipe zhou(String arch) {
        return new Recipe(
                "zhou",
                Optimizer.Kind.SGD,
                arch.equals("conv8") ? 800 : 200,
                0.9,
                0,
                128,
                Schedule.COSINE,
                0,
                100,
                0);
    }

    /**
     * The paper's recipe for a method on an architecture (SGD for dense).
     *
     * @param method the method
     * @param arch the architecture
     * @return the recipe
     */
    public static Recipe paper(Method method, String arch) {
        switch (method) {
            case DENSE:
                return DENSE_SGD;
            case ZHOU:
                return zhou(arch);
            default:
                return CIFAR10_EDGE_POPUP;
        }
    }

    /**
     * @param value the learning rate
     * @return a copy with it
     */
    public Recipe lr(double value) {
        return new Recipe(
                name,
                optimizer,
                value,
                momentum,
                weightDecay,
                batchSize,
                schedule,
                warmupEpochs,
                epochs,
                labelSmoothing);
    }

    /**
     * @param value the momentum
     * @return a copy with it
     */
    public Recipe momentum(double value) {
        return new Recipe(
                name,
                optimizer,
                lr,
                value,
                weightDecay,
                batchSize,
                schedule,
                warmupEpochs,
                epochs,
                labelSmoothing);
    }

    /**
     * @param value the weight decay
     * @return a copy with it
     */
    public Recipe weightDecay(double value) {
        return new Recipe(
                name,
                optimizer,
                lr,
                momentum,
                value,
                batchSize,
                schedule,
                warmupEpochs,
                epochs,
                labelSmoothing);
    }

    /**
     * @param value the batch size
     * @return a copy with it
     */
    public Recipe batchSize(int value) {
        return new Recipe(
                name,
                optimizer,
                lr,
                momentum,
                weightDecay,
                value,
                schedule,
                warmupEpochs,
                epochs,
                labelSmoothing);
    }

    /**
     * @param value the schedule
     * @return a copy with it
     */
    public Recipe schedule(Schedule value) {
        return new Recipe(
                name,
                optimizer,
                lr,
                momentum,
                weightDecay,
                batchSize,
                value,
                warmupEpochs,
                epochs,
                labelSmoothing);
    }

    /**
     * @param value warm-up epochs
     * @return a copy with it
     */
    public Recipe warmupEpochs(int value) {
        return new Recipe(
                name,
                optimizer,
                lr,
                momentum,
                weightDecay,
                batchSize,
                schedule,
                value,
                epochs,
                labelSmoothing);
    }

    /**
     * @param value the number of epochs
     * @return a copy with it
     */
    public Recipe epochs(int value) {
        return new Recipe(
                name,
                optimizer,
                lr,
                momentum,
                weightDecay,
                batchSize,
                schedule,
                warmupEpochs,
                value,
                labelSmoothing);
    }

    /**
     * @param value label smoothing
     * @return a copy with it
     */
    public Recipe labelSmoothing(double value) {
        return new Recipe(
                name,
                optimizer,
                lr,
                momentum,
                weightDecay,
                batchSize,
                schedule,
                warmupEpochs,
                epochs,
                value);
    }

    /**
     * @param value the optimizer
     * @return a copy with it
     */
    public Recipe optimizer(Optimizer.Kind value) {
        return new Recipe(
                name,
                value,
                lr,
                momentum,
                weightDecay,
                batchSize,
                schedule,
                warmupEpochs,
                epochs,
                labelSmoothing);
    }

    /**
     * The recipe in words, for a notebook's description of what it runs: {@code
     * "imagenet-edge-popup: SGD, lr 0.128, momentum 0.875, weight decay 3.05176E-5, batch 128,
     * cosine, 1 warm-up epoch, 3 epochs, label smoothing 0.1"}. Parts that do not apply (Adam's
     * momentum, no warm-up, no label smoothing) are left out.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(name).append(": ").append(optimizer);
        s.append(", lr ").append(Numbers.significant(lr));
        if (optimizer == Optimizer.Kind.SGD) {
            s.append(", momentum ").append(Numbers.significant(momentum));
        }
        s.append(", weight decay ").append(Numbers.significant(weightDecay));
        s.append(", batch ").append(batchSize);
        s.append(", ").append(schedule.name().toLowerCase(Locale.ROOT));
        if (warmupEpochs > 0) {
            s.append(", ")
                    .append(warmupEpochs)
                    .append(warmupEpochs == 1 ? " warm-up epoch" : " warm-up epochs");
        }
        s.append(", ").append(epochs).append(epochs == 1 ? " epoch" : " epochs");
        if (labelSmoothing > 0) {
            s.append(", label smoothing ").append(Numbers.significant(labelSmoothing));
        }
        return s.toString();
    }

    /**
     * The learning rate of an epoch: linear warm-up {@code lr*(e+1)/w} for the first {@code w}
     * epochs, then the schedule over the remaining epochs.
     *
     * @param epoch the epoch, from 0
     * @return its learning rate
     */
    public double lrAt(int epoch) {
        if (epoch < warmupEpochs) {
            return lr * (epoch + 1) / warmupEpochs;
        }
        return schedule.factor(epoch - warmupEpochs, epochs - warmupEpochs) * lr;
    }
}
