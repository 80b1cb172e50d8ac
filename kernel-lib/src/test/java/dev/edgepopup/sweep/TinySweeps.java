package dev.edgepopup.sweep;

import dev.edgepopup.data.Datasets;
import dev.edgepopup.store.RunStore;

/** The small sweeps the tests and their child JVM run: FC on 500/200 Fashion-MNIST images. */
final class TinySweeps {
    private static Datasets.Data data;

    private TinySweeps() {}

    /** @return the first 500 training and 200 test images of Fashion-MNIST */
    static synchronized Datasets.Data data() {
        if (data == null) {
            data = Datasets.fashionMnist().limit(500, 200);
        }
        return data;
    }

    /**
     * Two edge-popup runs of four epochs: the sweep the SIGKILL test kills in its second run.
     *
     * @param store the store
     * @return the sweep
     */
    static Sweep twoRunsOfFourEpochs(RunStore store) {
        return Sweep.over().nets("fc").keeps(0.3, 0.7).seeds(1).recipe(r -> r.epochs(4))
                .data(data()).store(store);
    }
}
