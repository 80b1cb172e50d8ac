package dev.edgepopup.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.NoGrad;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;

/**
 * One training step with the batch split by rows over the devices of one machine (batch 10 on three
 * devices: 4, 3 and 3 rows), giving the step of one device up to floating point for networks
 * without batch norm (FC, ConvX). A choice that rounding can flip (the top-k boundary, a
 * max-pooling window whose two largest values are within a last bit) can make that difference
 * larger, as another batch size would on one device.
 *
 * <p>Device 0 runs the network itself; every other device runs a replica, a copy of each of the
 * network's parameters on that device, which the network's own blocks read through a {@link
 * ParameterStore}. Each device forwards its rows and backpropagates its rows' mean loss times their
 * share of the batch, so the replicas' gradients, summed onto the network's, are the gradient of
 * the whole batch's mean loss. The optimizer then steps once, on the network, and the trained
 * tensors are copied to the replicas. The devices run in turn on the calling thread, inside one
 * gradient {@link Gradients.Tape}: every forward is queued before the first loss is read and the
 * first backward starts, and on GPUs, whose kernels run asynchronously, they overlap.
 *
 * <p>DJL's own route, one {@code ParameterStore} with a {@code ParameterServer} over several
 * devices, is not used: that store rejects a device named twice and libtorch has a single CPU
 * device (DJL maps {@code cpu(1)} to {@code cpu()}), so it could not be tested without several
 * GPUs; and its copy of a parameter onto the parameter's own device is the same tensor, not a copy.
 *
 * <p>Batch norm (ResNets) normalizes each device's rows with their own statistics, as PyTorch's
 * {@code DataParallel} does (not {@code SyncBatchNorm}): ResNet steps differ from one device's by
 * more than floating point. The replicas' running means and variances are averaged, weighted by
 * their rows' share, into the network's after every step. Zhou's masks come from the network's own
 * draws ({@link Net#maskSeed}), one sample per device in device order, so they differ from one
 * device's draws; they are random anyway.
 *
 * <p>Mixed precision is not offered: DJL 0.36's PyTorch engine has no autocast, and its {@code
 * toType} cuts the gradient (a backward pass through a cast to float16 or float64 finds nothing
 * that requires a gradient).
 */
final class DataParallel implements AutoCloseable {
    private final Net net;
    private final List<Device> devices;
    private final List<Parameter> trained;
    private final List<Parameter> buffers;

    /** The devices after the first, built at the first step: after a checkpoint was restored. */
    private List<Replica> replicas;

    /**
     * @param net the network; its device must be the first
     * @param devices the devices, the network's first; a device may repeat (tests use the CPU
     *     several times)
     */
    DataParallel(Net net, List<Device> devices) {
        Device own = net.manager().getDevice();
        if (devices.isEmpty() || !devices.get(0).equals(own)) {
            throw new IllegalArgumentException(
                    "the first device must be the network's own, " + own + ", got " + devices);
        }
        this.net = net;
        this.devices = List.copyOf(devices);
        trained = net.trainable();
        buffers = net.buffers();
    }

    /**
     * What a step measured.
     *
     * @param loss the batch's mean loss (not finite: the optimizer did not step)
     * @param correct rows whose highest logit is their label
     */
    record Result(float loss, long correct) {}

    /**
     * Forward and backward passes of every device's rows, then one optimizer step unless the loss
     * is not finite. The arrays it makes live on {@code x}'s manager and the caller's scope.
     *
     * @param x the batch's images, on the network's device
     * @param labels the batch's labels
     * @param loss the mean loss of logits and labels (one device's rows)
     * @param opt the optimizer over {@link Net#trainable()}
     * @param lr the learning rate
     * @return the batch's loss and correct count
     */
    Result step(NDArray x, NDArray labels, BinaryOperator<NDArray> loss, Optimizer opt, double lr) {
        if (replicas == null) {
            replicas = replicas();
        }
        int rows = Math.toIntExact(x.getShape().get(0));
        int[] sizes = split(rows, devices.size());
        double[] shares = new double[sizes.length];
        for (int d = 0; d < sizes.length; d++) {
            shares[d] = (double) sizes[d] / rows;
        }
        List<NDArray> logits = new ArrayList<>();
        List<NDArray> chunkLabels = new ArrayList<>();
        List<NDArray> losses = new ArrayList<>();
        double total = 0;
        try (Gradients.Tape tape = Gradients.record()) {
            int start = 0;
            for (int d = 0; d < sizes.length && sizes[d] > 0; d++) {
                Device device = devices.get(d);
                int end = start + sizes[d];
                // The chunk's arrays, and all a forward pass derives from them, on its device.
                NDManager chunk = x.getManager().newSubManager(device);
                NDIndex index = new NDIndex("{}:{}", start, end);
                NDArray xd = x.get(index).toDevice(device, false);
                NDArray yd = labels.get(index).toDevice(device, false);
                xd.attach(chunk);
                yd.attach(chunk);
                logits.add(d == 0 ? net.forward(xd, true) : replicas.get(d - 1).forward(xd));
                chunkLabels.add(yd);
                losses.add(loss.apply(logits.get(d), yd));
                start = end;
            }
            for (int d = 0; d < losses.size(); d++) {
                total += shares[d] * losses.get(d).getFloat();
            }
            if (!Double.isFinite(total)) {
                return new Result((float) total, 0);
            }
            for (int d = 0; d < losses.size(); d++) {
                tape.backward(losses.get(d).mul(shares[d]));
            }
        }
        long correct = 0;
        for (int d = 0; d < logits.size(); d++) {
            correct +=
                    logits.get(d)
                            .argMax(1)
                            .toType(DataType.INT32, false)
                            .eq(chunkLabels.get(d))
                            .countNonzero()
                            .getLong();
        }
        List<Replica> ran = replicas.subList(0, logits.size() - 1);
        gatherGradients(ran);
        opt.step(lr);
        averageBuffers(ran, shares);
        for (Replica r : replicas) {
            r.copy(trained);
            r.copy(buffers);
        }
        return new Result((float) total, correct);
    }

