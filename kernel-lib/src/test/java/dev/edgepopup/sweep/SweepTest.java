package dev.edgepopup.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.nn.Method;
import dev.edgepopup.nn.Net;
import dev.edgepopup.store.ChildJvm;
import dev.edgepopup.store.RunConfig;
import dev.edgepopup.store.RunRecord;
import dev.edgepopup.store.RunStatus;
import dev.edgepopup.store.RunStore;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepTest {
    @TempDir static Path shared;
    private static RunStore reference;

    @TempDir Path dir;

    /**
     * @return a store holding {@link TinySweeps#twoRunsOfFourEpochs}, trained without a break
     */
    private static synchronized RunStore reference() {
        if (reference == null) {
            reference = RunStore.open(shared.resolve("reference.db"));
            TinySweeps.twoRunsOfFourEpochs(reference).run();
        }
        return reference;
    }

    @AfterAll
    static void closeReference() {
        if (reference != null) {
            reference.close();
        }
    }

    /** Records which runs trained, from which epoch, and which epochs they finished. */
    private static final class Log implements Function<RunConfig, TrainingListener> {
        final List<String> starts = Collections.synchronizedList(new ArrayList<>());
        final List<String> epochs = Collections.synchronizedList(new ArrayList<>());

        @Override
        public TrainingListener apply(RunConfig c) {
            return new TrainingListener() {
                @Override
                public void onStart(int firstEpoch, int total) {
                    starts.add(c.key() + " from " + firstEpoch);
                }

                @Override
                public void onEpoch(EpochRecord r, int total) {
                    epochs.add(c.key() + " " + r.epoch());
                }
            };
        }
    }

    private static List<String> epochsOf(String key, int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(e -> key + " " + e).toList();
    }

    @Test
    void aSecondRunSkipsEverythingTheStoreHasFinished() throws Exception {
        try (RunStore store = RunStore.open(dir.resolve("runs").resolve("runs.db"))) {
            Sweep sweep =
                    Sweep.over()
                            .nets("fc")
                            .keeps(0.3, 0.7)
                            .approaches(Approach.EDGE_POPUP, Approach.DENSE_SGD)
                            .seeds(1, 2)
                            .recipe(r -> r.epochs(1))
                            .data(TinySweeps.data())
                            .store(store);
            // k does not change a dense run: it runs once per seed, not once per k.
            assertEquals(6, sweep.configurations().size());

            Log first = new Log();
            SweepResult done = sweep.listener(first).run();
            assertEquals(6, first.starts.size());
            assertEquals(6, done.trained());
            assertEquals(0, done.reused());
            assertFalse(done.interrupted());
            assertEquals(6, done.runs().rowCount());
            assertEquals(3, done.aggregate().rowCount());
            assertEquals(List.of(2, 2, 2), done.aggregate().intColumn(SweepResult.SEEDS).asList());
            for (RunRecord r : done.records()) {
                assertEquals(RunStatus.FINISHED, r.status());
                assertEquals(1, r.completedEpochs());
                assertFalse(Files.exists(store.checkpointFile(r.key())), "checkpoint kept");
                if (r.config().spec().method() == Method.EDGE_POPUP) {
                    // The stored subnetwork is the found network: same test accuracy.
                    try (Net net = r.subnetwork().toNet()) {
                        assertEquals(
                                r.finalTestAccuracy(),
                                net.accuracy(TinySweeps.data().test(), 1000));
                    }
                } else {
                    assertNull(r.subnetworkBytes());
                    assertEquals(1.0, r.keptFraction());
                }
            }

            Log second = new Log();
            SweepResult again = sweep.listener(second).run();
            assertEquals(List.of(), second.starts, "finished runs were trained again");
            assertEquals(0, again.trained());
            assertEquals(6, again.reused());
            assertEquals(
                    done.records().stream().map(RunRecord::key).toList(),
                    again.records().stream().map(RunRecord::key).toList());
            assertEquals(
                    done.runs().doubleColumn(SweepResult.TEST_ACC).asList(),
                    again.runs().doubleColumn(SweepResult.TEST_ACC).asList());
            assertEquals(
                    done.aggregate().doubleColumn(SweepResult.TEST_ACC_MEAN).asList(),
                    sweep.results().aggregate().doubleColumn(SweepResult.TEST_ACC_MEAN).asList());
        }
    }

    @Test
    void anInterruptStopsTheSweepAndTheNextRunResumesAfterTheLastFinishedEpoch() throws Exception {
        try (RunStore store = RunStore.open(dir.resolve("runs.db"))) {
            Sweep sweep = TinySweeps.twoRunsOfFourEpochs(store);
            List<RunConfig> plan = sweep.configurations();
            String firstKey = plan.get(0).key();
            String secondKey = plan.get(1).key();

            SweepResult cut =
                    sweep.listener(
                                    c ->
                                            new TrainingListener() {
                                                @Override
                                                public void onBatch(
                                                        int epoch,
                                                        int batch,
                                                        int batches,
                                                        double loss,
                                                        double accuracy,
                                                        double imagesPerSecond) {
                                                    if (epoch == 2 && batch == 1) {
                                                        Thread.currentThread().interrupt();
                                                    }
                                                }
                                            })
                            .run();
            assertTrue(cut.interrupted());
            assertFalse(Thread.currentThread().isInterrupted(), "the interrupt was not consumed");
            assertEquals(2, cut.planned());
            assertEquals(1, cut.records().size(), "the sweep went on after the interrupt");
            RunRecord stopped = cut.records().get(0);
            assertEquals(RunStatus.INTERRUPTED, stopped.status());
            assertEquals(1, stopped.completedEpochs());
            assertEquals(1, stopped.checkpointEpoch());
            assertTrue(Files.exists(store.checkpointFile(firstKey)));
            assertTrue(store.find(secondKey).isEmpty());
            EpochRecord firstEpoch = store.epochs(firstKey).get(0);

            Log log = new Log();
            SweepResult done = sweep.listener(log).run();
            assertFalse(done.interrupted());
            assertEquals(List.of(firstKey + " from 2", secondKey + " from 1"), log.starts);
            List<String> trained = new ArrayList<>(epochsOf(firstKey, 2, 4));
            trained.addAll(epochsOf(secondKey, 1, 4));
            assertEquals(trained, log.epochs);
            assertEquals(firstEpoch, store.epochs(firstKey).get(0), "epoch 1 was trained again");
            TinySweeps.assertSameResults(reference(), store, firstKey);
            TinySweeps.assertSameResults(reference(), store, secondKey);
            assertFalse(Files.exists(store.checkpointFile(firstKey)));
        }
    }

    @Test
    void everyEpochIsCommittedBeforeTrainingGoesOn() {
        Path db = dir.resolve("runs.db");
        List<String> seen = new ArrayList<>();
        try (RunStore store = RunStore.open(db);
                RunStore other = RunStore.open(db)) {
            // Another connection sees only committed data.
            Sweep sweep =
                    Sweep.over().recipe(r -> r.epochs(3)).data(TinySweeps.data()).store(store);
            sweep.listener(
                            c ->
                                    new TrainingListener() {
                                        @Override
                                        public void onBatch(
                                                int epoch,
                                                int batch,
                                                int batches,
                                                double loss,
                                                double accuracy,
                                                double imagesPerSecond) {
                                            if (batch == 1) {
                                                RunRecord r = other.find(c.key()).orElseThrow();
                                                seen.add(
                                                        "batch 1 of epoch "
                                                                + epoch
                                                                + ": "
                                                                + r.completedEpochs()
                                                                + " stored, checkpoint "
                                                                + r.checkpointEpoch());
                                            }
                                        }

                                        @Override
                                        public void onEpoch(EpochRecord r, int total) {
                                            List<EpochRecord> stored = other.epochs(c.key());
                                            seen.add(
                                                    "epoch "
                                                            + r.epoch()
                                                            + ": "
                                                            + stored.size()
                                                            + " stored, last "
                                                            + stored.get(stored.size() - 1)
                                                                    .equals(r));
                                        }
                                    })
                    .run();
        }
        assertEquals(
                List.of(
                        "batch 1 of epoch 1: 0 stored, checkpoint 0",
                                "epoch 1: 1 stored, last true",
                        "batch 1 of epoch 2: 1 stored, checkpoint 1",
                                "epoch 2: 2 stored, last true",
                        "batch 1 of epoch 3: 2 stored, checkpoint 2",
                                "epoch 3: 3 stored, last true"),
                seen);
    }

    @Test
    void aRunThatDivergesIsStoredAsFailedAndTheSweepGoesOn() {
        try (RunStore store = RunStore.open(dir.resolve("runs.db"))) {
            SweepResult r =
                    Sweep.over()
                            .nets("fc")
                            .approaches(Approach.DENSE_SGD, Approach.EDGE_POPUP)
                            .recipe(rec -> rec.epochs(1).lr(1e12))
                            .data(TinySweeps.data())
                            .store(store)
                            .run();
            assertEquals(2, r.records().size());
            RunRecord dense = r.records().get(0);
            assertEquals(RunStatus.FAILED, dense.status());
            assertTrue(dense.errorMessage().startsWith("loss became"), dense.errorMessage());
            assertEquals(RunStatus.FINISHED, r.records().get(1).status());
            assertEquals(1, r.aggregate().rowCount(), "a failed run entered the aggregate");
        }
    }

    @Test
    void aKilledSweepLosesNoFinishedEpochAndResumesWhereItsCheckpointEnds() throws Exception {
        Path db = dir.resolve("runs").resolve("runs.db");
        try (RunStore store = RunStore.open(db);
                ChildJvm child = ChildJvm.start(SweepChild.class, db.toString())) {
            List<RunConfig> plan = TinySweeps.twoRunsOfFourEpochs(store).configurations();
            String firstKey = plan.get(0).key();
            String secondKey = plan.get(1).key();

            // Kill once the second (multi-epoch) run has a finished, checkpointed epoch.
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (store.find(secondKey).map(r -> r.checkpointEpoch() < 1).orElse(true)) {
                assertTrue(child.process().isAlive(), () -> "child exited: " + child.lines());
                assertTrue(System.nanoTime() < deadline, () -> "no epoch: " + child.lines());
                Thread.sleep(10);
            }
            child.process().destroyForcibly();
            assertEquals(137, child.await(30), "not killed by SIGKILL");
            assertFalse(child.lines().contains("sweep finished"), "killed too late");

            RunRecord first = store.find(firstKey).orElseThrow();
            assertEquals(RunStatus.FINISHED, first.status());
            assertEquals(4, first.completedEpochs());
            RunRecord second = store.find(secondKey).orElseThrow();
            assertEquals(RunStatus.RUNNING, second.status());
            int checkpointed = second.checkpointEpoch();
            assertTrue(checkpointed >= 1 && checkpointed < 4, "checkpoint epoch " + checkpointed);
            assertTrue(second.completedEpochs() >= checkpointed);
            assertTrue(Files.exists(store.checkpointFile(secondKey)));
            List<String> printed =
                    child.lines().stream().filter(l -> l.startsWith("epoch ")).toList();
            assertTrue(printed.size() >= 5, printed.toString());
            for (String line : printed) {
                String[] p = line.split(" ");
                int epoch = Integer.parseInt(p[2]);
                assertTrue(
                        store.epochs(p[1]).stream().anyMatch(e -> e.epoch() == epoch),
                        "epoch reported finished but not stored: " + line);
            }
            List<EpochRecord> kept = store.epochs(secondKey).subList(0, checkpointed);

            Log log = new Log();
            SweepResult done = TinySweeps.twoRunsOfFourEpochs(store).listener(log).run();
            assertEquals(List.of(secondKey + " from " + (checkpointed + 1)), log.starts);
            assertEquals(epochsOf(secondKey, checkpointed + 1, 4), log.epochs);
            assertEquals(
                    kept,
                    store.epochs(secondKey).subList(0, checkpointed),
                    "checkpointed epochs were trained again");
            assertEquals(
                    List.of(RunStatus.FINISHED, RunStatus.FINISHED),
                    done.records().stream().map(RunRecord::status).toList());

            TinySweeps.assertSameResults(reference(), store, firstKey);
            TinySweeps.assertSameResults(reference(), store, secondKey);
            assertNotNull(store.find(secondKey).orElseThrow().finishedAt());
        }
    }
}
