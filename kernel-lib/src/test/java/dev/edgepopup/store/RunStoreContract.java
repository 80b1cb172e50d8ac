package dev.edgepopup.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.init.Init;
import dev.edgepopup.nn.Nets;
import dev.edgepopup.nn.Precision;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.Recipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every database behind a {@link RunStore} must do, run against SQLite ({@link RunStoreTest})
 * and PostgreSQL ({@link PostgresRunStoreTest}).
 */
abstract class RunStoreContract {
    @TempDir Path dir;

    /** A fixed library version: the keys below must not change with the code. */
    static final String LIBRARY = "0.1.0+0123456789ab";

    /**
     * @return the JDBC URL of a database that is empty when the test starts; the same URL for every
     *     call within one test
     */
    abstract String url();

    /**
     * @return the test's store, checkpoints in the test's directory
     */
    RunStore open() {
        return RunStore.open(url(), dir.resolve("checkpoints"));
    }

    static RunConfig config(long seed) {
        return new RunConfig(
                Nets.fc().keep(0.3).init(Init.KAIMING_NORMAL).seed(seed).spec(),
                Recipe.CIFAR10_EDGE_POPUP.epochs(3).lr(0.05),
                seed,
                "fashion-mnist/train[:500]",
                500,
                "fashion-mnist/test[:200]",
                200,
                Precision.FP32,
                false,
                LIBRARY);
    }

    static EpochRecord epoch(int e) {
        return new EpochRecord(
                e, 2.0 / e, 0.3 + 0.1 * e, 0.25 + 0.1 * e, 0.1 / e, 1.25 * e, 800 + e, true);
    }

    @Test
    void aRunSurvivesClosingAndReopening() {
        RunConfig c = config(4);
        String key;
        try (RunStore store = open()) {
            key = store.start(c);
            assertEquals(c.key(), key);
            RunRecord started = store.find(key).orElseThrow();
            assertEquals(RunStatus.RUNNING, started.status());
            assertEquals(0, started.completedEpochs());
            assertTrue(Double.isNaN(started.finalTestAccuracy()));
            store.recordEpoch(key, epoch(1));
            store.recordEpoch(key, epoch(2));
            store.recordCheckpoint(key, 2);
            store.recordEpoch(key, epoch(3));
            store.finish(key, 0.55, 0.3, new byte[] {1, 2, 3, (byte) 0xff, 0}, 3.75, 801.5);
        }
        try (RunStore store = open()) {
            assertEquals(
                    dir.resolve("checkpoints").resolve(key + ".ckpt"), store.checkpointFile(key));
            RunRecord r = store.find(key).orElseThrow();
            assertEquals(c, r.config());
            assertEquals(RunStatus.FINISHED, r.status());
            assertEquals(3, r.completedEpochs());
            assertEquals(2, r.checkpointEpoch());
            assertEquals(0.55, r.finalTestAccuracy());
            assertEquals(0.3, r.keptFraction());
            assertArrayEquals(new byte[] {1, 2, 3, (byte) 0xff, 0}, r.subnetworkBytes());
            assertEquals(3.75, r.wallSeconds());
            assertEquals(801.5, r.imagesPerSecond());
            assertNull(r.errorMessage());
            assertFalse(r.finishedAt().isBefore(r.createdAt()));
            assertEquals(List.of(epoch(1), epoch(2), epoch(3)), store.epochs(key));
            assertEquals(List.of(key), store.runs().stream().map(RunRecord::key).toList());
            assertTrue(store.find(config(5).key()).isEmpty());
        }
    }

    @Test
    void aRunWithoutSubnetworkOrSpeedFinishes() {
        try (RunStore store = open()) {
            String key = store.start(config(2));
            store.finish(key, 0.5, 1, null, 2, Double.NaN);
            RunRecord r = store.find(key).orElseThrow();
            assertNull(r.subnetworkBytes());
            assertTrue(Double.isNaN(r.imagesPerSecond()));
            assertEquals(0.5, r.finalTestAccuracy());
        }
    }

