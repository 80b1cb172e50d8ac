package dev.edgepopup.store;

import dev.edgepopup.nn.Nets;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.Recipe;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes fake runs as fast as it can: started, three epochs, a checkpoint, finished. As a main
 * class it is the second JVM of the two-writer test: it prints "ready" once the store is open,
 * waits for a go file, writes, and prints its start and end times.
 */
public final class StoreWriter {
    /** Epochs of each fake run. */
    static final int EPOCHS = 3;

    private StoreWriter() {}

    /**
     * @param prefix makes this writer's runs distinct from other writers'
     * @param i the run's number
     * @return the fake run's configuration
     */
    static RunConfig config(String prefix, int i) {
        return new RunConfig(
                Nets.fc().keep(0.5).seed(i).spec(),
                Recipe.CIFAR10_EDGE_POPUP.epochs(EPOCHS),
                i,
                prefix + "/train",
                500,
                prefix + "/test",
                200);
    }

    /**
     * Writes {@code n} fake runs, each in six transactions.
     *
     * @param store the store
     * @param prefix distinguishes this writer's runs
     * @param n how many runs
     */
    static void writeRuns(RunStore store, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            String key = store.start(config(prefix, i));
            for (int e = 1; e <= EPOCHS; e++) {
                store.recordEpoch(
                        key,
                        new EpochRecord(
                                e, 1.0 / e, 0.1 * e, 0.1 * e + 0.01 * i, 0.1, 0.5, 1000, true));
            }
            store.recordCheckpoint(key, EPOCHS);
            store.finish(key, 0.1 * EPOCHS + 0.01 * i, 0.5, new byte[] {(byte) i}, 1.5, 1000);
        }
    }

    /**
     * @param args the store's JDBC URL, run prefix, run count, go file (its directory also holds
     *     the checkpoint directory that a server database needs)
     * @throws Exception on any failure (the exit code and stack trace tell the test)
     */
    public static void main(String[] args) throws Exception {
        Path go = Path.of(args[3]);
        try (RunStore store = RunStore.open(args[0], go.resolveSibling("checkpoints"))) {
            System.out.println("ready");
            System.out.flush();
            while (!Files.exists(go)) {
                Thread.sleep(2);
            }
            System.out.println("start " + System.currentTimeMillis());
            writeRuns(store, args[1], Integer.parseInt(args[2]));
            System.out.println("end " + System.currentTimeMillis());
        }
    }
}
