package dev.edgepopup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** {@code relu(main(x) + shortcut(x))}, the shortcut being the identity when absent. */
final class ResidualBlock extends AbstractBlock {
    private final Block main;
    private final Block shortcut;

    /**
     * @param main the residual path
     * @param shortcut the shortcut, or null for the identity
     */
    ResidualBlock(Block main, Block shortcut) {
        this.main = addChildBlock("main", main);
        this.shortcut = shortcut == null ? null : addChildBlock("shortcut", shortcut);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray y = main.forward(store, inputs, training, params).singletonOrThrow();
        NDArray s =
                shortcut == null
                        ? inputs.singletonOrThrow()
                        : shortcut.forward(store, inputs, training, params).singletonOrThrow();
        return new NDList(Activation.relu(y.add(s)));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
        main.initialize(manager, dataType, inputs);
        if (shortcut != null) {
            shortcut.initialize(manager, dataType, inputs);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return main.getOutputShapes(inputShapes);
    }
}