    @Test
    void statusChangesAndForgetting() throws Exception {
        try (RunStore store = open()) {
            String key = store.start(config(1));
            store.recordEpoch(key, epoch(1));
            store.markFailed(key, "loss became NaN at epoch 2");
            RunRecord failed = store.find(key).orElseThrow();
            assertEquals(RunStatus.FAILED, failed.status());
            assertEquals("loss became NaN at epoch 2", failed.errorMessage());
            store.start(config(1));
            RunRecord again = store.find(key).orElseThrow();
            assertEquals(RunStatus.RUNNING, again.status());
            assertNull(again.errorMessage());
            assertEquals(failed.createdAt(), again.createdAt());
            assertEquals(1, again.completedEpochs(), "a restart keeps the stored epochs");
            store.markInterrupted(key);
            assertEquals(RunStatus.INTERRUPTED, store.find(key).orElseThrow().status());
            assertThrows(
                    IllegalArgumentException.class,
                    () ->
                            store.recordEpoch(
                                    key,
                                    new EpochRecord(2, 1, 0.5, Double.NaN, 0.1, 1, 100, false)));
            assertThrows(IllegalStateException.class, () -> store.markFailed("nope", "x"));
            store.markFailed(key, "x".repeat(5000));
            assertEquals(4000, store.find(key).orElseThrow().errorMessage().length());

            store.addTasks(List.of(task("edgepopup-a", 0, key)));
            Files.createDirectories(store.checkpointDir());
            Files.writeString(store.checkpointFile(key), "checkpoint");
            assertTrue(store.forget(key));
            assertTrue(store.find(key).isEmpty());
            assertTrue(store.epochs(key).isEmpty());
            assertTrue(store.latestTask(key).isEmpty(), "its tasks go too");
            assertFalse(Files.exists(store.checkpointFile(key)));
            assertFalse(store.forget(key));
        }
    }

    @Test
    void resumingDropsEpochsTheCheckpointDoesNotHold() {
        try (RunStore store = open()) {
            String key = store.start(config(1));
            for (int e = 1; e <= 3; e++) {
                store.recordEpoch(key, epoch(e));
            }
            store.resumedAt(key, 2);
            assertEquals(List.of(epoch(1), epoch(2)), store.epochs(key));
            assertEquals(2, store.find(key).orElseThrow().checkpointEpoch());
            store.recordEpoch(key, epoch(2));
            assertEquals(2, store.epochs(key).size(), "recording an epoch again replaces it");
        }
    }

    private static RunTask task(String job, int index, String key) {
        return new RunTask(
                job,
                index,
                key,
                null,
                Path.of("/shared/logs/" + job + "-" + index + ".log"),
                Instant.parse("2025-01-31T12:00:00.000Z").plus(index, ChronoUnit.MINUTES));
    }

    @Test
    void queuedRunsAndTheirClusterTasks() {
        try (RunStore store = open()) {
            String a = store.queue(config(1));
            String b = store.queue(config(2));
            RunRecord pending = store.find(a).orElseThrow();
            assertEquals(RunStatus.PENDING, pending.status());
            assertEquals(config(1), pending.config(), "a worker reads the configuration back");
            store.addTasks(List.of(task("edgepopup-1", 0, a), task("edgepopup-1", 1, b)));
            assertEquals(task("edgepopup-1", 1, b), store.task("edgepopup-1", 1).orElseThrow());
            assertEquals("edgepopup-1_1", store.task("edgepopup-1", 1).orElseThrow().taskId());
            assertTrue(store.task("edgepopup-1", 2).isEmpty());
            store.setJobId("edgepopup-1", "417");
            assertEquals("417_0", store.task("edgepopup-1", 0).orElseThrow().taskId());

            // The worker starts the run, an epoch is stored, the task is cancelled.
            store.start(config(2));
            store.recordEpoch(b, epoch(1));
            store.recordCheckpoint(b, 1);
            store.markInterrupted(b);
            // Sent again: pending, with its epoch and checkpoint kept, and a newer task.
            store.queue(config(2));
            RunRecord again = store.find(b).orElseThrow();
            assertEquals(RunStatus.PENDING, again.status());
            assertEquals(1, again.completedEpochs());
            assertEquals(1, again.checkpointEpoch());
            store.addTasks(
                    List.of(
                            new RunTask(
                                    "edgepopup-2",
                                    0,
                                    b,
                                    "418",
                                    Path.of("/shared/logs/edgepopup-2-0.log"),
                                    Instant.parse("2025-01-31T13:00:00.000Z"))));
            assertEquals("418_0", store.latestTask(b).orElseThrow().taskId());
            assertEquals("417_0", store.latestTask(a).orElseThrow().taskId());
        }
    }