    /**
     * Each device's rows: as even as they go, the first devices taking one more (10 over 3: 4, 3,
     * 3); none for devices past the rows.
     */
    static int[] split(int rows, int devices) {
        int[] s = new int[devices];
        for (int d = 0; d < devices; d++) {
            s[d] = rows / devices + (d < rows % devices ? 1 : 0);
        }
        return s;
    }

    private List<Replica> replicas() {
        List<Replica> out = new ArrayList<>();
        try {
            for (Device d : devices.subList(1, devices.size())) {
                out.add(new Replica(net, d));
            }
        } catch (RuntimeException e) {
            out.forEach(Replica::close);
            throw e;
        }
        return out;
    }

    /** Adds the replicas' (already share-weighted) gradients to the network's, zeroing theirs. */
    private void gatherGradients(List<Replica> ran) {
        try (NoGrad off = NoGrad.enter();
                NDScope ignored = new NDScope()) {
            for (Parameter p : trained) {
                NDArray g = p.getArray().getGradient();
                for (Replica r : ran) {
                    NDArray copy = r.copyOf(p);
                    g.addi(copy.getGradient().toDevice(g.getDevice(), false));
                    Gradients.zero(copy);
                }
            }
        }
    }

    /** The network's running statistics become the share-weighted mean of all devices'. */
    private void averageBuffers(List<Replica> ran, double[] shares) {
        if (ran.isEmpty()) {
            return;
        }
        try (NoGrad off = NoGrad.enter();
                NDScope ignored = new NDScope()) {
            for (Parameter p : buffers) {
                NDArray mean = p.getArray().muli(shares[0]);
                for (int d = 1; d <= ran.size(); d++) {
                    mean.addi(
                            ran.get(d - 1)
                                    .copyOf(p)
                                    .toDevice(mean.getDevice(), false)
                                    .mul(shares[d]));
                }
            }
        }
    }

    @Override
    public void close() {
        if (replicas != null) {
            replicas.forEach(Replica::close);
        }
    }

    /**
     * A copy of every parameter of the network on one device, which it hands the network's blocks
     * in place of the originals; the copies live in this store's own manager.
     */
    private static final class Replica extends ParameterStore {
        private final Block block;
        private final Map<Parameter, NDArray> copies = new IdentityHashMap<>();

        Replica(Net net, Device device) {
            super(NDManager.newBaseManager(device), false);
            block = net.block();
            try (NoGrad off = NoGrad.enter();
                    NDScope ignored = new NDScope()) {
                for (Pair<String, Parameter> p : block.getParameters()) {
                    // duplicate(): toDevice(device, true) onto the same device returns the tensor
                    // itself. The scope closes the duplicate when toDevice made another copy.
                    NDArray copy = p.getValue().getArray().duplicate().toDevice(device, false);
                    NDScope.unregister(copy);
                    copy.attach(getManager());
                    copy.setRequiresGradient(p.getValue().requiresGradient());
                    copies.put(p.getValue(), copy);
                }
            }
        }

        @Override
        public NDArray getValue(Parameter parameter, Device device, boolean training) {
            return parameter == null ? null : copies.get(parameter);
        }

        NDArray forward(NDArray x) {
            return block.forward(this, new NDList(x), true).singletonOrThrow();
        }

        NDArray copyOf(Parameter p) {
            return copies.get(p);
        }

        /** Overwrites the copies of {@code params} with the network's values. */
        void copy(List<Parameter> params) {
            try (NoGrad off = NoGrad.enter();
                    NDScope ignored = new NDScope()) {
                for (Parameter p : params) {
                    NDArray c = copies.get(p);
                    c.set(new NDIndex("..."), p.getArray().toDevice(c.getDevice(), false));
                }
            }
        }

        void close() {
            getManager().close();
        }
    }
}
