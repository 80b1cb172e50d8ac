package dev.edgepopup.train;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.edgepopup.data.HostBatch;
import dev.edgepopup.data.ImageSource;
import dev.edgepopup.nn.MaskedLayer;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.NetSpec;
import dev.edgepopup.nn.Precision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * Trains a network with a recipe: {@code History h = Training.of(net, train,
 * test).recipe(Recipe.CIFAR10_EDGE_POPUP.epochs(5)).run();}
 *
 * <p>Every step runs in its own NDManager and NDScope, so native memory stays flat. The data order
 * and augmentation of each epoch are drawn from the data seed and the epoch's number alone, and
 * Zhou's mask samples from those and the batch's number ({@link Net#maskSeed}), all in Java: a run
 * resumed from a checkpoint ends exactly as an uninterrupted one, and trainings on several threads
 * at once share no random state (nothing here touches PyTorch's global generator). The data is any
 * {@link ImageSource}: batch {@code b + 1} is prepared (for an image folder, decoded on its
 * threads) while batch {@code b} trains. An interrupt ({@link Thread#interrupt()}) stops at the
 * next batch and returns the partial history; a NaN loss throws {@link TrainingDivergedException}
 * naming the epoch and batch. {@link #devices} splits every batch over several GPUs of one machine
 * ({@link DataParallel}); {@link #threads} gives the training its own intra-op thread count, so
 * that trainings on several threads at once neither share random state nor change each other's
 * threads.
 */
public final class Training {
    private final Net net;
    private final ImageSource train;
    private final ImageSource test;
    private Recipe recipe = Recipe.CIFAR10_EDGE_POPUP;
    private long dataSeed;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private Path checkpoint;
    private int evalBatchSize = 1000;
    private Checkpoint.State resumed;
    private List<Device> devices;
    private Precision precision = Precision.FP32;
    private boolean forceBf16;

    /** Whether {@link #precision} is used as it is, without {@link Precision#resolve}. */
    private boolean resolved;

    private boolean channelsLast;
    private int threads;

    private Training(Net net, ImageSource train, ImageSource test) {
        this.net = Objects.requireNonNull(net);
        this.train = Objects.requireNonNull(train);
        this.test = Objects.requireNonNull(test);
    }

    /**
     * @param net the network to train (its trained tensors change in place)
     * @param train training data
     * @param test test data, evaluated after every epoch
     * @return a training with the CIFAR-10 edge-popup recipe and data seed 0
     */
    public static Training of(Net net, ImageSource train, ImageSource test) {
        return new Training(net, train, test);
    }

    /**
     * Continues a run from its checkpoint: rebuilds the network from the stored spec and seeds,
     * restores the trained tensors, optimizer state and history, and trains the remaining epochs.
     *
     * @param file the checkpoint
     * @param train training data (the same as the original run's)
     * @param test test data
     * @return the training, ready to {@link #run()}; its {@link #net()} is new and owned by you
     * @throws IOException if the checkpoint is missing or corrupt
     */
    public static Training resume(Path file, ImageSource train, ImageSource test)
            throws IOException {
        Checkpoint.State s = Checkpoint.read(file);
        Net net = s.history().spec().build();
        Training t = new Training(net, train, test);
        t.recipe = s.history().recipe();
        t.dataSeed = s.history().dataSeed();
        t.checkpoint = file;
        t.resumed = s;
        // The arithmetic the run started with, as resolved then.
        t.precision = s.history().precision();
        t.resolved = true;
        t.channelsLast = s.history().channelsLast();
        return t;
    }

    /**
     * @param r the recipe
     * @return this
     */
    public Training recipe(Recipe r) {
        this.recipe = Objects.requireNonNull(r);
        return this;
    }

    /**
     * @param seed the seed of data order, augmentation and Zhou's mask samples
     * @return this
     */
    public Training dataSeed(long seed) {
        this.dataSeed = seed;
        return this;
    }

    /**
     * @param l a progress listener
     * @return this
     */
    public Training listener(TrainingListener l) {
        listeners.add(Objects.requireNonNull(l));
        return this;
    }

    /**
     * Saves a checkpoint to {@code file} after every completed epoch.
     *
     * @param file the checkpoint file
     * @return this
     */
    public Training checkpoint(Path file) {
        this.checkpoint = file;
        return this;
    }

    /**
     * The arithmetic of training and evaluation ({@link Precision}). {@link Precision#BF16} falls
     * back to float32 on a CPU without AMX or AVX512-BF16, saying why on stderr ({@link
     * Precision#resolve}); the history records the precision used.
     *
     * @param p the precision asked for (default {@link Precision#FP32})
     * @return this
     */
    public Training precision(Precision p) {
        this.precision = Objects.requireNonNull(p);
        this.resolved = false;
        return this;
    }

    /**
     * Uses exactly this precision, with no fallback: for a caller that has already called {@link
     * Precision#resolve} (and shown its note) itself.
     *
     * @param p the precision to compute in
     * @return this
     */
    public Training resolvedPrecision(Precision p) {
        this.precision = Objects.requireNonNull(p);
        this.resolved = true;
        return this;
    }

    /**
     * @param force true to use bfloat16 when asked for even where the CPU only emulates it (for
     *     tests and accuracy comparisons; slow)
     * @return this
     */
    public Training forceBf16(boolean force) {
        this.forceBf16 = force;
        return this;
    }

    /**
     * @param on true to store images channels-last ({@link Net#channelsLast(boolean)}); the history
     *     records it
     * @return this
     */
    public Training channelsLast(boolean on) {
        this.channelsLast = on;
        return this;
    }

    /**
     * Runs every operation of this training on {@code n} intra-op threads: {@link #run()} sets the
     * count on its own thread and restores it on return, and other threads keep theirs ({@link
     * Threads}), so several trainings on several threads can each have their own. By default the
     * calling thread's count, unchanged.
     *
     * @param n threads per operation, at least 1
     * @return this
     */
    public Training threads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + n);
        }
        this.threads = n;
        return this;
    }

    /**
     * @param n examples per evaluation forward pass
     * @return this
     */
    public Training evalBatchSize(int n) {
        this.evalBatchSize = n;
        return this;
    }

    /**
     * Splits every batch by rows over these devices, with the same results as one device up to
     * floating point (see {@link DataParallel} for batch norm and Zhou). By default the network's
     * own device alone.
     *
     * @param devices the devices, the network's own first, e.g. {@code Devices.all().devices()}
     * @return this
     */
    public Training devices(List<Device> devices) {
        this.devices = List.copyOf(devices);
        return this;
    }

    /**
     * @return the network being trained
     */
    public Net net() {
        return net;
    }

    /** Tells every listener a line about the run, e.g. why bf16 fell back to fp32. */
    private void note(String line) {
        for (TrainingListener l : listeners) {
            l.onNote(line);
        }
    }

    /**
     * Trains until the recipe's last epoch, an interrupt or a NaN loss.
     *
     * @return the history (partial when interrupted)
     */
    public History run() {
        fits(train);
        fits(test);
        List<Device> on = devices != null ? devices : List.of(net.manager().getDevice());
        Precision used = resolved ? precision : precision.resolve(forceBf16, this::note);
        if (on.size() > 1 && (used != Precision.FP32 || channelsLast)) {
            // The replicas run the block directly, without Net.forward's casts.
            throw new IllegalArgumentException(
                    "bf16 and channels-last train on one device only, " + "not on " + on.size());
        }
        net.precision(used).channelsLast(channelsLast);
        History history = new History(net.spec(), recipe, dataSeed, used, channelsLast);
        int callersThreads = threads > 0 ? Threads.get() : 0;
        if (threads > 0) {
            Threads.set(threads);
        }
        try (NDManager runManager = NDManager.newBaseManager();
                DataParallel parallel = new DataParallel(net, on)) {
            Optimizer opt = Optimizer.of(recipe, net.trainable(), runManager);
            int start = 0;
            if (resumed != null) {
                resumed.restoreInto(net, opt, history);
                start = history.completedEpochs();
            }
            for (TrainingListener l : listeners) {
                l.onStart(start + 1, recipe.epochs());
            }
            for (int epoch = start; epoch < recipe.epochs(); epoch++) {
                EpochRecord r = epoch(epoch, opt, history, runManager, parallel);
                history.add(r);
                if (!r.complete()) {
                    history.markInterrupted();
                    break;
                }
                for (TrainingListener l : listeners) {
                    l.onEpoch(r, recipe.epochs());
                }
                if (checkpoint != null) {
                    writeCheckpoint(opt, history);
                }
            }
        } finally {
            history.keptFractions(keptFractions()); // Zhou's are sums: on the run's threads too
            if (threads > 0) {
                Threads.set(callersThreads);
            }
            for (TrainingListener l : listeners) {
                l.onEnd(history);
            }
        }
        return history;
    }

    /** Fails early, saying what to change, when the data does not match the network's input. */
    private void fits(ImageSource data) {
        NetSpec spec = net.spec();
        Shape input = new Shape(spec.channels(), spec.height(), spec.imageWidth());
        if (!data.imageShape().equals(input) || data.classes() > spec.classes()) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s has %s images in %d classes, but the network takes %s images and"
                                    + " has %d outputs: build it with .inputOf(data)",
                            data.name(), data.imageShape(), data.classes(), input, spec.classes()));
        }
    }

    private List<Double> keptFractions() {
        List<Double> out = new ArrayList<>();
        for (MaskedLayer l : net.layers()) {
            out.add(l.keptCount() / l.weightCount());
        }
        return out;
    }

    private void writeCheckpoint(Optimizer opt, History history) {
        try {
            Checkpoint.write(checkpoint, net, opt, history);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write checkpoint " + checkpoint, e);
        }
    }

    private static TrainingDivergedException diverged(
            String what, int epoch, int batch, int batches, double lr, History history) {
        return new TrainingDivergedException(
                String.format(
                        "%s at epoch %d, batch %d of %d (lr %.4g); the run stopped after %d"
                                + " complete epochs: lower the learning rate",
                        what, epoch + 1, batch + 1, batches, lr, history.completedEpochs()),
                history);
    }

    /** A seed for one epoch's randomness, independent of every other epoch's. */
    static long epochSeed(long dataSeed, int epoch) {
        return new SplittableRandom(dataSeed).split().nextLong() ^ (epoch * 0x9E3779B97F4A7C15L);
    }

    /**
     * The seed of Zhou's mask draws in one batch of an epoch, or in its evaluation (batch -1);
     * distinct inputs give distinct seeds (SplittableRandom's first output is a bijection).
     */
    static long maskSeed(long epochSeed, int batch) {
        return new SplittableRandom(epochSeed + 0x6A09E667F3BCC909L * (batch + 2L)).nextLong();
    }

    private EpochRecord epoch(
            int epoch,
            Optimizer opt,
            History history,
            NDManager runManager,
            DataParallel parallel) {
        long seed = epochSeed(dataSeed, epoch);
        int[] order = permutation(train.size(), new SplittableRandom(seed));
        SplittableRandom augment = new SplittableRandom(~seed);
        double lr = recipe.lrAt(epoch);
        int bs = recipe.batchSize();
        int batches = (order.length + bs - 1) / bs;
        long t0 = System.nanoTime();
        double lossSum = 0;
        long correct = 0;
        int seen = 0;
        CompletableFuture<HostBatch> next = train.prefetch(slice(order, 0, bs), augment);
        for (int b = 0; b < batches; b++) {
            if (Thread.interrupted()) {
                double s = (System.nanoTime() - t0) / 1e9;
                return new EpochRecord(
                        epoch + 1,
                        lossSum / Math.max(1, seen),
                        (double) correct / Math.max(1, seen),
                        Double.NaN,
                        lr,
                        s,
                        seen / s,
                        false);
            }
            HostBatch host = HostBatch.await(next);
            if (b + 1 < batches) {
                next = train.prefetch(slice(order, (b + 1) * bs, bs), augment);
            }
            int n = host.labels().length;
            net.maskSeed(maskSeed(seed, b));
            float loss;
            try (NDManager step = runManager.newSubManager();
                    NDScope ignored = new NDScope()) {
                NDList xy = host.toNDList(step);
                DataParallel.Result r =
                        parallel.step(
                                xy.get(0),
                                xy.get(1),
                                (logits, labels) ->
                                        Loss.crossEntropy(logits, labels, recipe.labelSmoothing()),
                                opt,
                                lr);
                loss = r.loss();
                if (!Float.isFinite(loss)) {
                    throw diverged("loss became " + loss, epoch, b, batches, lr, history);
                }
                correct += r.correct();
            }
            lossSum += (double) loss * n;
            seen += n;
            double secs = (System.nanoTime() - t0) / 1e9;
            for (TrainingListener l : listeners) {
                l.onBatch(
                        epoch + 1,
                        b + 1,
                        batches,
                        lossSum / seen,
                        (double) correct / seen,
                        seen / secs);
            }
        }
        double trainSecs = (System.nanoTime() - t0) / 1e9;
        net.maskSeed(maskSeed(seed, -1));
        double testAcc = net.accuracy(test, evalBatchSize);
        double secs = (System.nanoTime() - t0) / 1e9;
        return new EpochRecord(
                epoch + 1,
                lossSum / seen,
                (double) correct / seen,
                testAcc,
                lr,
                secs,
                seen / trainSecs,
                true);
    }

    /** Up to {@code n} entries of {@code order} from {@code start}. */
    private static int[] slice(int[] order, int start, int n) {
        return Arrays.copyOfRange(order, start, Math.min(order.length, start + n));
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