    @Test
    void twoThreadsWithTheirOwnConnectionsAndTwoSharingOneWriteAtOnce() throws Exception {
        int perThread = 25;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (RunStore a = open();
                RunStore b = open();
                RunStore shared = open()) {
            List<RunStore> stores = List.of(a, b, shared, shared);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < stores.size(); t++) {
                RunStore store = stores.get(t);
                String prefix = "thread" + t;
                done.add(
                        pool.submit(
                                () -> {
                                    go.await();
                                    StoreWriter.writeRuns(store, prefix, perThread);
                                    return null;
                                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
            checkAllWritten(shared, List.of("thread0", "thread1", "thread2", "thread3"), perThread);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoJvmsAndThisOneWriteAtOnce() throws Exception {
        Path go = dir.resolve("go");
        int perWriter = 40;
        try (RunStore created = open(); // the schema exists before the children open it
                ChildJvm first =
                        ChildJvm.start(
                                StoreWriter.class,
                                url(),
                                "jvm1",
                                Integer.toString(perWriter),
                                go.toString());
                ChildJvm second =
                        ChildJvm.start(
                                StoreWriter.class,
                                url(),
                                "jvm2",
                                Integer.toString(perWriter),
                                go.toString())) {
            for (ChildJvm child : List.of(first, second)) {
                assertTrue(
                        child.awaitLine("ready"::equals, 30), () -> "no ready: " + child.lines());
            }
            Files.createFile(go);
            StoreWriter.writeRuns(created, "parent", perWriter);
            assertEquals(0, first.await(60), () -> "first writer: " + first.lines());
            assertEquals(0, second.await(60), () -> "second writer: " + second.lines());
            checkAllWritten(created, List.of("jvm1", "jvm2", "parent"), perWriter);
            long[] a = interval(first.lines());
            long[] b = interval(second.lines());
            assertTrue(
                    a[0] <= b[1] && b[0] <= a[1],
                    "the two JVMs did not write at the same time: "
                            + first.lines()
                            + " "
                            + second.lines());
        }
    }

    private static long[] interval(List<String> lines) {
        long start = -1;
        long end = -1;
        for (String l : lines) {
            if (l.startsWith("start ")) {
                start = Long.parseLong(l.substring(6));
            } else if (l.startsWith("end ")) {
                end = Long.parseLong(l.substring(4));
            }
        }
        assertTrue(start >= 0 && end >= start, lines.toString());
        return new long[] {start, end};
    }

    static void checkAllWritten(RunStore store, List<String> prefixes, int n) {
        assertEquals(prefixes.size() * n, store.runs().size());
        for (String prefix : prefixes) {
            for (int i = 0; i < n; i++) {
                String key = StoreWriter.config(prefix, i).key();
                RunRecord r = store.find(key).orElseThrow(() -> new AssertionError(key));
                assertEquals(RunStatus.FINISHED, r.status(), prefix + " " + i);
                assertEquals(StoreWriter.EPOCHS, r.completedEpochs(), prefix + " " + i);
                assertEquals(StoreWriter.EPOCHS, r.checkpointEpoch(), prefix + " " + i);
                assertEquals(0.1 * StoreWriter.EPOCHS + 0.01 * i, r.finalTestAccuracy());
            }
        }
    }
}
