package dev.edgepopup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import dev.edgepopup.io.Json;
import dev.edgepopup.io.Tensors;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.NetSpec;
import dev.edgepopup.nn.NoGrad;
import dev.edgepopup.nn.Precision;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's state after a completed epoch: the trained tensors (scores, or weights for dense nets),
 * the batch-norm running statistics (ResNets), the optimizer state, the history and the seeds.
 * Frozen random weights are not stored: the spec's weight seed rebuilds them bit for bit.
 */
public final class Checkpoint {
    private static final String MAGIC = "EPCK";

    private Checkpoint() {}

    /** The JSON header. */
    private record Header(
            NetSpec spec,
            Recipe recipe,
            long dataSeed,
            List<EpochRecord> epochs,
            long steps,
            Precision precision,
            boolean channelsLast) {}

    /** A checkpoint read back. */
    static final class State {
        private final History history;
        private final List<float[]> trained;
        private final List<float[]> buffers;
        private final List<float[]> optimizer;
        private final long steps;

        State(
                History history,
                List<float[]> trained,
                List<float[]> buffers,
                List<float[]> optimizer,
                long steps) {
            this.history = history;
            this.trained = trained;
            this.buffers = buffers;
            this.optimizer = optimizer;
            this.steps = steps;
        }

        History history() {
            return history;
        }

        void restoreInto(Net net, Optimizer opt, History target) {
            set(net.trainable(), trained, "trained tensors");
            set(net.buffers(), buffers, "running statistics");
            opt.restore(optimizer, steps);
            history.epochs().forEach(target::add);
        }

        private static void set(List<Parameter> params, List<float[]> values, String what) {
            if (params.size() != values.size()) {
                throw new IllegalStateException(
                        "checkpoint holds "
                                + values.size()
                                + " "
                                + what
                                + ", the network has "
                                + params.size());
            }
            try (NoGrad off = NoGrad.enter()) {
                for (int i = 0; i < params.size(); i++) {
                    params.get(i).getArray().set(values.get(i));
                }
            }
        }
    }

    /**
     * Writes a checkpoint (atomically: a crash leaves the previous one intact).
     *
     * @param file the file
     * @param net the network
     * @param opt its optimizer
     * @param history the history so far
     * @throws IOException if writing fails
     */
    static void write(Path file, Net net, Optimizer opt, History history) throws IOException {
        Map<String, float[]> arrays = new LinkedHashMap<>();
        List<Parameter> params = net.trainable();
        for (int i = 0; i < params.size(); i++) {
            arrays.put("trained/" + i, params.get(i).getArray().toFloatArray());
        }
        List<Parameter> buffers = net.buffers();
        for (int i = 0; i < buffers.size(); i++) {
            arrays.put("buffer/" + i, buffers.get(i).getArray().toFloatArray());
        }
        List<NDArray> state = opt.state();
        for (int i = 0; i < state.size(); i++) {
            arrays.put("optimizer/" + i, state.get(i).toFloatArray());
        }
        Header h =
                new Header(
                        history.spec(),
                        history.recipe(),
                        history.dataSeed(),
                        history.epochs(),
                        opt.steps(),
                        history.precision(),
                        history.channelsLast());
        new Tensors(Json.GSON.toJson(h), arrays, Map.of()).write(file, MAGIC);
    }

    /**
     * Reads a checkpoint.
     *
     * @param file the file
     * @return its state
     * @throws IOException if the file is missing, truncated or corrupt
     */
    static State read(Path file) throws IOException {
        Tensors t = Tensors.read(file, MAGIC, "checkpoint");
        Header h = Json.GSON.fromJson(t.header(), Header.class);
        History history =
                new History(h.spec(), h.recipe(), h.dataSeed(), h.precision(), h.channelsLast());
        h.epochs().forEach(history::add);
        List<float[]> trained = new ArrayList<>();
        List<float[]> buffers = new ArrayList<>();
        List<float[]> optimizer = new ArrayList<>();
        t.floats()
                .forEach(
                        (k, v) ->
                                (k.startsWith("trained/")
                                                ? trained
                                                : k.startsWith("buffer/") ? buffers : optimizer)
                                        .add(v));
        return new State(history, trained, buffers, optimizer, h.steps());
    }
}
