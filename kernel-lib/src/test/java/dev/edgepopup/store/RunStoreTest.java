package dev.edgepopup.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.init.Init;
import dev.edgepopup.nn.Method;
import dev.edgepopup.nn.Nets;
import dev.edgepopup.nn.Precision;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.Recipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunStoreTest {
    @TempDir
    Path dir;

    /** A fixed library version: the keys below must not change with the code. */
    private static final String LIBRARY = "0.1.0+0123456789ab";

    private static RunConfig config(long seed) {
        return new RunConfig(Nets.fc().keep(0.3).init(Init.KAIMING_NORMAL).seed(seed).spec(),
                Recipe.CIFAR10_EDGE_POPUP.epochs(3).lr(0.05), seed,
                "fashion-mnist/train[:500]", 500, "fashion-mnist/test[:200]", 200,
                Precision.FP32, false, LIBRARY);
    }

    private static EpochRecord epoch(int e) {
        return new EpochRecord(e, 2.0 / e, 0.3 + 0.1 * e, 0.25 + 0.1 * e, 0.1 / e, 1.25 * e,
                800 + e, true);
    }

    @Test
    void aRunSurvivesClosingAndReopening() throws Exception {
        Path db = dir.resolve("runs").resolve("runs.db");
        RunConfig c = config(4);
        String key;
        try (RunStore store = RunStore.open(db)) {
            assertEquals(db.getParent().resolve("checkpoints"), store.checkpointDir());
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
            store.finish(key, 0.55, 0.3, new byte[] {1, 2, 3}, 3.75, 801.5);
        }
        try (RunStore store = RunStore.open("jdbc:sqlite:" + db)) {
            assertEquals(db.getParent().resolve("checkpoints").resolve(key + ".ckpt"),
                    store.checkpointFile(key));
            RunRecord r = store.find(key).orElseThrow();
            assertEquals(c, r.config());
            assertEquals(RunStatus.FINISHED, r.status());
            assertEquals(3, r.completedEpochs());
            assertEquals(2, r.checkpointEpoch());
            assertEquals(0.55, r.finalTestAccuracy());
            assertEquals(0.3, r.keptFraction());
            assertArrayEquals(new byte[] {1, 2, 3}, r.subnetworkBytes());
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
    void statusChangesAndForgetting() throws Exception {
        try (RunStore store = RunStore.open(dir.resolve("runs.db"))) {
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
            assertThrows(IllegalArgumentException.class, () -> store.recordEpoch(key,
                    new EpochRecord(2, 1, 0.5, Double.NaN, 0.1, 1, 100, false)));
            assertThrows(IllegalStateException.class, () -> store.markFailed("nope", "x"));

            Files.createDirectories(store.checkpointDir());
            Files.writeString(store.checkpointFile(key), "checkpoint");
            assertTrue(store.forget(key));
            assertTrue(store.find(key).isEmpty());
            assertTrue(store.epochs(key).isEmpty());
            assertFalse(Files.exists(store.checkpointFile(key)));
            assertFalse(store.forget(key));
        }
    }

    @Test
    void resumingDropsEpochsTheCheckpointDoesNotHold() {
        try (RunStore store = RunStore.open(dir.resolve("runs.db"))) {
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

    @Test
    void theKeyIsAStableHashOfTheWholeConfiguration() {
        RunConfig c = config(1);
        // A changed key orphans every stored run: change this only on purpose (last: the
        // library version and the arithmetic joined the configuration).
        assertEquals("21a2a4862b1facea9c928231ea952a95fbfab0b554c6f406745a5a3e9af057d4", c.key());
        assertEquals(c.key(), config(1).key());
        List<RunConfig> different = List.of(
                config(2),
                new RunConfig(c.spec(), c.recipe(), 9, c.trainSet(), c.trainSize(), c.testSet(),
                        c.testSize(), Precision.FP32, false, LIBRARY),
                new RunConfig(Nets.fc().keep(0.5).init(Init.KAIMING_NORMAL).seed(1).spec(),
                        c.recipe(), 1, c.trainSet(), c.trainSize(), c.testSet(), c.testSize(),
                        Precision.FP32, false, LIBRARY),
                new RunConfig(Nets.fc().keep(0.3).init(Init.KAIMING_NORMAL).seed(1)
                        .method(Method.ZHOU).spec(), c.recipe(), 1, c.trainSet(), c.trainSize(),
                        c.testSet(), c.testSize(), Precision.FP32, false, LIBRARY),
                new RunConfig(c.spec(), c.recipe().lr(0.1), 1, c.trainSet(), c.trainSize(),
                        c.testSet(), c.testSize(), Precision.FP32, false, LIBRARY),
                new RunConfig(c.spec(), c.recipe(), 1, "fashion-mnist/train[:600]", 600,
                        c.testSet(), c.testSize(), Precision.FP32, false, LIBRARY),
                // Another library, or other arithmetic, is another run.
                new RunConfig(c.spec(), c.recipe(), 1, c.trainSet(), c.trainSize(), c.testSet(),
                        c.testSize(), Precision.FP32, false, "0.1.0+0123456789ac"),
                new RunConfig(c.spec(), c.recipe(), 1, c.trainSet(), c.trainSize(), c.testSet(),
                        c.testSize(), Precision.FP32, false, "0.2.0+0123456789ab"),
                c.compute(Precision.BF16, false),
                c.compute(Precision.FP32, true));
        for (RunConfig d : different) {
            assertNotEquals(c.key(), d.key(), d.toString());
        }
        assertEquals(c.keyWithoutSeeds(), config(2).keyWithoutSeeds());
        assertNotEquals(c.keyWithoutSeeds(), different.get(2).keyWithoutSeeds());
    }

    @Test
    void aFileMadeBeforeTheVersionColumnsOpensAndKeepsItsRuns() throws Exception {
        Path db = dir.resolve("old.db");
        String old = new String(RunStoreTest.class.getResourceAsStream(
                "schema-before-versions.sql").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement()) {
            for (String statement : old.replaceAll("--[^\n]*", "").split(";")) {
                if (!statement.isBlank()) {
                    s.execute(statement);
                }
            }
            s.execute("INSERT INTO runs (run_key, net_arch, net_width, net_method, net_keep,"
                    + " net_init, recipe_name, recipe_epochs, weight_seed, score_seed, data_seed,"
                    + " train_set, train_size, test_set, test_size, spec_json, recipe_json,"
                    + " status, checkpoint_epoch, final_test_accuracy, created_at, updated_at)"
                    + " VALUES ('oldkey', 'fc', 1, 'EDGE_POPUP', 0.3, 'KAIMING_NORMAL', 'r', 3, 1,"
                    + " 2, 1, 'a', 500, 'b', 200, '" + dev.edgepopup.io.Json.GSON.toJson(
                            config(1).spec()) + "', '" + dev.edgepopup.io.Json.GSON.toJson(
                            config(1).recipe()) + "', 'finished', 0, 0.5,"
                    + " '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')");
        }
        for (int open = 0; open < 2; open++) { // the second open finds the columns there
            try (RunStore store = RunStore.open(db)) {
                RunRecord r = store.find("oldkey").orElseThrow();
                assertEquals(0.5, r.finalTestAccuracy());
                assertNull(r.config().library(), "an old run's library is unknown");
                assertEquals(Precision.FP32, r.config().precision());
                assertFalse(r.config().channelsLast());
                RunConfig now = config(1).compute(Precision.BF16, true);
                store.start(now);
                assertEquals(now, store.find(now.key()).orElseThrow().config());
                assertEquals(2, store.runs().size());
            }
        }
    }

    @Test
    void sqliteFilesUseWriteAheadLogging() throws Exception {
        Path db = dir.resolve("runs.db");
        try (RunStore store = RunStore.open(db);
                Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            store.start(config(1));
            assertTrue(rs.next());
            assertEquals("wal", rs.getString(1));
            assertTrue(Files.exists(dir.resolve("runs.db-wal")));
        }
    }

    @Test
    void twoThreadsWithTheirOwnConnectionsAndTwoSharingOneWriteAtOnce() throws Exception {
        Path db = dir.resolve("runs.db");
        int perThread = 25;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (RunStore a = RunStore.open(db); RunStore b = RunStore.open(db);
                RunStore shared = RunStore.open(db)) {
            List<RunStore> stores = List.of(a, b, shared, shared);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < stores.size(); t++) {
                RunStore store = stores.get(t);
                String prefix = "thread" + t;
                done.add(pool.submit(() -> {
                    go.await();
                    StoreWriter.writeRuns(store, prefix, perThread);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
            checkAllWritten(shared, List.of("thread0", "thread1", "thread2", "thread3"),
                    perThread);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoJvmsAndThisOneWriteAtOnce() throws Exception {
        Path db = dir.resolve("runs").resolve("runs.db");
        Path go = dir.resolve("go");
        int perWriter = 40;
        try (ChildJvm first = ChildJvm.start(StoreWriter.class, db.toString(), "jvm1",
                        Integer.toString(perWriter), go.toString());
                ChildJvm second = ChildJvm.start(StoreWriter.class, db.toString(), "jvm2",
                        Integer.toString(perWriter), go.toString())) {
            for (ChildJvm child : List.of(first, second)) {
                assertTrue(child.awaitLine("ready"::equals, 30), () -> "no ready: "
                        + child.lines());
            }
            Files.createFile(go);
            try (RunStore store = RunStore.open(db)) {
                StoreWriter.writeRuns(store, "parent", perWriter);
                assertEquals(0, first.await(60), () -> "first writer: " + first.lines());
                assertEquals(0, second.await(60), () -> "second writer: " + second.lines());
                checkAllWritten(store, List.of("jvm1", "jvm2", "parent"), perWriter);
            }
            long[] a = interval(first.lines());
            long[] b = interval(second.lines());
            assertTrue(a[0] <= b[1] && b[0] <= a[1],
                    "the two JVMs did not write at the same time: " + first.lines() + " "
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

    private static void checkAllWritten(RunStore store, List<String> prefixes, int n) {
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
