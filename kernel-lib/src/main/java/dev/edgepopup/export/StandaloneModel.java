package dev.edgepopup.export;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import dev.edgepopup.data.ImageSource;
import dev.edgepopup.io.Json;
import dev.edgepopup.nn.Net;
import dev.edgepopup.nn.NetSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A found subnetwork as an ordinary DJL model: plain bias-free {@link Conv2d} and {@link Linear}
 * layers whose weights are {@code W * mask}, saved with {@link Model#save} beside a {@code
 * spec.json} that says how to rebuild the block. Any DJL program can load and run it without this
 * library's masked layers.
 */
public final class StandaloneModel implements AutoCloseable {
    private static final String SPEC = "spec.json";
    private final NetSpec spec;
    private final Model model;
    private final ParameterStore store;

    private StandaloneModel(NetSpec spec, Model model) {
        this.spec = spec;
        this.model = model;
        this.store = new ParameterStore(model.getNDManager(), false);
    }

    /**
     * The plain DJL block of a spec's layout, initialized with placeholder values.
     *
     * @param spec the network
     * @param model the model whose manager owns the parameters
     * @return the block
     */
    static Block plainBlock(NetSpec spec, Model model) {
        SequentialBlock block = new SequentialBlock();
        for (NetSpec.Step step : spec.layout()) {
            switch (step.kind()) {
                case CONV:
                    block.add(
                            Conv2d.builder()
                                    .setKernelShape(new Shape(3, 3))
                                    .optPadding(new Shape(1, 1))
                                    .setFilters(step.out())
                                    .optBias(false)
                                    .build());
                    break;
                case LINEAR:
                    block.add(Linear.builder().setUnits(step.out()).optBias(false).build());
                    break;
                default:
                    block.add(step.block());
            }
        }
        model.setBlock(block);
        block.initialize(
                model.getNDManager(),
                DataType.FLOAT32,
                new Shape(1, spec.channels(), spec.height(), spec.imageWidth()));
        return block;
    }

    /**
     * Bakes a subnetwork's masked weights into a DJL model.
     *
     * @param sub the subnetwork
     * @param name the model's name
     * @return the model; close it when done
     */
    public static StandaloneModel of(Subnetwork sub, String name) {
        Model model = Model.newInstance(name);
        Block block = plainBlock(sub.spec(), model);
        List<NDArray> weights = sub.maskedWeights(model.getNDManager());
        var params = block.getParameters();
        if (params.size() != weights.size()) {
            model.close();
            throw new IllegalStateException(
                    "the plain block has "
                            + params.size()
                            + " weights, the subnetwork "
                            + weights.size());
        }
        for (int i = 0; i < weights.size(); i++) {
            params.valueAt(i).getArray().set(weights.get(i).toFloatArray());
            weights.get(i).close();
        }
        return new StandaloneModel(sub.spec(), model);
    }

    /**
     * Saves the model ({@code NAME-0000.params}) and its {@code spec.json} into a directory.
     *
     * @param dir the directory, created if needed
     * @throws IOException if writing fails
     */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        model.save(dir, model.getName());
        Files.writeString(dir.resolve(SPEC), Json.GSON.toJson(spec), StandardCharsets.UTF_8);
    }

    /**
     * Loads a model saved by {@link #save}.
     *
     * @param dir the directory
     * @param name the model's name
     * @return the model; close it when done
     * @throws IOException if a file is missing or unreadable
     */
    public static StandaloneModel load(Path dir, String name) throws IOException {
        Path specFile = dir.resolve(SPEC);
        if (!Files.exists(specFile)) {
            throw new IOException(
                    specFile
                            + " is missing: a standalone model directory holds "
                            + "spec.json beside "
                            + name
                            + "-0000.params");
        }
        NetSpec spec = Json.GSON.fromJson(Files.readString(specFile), NetSpec.class);
        Model model = Model.newInstance(name);
        plainBlock(spec, model);
        try {
            model.load(dir, name);
        } catch (MalformedModelException e) {
            model.close();
            throw new IOException("model files in " + dir + " are corrupt: " + e.getMessage(), e);
        }
        return new StandaloneModel(spec, model);
    }

    /**
     * @return the DJL model
     */
    public Model model() {
        return model;
    }

    /**
     * Logits for a batch of images.
     *
     * @param x images (N, C, H, W)
     * @return logits on {@code x}'s manager
     */
    public NDArray forward(NDArray x) {
        return model.getBlock().forward(store, new NDList(x), false).singletonOrThrow();
    }

    /**
     * @param data test examples
     * @param batchSize examples per pass
     * @return the model's accuracy on them
     */
    public double accuracy(ImageSource data, int batchSize) {
        return Net.evaluate(data, batchSize, model.getNDManager(), this::forward).top1();
    }

    @Override
    public void close() {
        model.close();
    }
}
