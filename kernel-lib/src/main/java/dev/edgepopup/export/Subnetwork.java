package dev.edgepopup.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.edgepopup.io.Json;
import dev.edgepopup.io.Tensors;
import dev.edgepopup.nn.MaskedLayer;
import dev.edgepopup.nn.Method;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.NetSpec;
import dev.edgepopup.nn.NoGrad;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A found subnetwork in compact form: the network's spec (architecture, distribution and weight
 * seed) plus one bit per weight saying whether it is kept, and for a ResNet its batch-norm running
 * statistics (a few floats per channel), without which it cannot be evaluated. The random weights
 * are regenerated from the seed, so the file is about 1/32 of the float32 weights. The reference
 * code cannot export a found subnetwork at all.
 */
public final class Subnetwork {
    private static final String MAGIC = "EPSN";
    private final NetSpec spec;
    private final List<boolean[]> masks;
    private final List<float[]> buffers;

    private Subnetwork(NetSpec spec, List<boolean[]> masks, List<float[]> buffers) {
        this.spec = spec;
        this.masks = masks;
        this.buffers = buffers;
    }

    /**
     * The subnetwork an edge-popup network selects now.
     *
     * @param net an edge-popup network
     * @return its subnetwork
     */
    public static Subnetwork of(Net net) {
        if (net.spec().method() != Method.EDGE_POPUP) {
            throw new IllegalArgumentException(
                    "a compact subnetwork needs an edge-popup net: a "
                            + net.spec().method()
                            + " net's weights are not a fixed mask on seeded random weights; "
                            + "export it with StandaloneModel instead");
        }
        List<boolean[]> masks = new ArrayList<>();
        try (NDManager m = net.manager().newSubManager()) {
            for (MaskedLayer l : net.layers()) {
                float[] v = l.mask(m).toFloatArray();
                boolean[] b = new boolean[v.length];
                for (int i = 0; i < v.length; i++) {
                    b[i] = v[i] != 0;
                }
                masks.add(b);
            }
        }
        List<float[]> buffers = new ArrayList<>();
        for (Parameter p : net.buffers()) {
            buffers.add(p.getArray().toFloatArray());
        }
        return new Subnetwork(net.spec(), masks, buffers);
    }

    /**
     * @return the spec, with the weight seed
     */
    public NetSpec spec() {
        return spec;
    }

    /**
     * @return the kept weights, summed over layers
     */
    public long keptCount() {
        long n = 0;
        for (boolean[] m : masks) {
            for (boolean b : m) {
                n += b ? 1 : 0;
            }
        }
        return n;
    }

    /**
     * @return the number of weights (k = 1)
     */
    public long weightCount() {
        return masks.stream().mapToLong(m -> m.length).sum();
    }

    /**
     * Saves the compact form.
     *
     * @param file the target file
     * @return the file's size in bytes
     * @throws IOException if writing fails
     */
    public long save(Path file) throws IOException {
        Map<String, boolean[]> bits = new LinkedHashMap<>();
        for (int i = 0; i < masks.size(); i++) {
            bits.put("mask/" + i, masks.get(i));
        }
        Map<String, float[]> floats = new LinkedHashMap<>();
        for (int i = 0; i < buffers.size(); i++) {
            floats.put("buffer/" + i, buffers.get(i));
        }
        new Tensors(Json.GSON.toJson(spec), floats, bits).write(file, MAGIC);
        return Files.size(file);
    }

    /**
     * Loads a compact subnetwork.
     *
     * @param file the file
     * @return the subnetwork
     * @throws IOException if the file is missing, truncated or corrupt
     */
    public static Subnetwork load(Path file) throws IOException {
        Tensors t = Tensors.read(file, MAGIC, "subnetwork");
        NetSpec spec = Json.GSON.fromJson(t.header(), NetSpec.class);
        return new Subnetwork(
                spec, new ArrayList<>(t.bits().values()), new ArrayList<>(t.floats().values()));
    }

    /**
     * Rebuilds the network: the random weights from the spec's seed, scores equal to the mask,
     * whose top-k is then exactly the stored mask, and the stored running statistics.
     *
     * @return a new edge-popup network using this subnetwork; close it when done
     */
    public Net toNet() {
        Net net = spec.build();
        List<MaskedLayer> layers = net.layers();
        if (layers.size() != masks.size()) {
            net.close();
            throw new IllegalStateException(
                    "the file has "
                            + masks.size()
                            + " masks but a "
                            + spec.arch()
                            + " has "
                            + layers.size()
                            + " layers");
        }
        for (int i = 0; i < layers.size(); i++) {
            boolean[] m = masks.get(i);
            MaskedLayer l = layers.get(i);
            if (m.length != l.weightCount()) {
                net.close();
                throw new IllegalStateException(
                        "mask "
                                + i
                                + " has "
                                + m.length
                                + " bits but layer "
                                + l.label()
                                + " has "
                                + l.weightCount()
                                + " weights");
            }
            float[] s = new float[m.length];
            for (int j = 0; j < m.length; j++) {
                s[j] = m[j] ? 1 : 0;
            }
            try (NoGrad off = NoGrad.enter()) {
                l.scores().getArray().set(s);
            }
        }
        List<Parameter> stats = net.buffers();
        if (stats.size() != buffers.size()) {
            net.close();
            throw new IllegalStateException(
                    "the file has "
                            + buffers.size()
                            + " running statistics but a "
                            + spec.arch()
                            + " has "
                            + stats.size());
        }
        try (NoGrad off = NoGrad.enter()) {
            for (int i = 0; i < stats.size(); i++) {
                stats.get(i).getArray().set(buffers.get(i));
            }
        }
        return net;
    }

    /**
     * The effective weights {@code W * mask} of every layer, for a standalone model.
     *
     * @param manager where the arrays live
     * @return one array per prunable layer
     */
    List<NDArray> maskedWeights(NDManager manager) {
        List<NDArray> out = new ArrayList<>();
        try (Net net = toNet()) {
            for (MaskedLayer l : net.layers()) {
                NDArray w = l.weight().getArray().mul(l.mask(manager));
                w.attach(manager);
                out.add(w);
            }
        }
        return out;
    }
}
