package dev.edgepopup.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgepopup.data.Datasets;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStatus;
import dev.edgepopup.store.RunStore;
import dev.edgepopup.train.EpochRecord;
import java.util.List;

/** The small sweeps the tests and their child JVM run: FC on 500/200 Fashion-MNIST images. */
final class TinySweeps {
    private static Datasets.Data data;

    private TinySweeps() {}

    /**
     * @return the first 500 training and 200 test images of Fashion-MNIST
     */
    static synchronized Datasets.Data data() {
        if (data == null) {
            data = Datasets.fashionMnist().limit(500, 200);
        }
        return data;
    }

    /**
     * Two edge-popup runs of four epochs, one after the other on one thread each: the sweep the
     * SIGKILL test kills in its second run.
     *
     * @param store the store
     * @return the sweep
     */
    static Sweep twoRunsOfFourEpochs(RunStore store) {
        return Sweep.over()
                .nets("fc")
                .keeps(0.3, 0.7)
                .seeds(1)
                .recipe(r -> r.epochs(4))
                .data(data())
                .store(store)
                .on(Local.oneAtATime().threadsPerRun(1));
    }

    /**
     * Four runs of two epochs: FC and Conv2 at width 0.25, edge-popup and Zhou (whose masks are
     * random draws), seed 1.
     *
     * @param store the store
     * @return the sweep, on the default executor
     */
    static Sweep fourRunsOfTwoEpochs(RunStore store) {
        return Sweep.over()
                .nets("fc", "conv2")
                .widths(0.25)
                .approaches(Approach.EDGE_POPUP, Approach.ZHOU)
                .seeds(1)
                .recipe(r -> r.epochs(2).batchSize(50))
                .data(data())
                .store(store);
    }

    /**
     * Asserts a finished run with the same results, epoch by epoch, as an uninterrupted reference
     * (timing aside): metrics, kept fraction and the stored subnetwork's bytes.
     *
     * @param reference the store that trained the run without a break
     * @param store the store to check
     * @param key the run's key
     */
    static void assertSameResults(RunStore reference, RunStore store, String key) {
        RunRecord expected = reference.find(key).orElseThrow();
        RunRecord actual = store.find(key).orElseThrow();
        assertEquals(RunStatus.FINISHED, actual.status());
        assertEquals(expected.finalTestAccuracy(), actual.finalTestAccuracy());
        assertEquals(expected.keptFraction(), actual.keptFraction());
        assertArrayEquals(expected.subnetworkBytes(), actual.subnetworkBytes());
        List<EpochRecord> want = reference.epochs(key);
        List<EpochRecord> got = store.epochs(key);
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            EpochRecord w = want.get(i);
            EpochRecord g = got.get(i);
            assertEquals(w.epoch(), g.epoch());
            assertEquals(w.trainLoss(), g.trainLoss(), "train loss, epoch " + w.epoch());
            assertEquals(w.trainAccuracy(), g.trainAccuracy(), "train acc, epoch " + w.epoch());
            assertEquals(w.testAccuracy(), g.testAccuracy(), "test acc, epoch " + w.epoch());
            assertEquals(w.lr(), g.lr());
        }
    }
}
